import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RegionNode } from '../../renderer/admin/adminApi';
import { regionLabel, regionProblemText } from '../../renderer/admin/regionProblemText';
import { regionTreeProblems } from '../../renderer/admin/regionTree';
import { isHubReached } from '../../renderer/admin/useAdminResource';
import { catalogs } from '../../renderer/i18n/catalogs';
import type { SessionSync } from '../../renderer/session/session';
import { syncLabel, syncLabelText } from '../../renderer/sync/syncStateLabel';
import type { SyncState, SyncStatus } from '../../shared/sync/syncEngine';

/*
 * Words the last walk of the secretariat console found wrong (adv-walk): a region-list mistake
 * named the region by its generated id ("Region r-3f9a01c2 …"), and the sync bar said "1 / 2"
 * beside "4 changes not sent" without saying that the first counts records and the second changes.
 */

let en: TFunction;
let zh: TFunction;
beforeAll(async () => {
  const instance = i18next.createInstance();
  await instance.init({ resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } }, lng: 'en', interpolation: { escapeValue: false } });
  en = instance.getFixedT('en');
  zh = instance.getFixedT('zh-CN');
});

const yunnan: RegionNode = { id: 'r-00000001', parentId: null, level: 'province', names: { zh: '云南省', en: 'Yunnan' } };
const dali: RegionNode = { id: 'r-00000002', parentId: yunnan.id, level: 'prefecture', names: { zh: '大理州', en: 'Dali' } };
const nameless: RegionNode = { id: 'r-00000003', parentId: dali.id, level: 'county', names: { zh: '', en: '' } };

describe('a region-list mistake in words', () => {
  it('names a region by its path in the reader\'s language, and a new one by its level and place, never by its id', () => {
    const tree = [yunnan, dali, nameless];
    const [problem] = regionTreeProblems(tree);
    expect(problem).toMatchObject({ kind: 'missing-name', id: nameless.id });
    const english = regionProblemText(en, problem!, tree, 'en');
    const chinese = regionProblemText(zh, problem!, tree, 'zh-CN');
    expect(english).toBe('Give every region a Chinese and an English name: the new County under Yunnan / Dali is missing one.');
    expect(chinese).toBe('每个地区都需要中文和英文名称：云南省 / 大理州下新添的县还缺名称。');
    expect(regionLabel(en, tree, dali.id, 'en')).toBe('Yunnan / Dali');
    expect(regionLabel(zh, tree, dali.id, 'zh-CN')).toBe('云南省 / 大理州');
  });

  it('says every kind of mistake without a raw id', () => {
    const twin: RegionNode = { ...dali, id: 'r-00000004' };
    const orphan: RegionNode = { id: 'r-00000005', parentId: 'r-gone', level: 'county', names: { zh: '洱源县', en: 'Eryuan' } };
    const tree = [yunnan, dali, twin, orphan];
    const problems = regionTreeProblems(tree);
    expect(problems.map((problem) => problem.kind)).toEqual(expect.arrayContaining(['duplicate-name', 'missing-parent']));
    for (const t of [en, zh]) for (const problem of problems) expect(regionProblemText(t, problem, tree, t === en ? 'en' : 'zh-CN')).not.toMatch(/r-[0-9a-z]{4,}/);
  });
});

const counts = { pendingCount: 4, quarantinedCount: 0, isLive: true, lastSyncedAt: null, unreachableSince: null };
const engine = (status: SyncState, extra: Partial<SyncStatus> = {}): SessionSync => ({ kind: 'engine', status: { ...status, ...counts, ...extra } as SyncStatus });
const time = (at: number) => String(at);

describe('the sync bar\'s counts', () => {
  it('say what they count in both languages: records sent, changes received, changes not sent', () => {
    const sending = syncLabel(engine({ state: 'syncing', phase: 'push', done: 1, total: 2 }), time);
    const receiving = syncLabel(engine({ state: 'syncing', phase: 'pull', done: 3, total: 40 }), time);
    expect(syncLabelText(en, sending)).toBe('Sending records with changes: 1 of 2');
    expect(syncLabelText(zh, sending)).toBe('正在发送有修改的记录：1 / 2 条');
    expect(syncLabelText(en, receiving)).toBe('Receiving changes from the hub: 3 of 40');
    expect(syncLabelText(zh, receiving)).toBe('正在接收枢纽上的修改：3 / 40 处');
    expect(en('sync.pending', { count: 4 })).toBe('4 changes not sent');
    expect(zh('sync.pending', { count: 4 })).toBe('4 处修改未发送');
  });
});

describe('when the console asks the hub again by itself', () => {
  it('once the sync engine has heard from the hub, not while it is offline or locked', () => {
    expect(isHubReached(engine({ state: 'synced', at: 1 }))).toBe(true);
    expect(isHubReached(engine({ state: 'syncing', phase: 'pull', done: 0, total: null }))).toBe(true);
    expect(isHubReached(engine({ state: 'syncing', phase: 'pull', done: 0, total: null }, { isLive: false }))).toBe(false);
    expect(isHubReached(engine({ state: 'synced', at: 1 }, { isLive: false, unreachableSince: 2 }))).toBe(false);
    expect(isHubReached(engine({ state: 'offline', nextRetryAt: 5 }, { isLive: false }))).toBe(false);
    expect(isHubReached({ kind: 'locked', pendingCount: 0 })).toBe(false);
  });
});
