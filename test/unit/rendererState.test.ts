import { describe, expect, it } from 'vitest';
import { areaOf, hrefOf, parseRoute, workbenchSections, type Route } from '../../renderer/app/route';
import { SaveTracker } from '../../renderer/forms/saveTracker';
import { pickLanguage } from '../../renderer/i18n/i18n';
import { clearPendingJoin, PENDING_JOIN_KEY, readPendingJoin, savePendingJoin } from '../../renderer/onboarding/pendingJoin';
import { databaseNameOf, normalizeHubUrl, readProfile, writeProfile, type DeviceProfile } from '../../renderer/session/deviceProfile';
import { syncLabel } from '../../renderer/sync/syncStateLabel';
import type { SyncState, SyncStatus } from '../../shared/sync/syncEngine';
import { parseRegion } from '../../shared/records/region';

/* The renderer's pure parts: what the sync bar and the save indicator say, routes, settings. */

const counts = { pendingCount: 3, quarantinedCount: 0, isLive: false, lastSyncedAt: null, unreachableSince: null };
const engine = (status: SyncState, extra: Partial<SyncStatus> = {}) => ({ kind: 'engine' as const, status: { ...status, ...counts, ...extra } as SyncStatus });
const at = (ms: number) => `t${ms}`;

describe('sync bar wording', () => {
  it('names every engine state, with the next retry and the unsent count', () => {
    expect(syncLabel(engine({ state: 'offline', nextRetryAt: 5 }), at)).toMatchObject({ state: 'offline', key: 'sync.state.offlineRetry', values: { time: 't5' }, pendingCount: 3, nextRetryAt: 5 });
    expect(syncLabel(engine({ state: 'offline', nextRetryAt: null }), at)).toMatchObject({ key: 'sync.state.offline' });
    expect(syncLabel(engine({ state: 'offline', nextRetryAt: 5 }, { lastSyncedAt: 2 }), at)).toMatchObject({ key: 'sync.state.offlineSyncedRetry', values: { time: 't5', synced: 't2' } });
    expect(syncLabel(engine({ state: 'connecting' }), at)).toMatchObject({ state: 'connecting' });
    expect(syncLabel(engine({ state: 'syncing', phase: 'push', done: 2, total: 7 }), at)).toMatchObject({ key: 'sync.state.push', values: { done: 2, total: 7 } });
    expect(syncLabel(engine({ state: 'syncing', phase: 'pull', done: 2, total: null }), at)).toMatchObject({ key: 'sync.state.pullUnknown' });
    // Synced a moment ago, live socket still opening: the hub just answered, so not "unreachable".
    expect(syncLabel(engine({ state: 'synced', at: 9 }), at)).toMatchObject({ state: 'synced', key: 'sync.state.synced', values: { time: 't9' } });
    expect(syncLabel(engine({ state: 'synced', at: 9 }, { isLive: true }), at)).toMatchObject({ state: 'synced', key: 'sync.state.syncedLive' });
    // The live socket closed since: no longer "synced" (the green dot), but when it last was.
    expect(syncLabel(engine({ state: 'synced', at: 9 }, { unreachableSince: 12 }), at)).toMatchObject({ state: 'unreachable', key: 'sync.state.syncedNotLive', values: { time: 't9' } });
    expect(syncLabel(engine({ state: 'error', reason: 'forbidden', code: 'forbidden', nextRetryAt: 4 }), at)).toMatchObject({ key: 'sync.state.error', values: { reason: 'refusals.hub.forbidden', time: 't4' }, nextRetryAt: 4 });
    expect(syncLabel(engine({ state: 'error', reason: 'revoked', code: 'token-revoked', nextRetryAt: null }), at)).toMatchObject({ key: 'sync.state.errorStopped', values: { action: 'sync.action.joinAgain' } });
  });

  it('says offline when the platform does, whatever the last sync', () => {
    expect(syncLabel(engine({ state: 'synced', at: 9 }, { isLive: true, lastSyncedAt: 9 }), at, { isOnline: false })).toMatchObject({ state: 'offline', key: 'sync.state.offlineSynced', values: { synced: 't9' } });
  });

  it('offers "sync now" only where there is a hub to sync with', () => {
    expect(syncLabel({ kind: 'demo', pendingCount: 1 }, at)).toMatchObject({ state: 'demo', isSyncNowPossible: false, pendingCount: 1 });
    expect(syncLabel({ kind: 'locked', pendingCount: 0 }, at).isSyncNowPossible).toBe(false);
    expect(syncLabel(engine({ state: 'connecting' }), at).isSyncNowPossible).toBe(true);
  });
});

describe('save indicator', () => {
  it('says saved only once every write is durable and nothing typed is waiting', async () => {
    const tracker = new SaveTracker();
    expect(tracker.state.state).toBe('saved');
    tracker.markDirty('title');
    expect(tracker.state.state).toBe('saving');
    let finish!: () => void;
    const write = new Promise<void>((resolve) => (finish = resolve));
    tracker.markClean('title');
    const tracked = tracker.track(write);
    expect(tracker.state.state).toBe('saving');
    finish();
    expect(await tracked).toBe(true);
    expect(tracker.state.state).toBe('saved');
  });

  it('reports a failed write until a later one succeeds', async () => {
    const tracker = new SaveTracker();
    expect(await tracker.track(Promise.reject(new Error('disk full')))).toBe(false);
    expect(tracker.state).toEqual({ state: 'failed', message: 'disk full' });
    await tracker.track(Promise.resolve());
    expect(tracker.state.state).toBe('saved');
  });
});

describe('routes', () => {
  // One route of every screen, with the hash it must have (the e2e tests and bookmarks use these);
  // a Record over the screen names, so a screen added without a case here fails to compile.
  const routes: Record<Route['screen'], readonly [Route, string]> = {
    inbox: [{ screen: 'inbox' }, '#/inbox'],
    library: [{ screen: 'library' }, '#/library'],
    entry: [{ screen: 'entry', id: 'entry-ab~1' }, '#/entry/entry-ab~1'],
    orgs: [{ screen: 'orgs' }, '#/orgs'],
    org: [{ screen: 'org', id: 'xishan' }, '#/orgs/xishan'],
    governance: [{ screen: 'governance' }, '#/governance'],
    'proposal-new': [{ screen: 'proposal-new' }, '#/governance/new'],
    proposal: [{ screen: 'proposal', id: 'proposal~a/b' }, '#/governance/proposal/proposal~a%2Fb'],
    'proposal-edit': [{ screen: 'proposal-edit', id: 'proposal~a/b' }, '#/governance/proposal/proposal~a%2Fb/edit'],
    workbench: [{ screen: 'workbench', section: null }, '#/workbench'],
    'offer-new': [{ screen: 'offer-new' }, '#/workbench/offers/new'],
    offer: [{ screen: 'offer', id: 'offer~1 2' }, '#/workbench/offers/offer~1%202'],
    reports: [{ screen: 'reports' }, '#/reports'],
    sync: [{ screen: 'sync' }, '#/sync'],
    settings: [{ screen: 'settings' }, '#/settings'],
    admin: [{ screen: 'admin', section: 'orgs' }, '#/admin/orgs'],
  };

  it('round-trips every screen through the hash', () => {
    for (const [route, href] of Object.values(routes)) {
      expect(hrefOf(route)).toBe(href);
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
    for (const section of workbenchSections) {
      expect(hrefOf({ screen: 'workbench', section })).toBe(`#/workbench/${section}`);
      expect(parseRoute(`#/workbench/${section}`)).toEqual({ screen: 'workbench', section });
    }
    expect(parseRoute('')).toEqual({ screen: 'library' });
    expect(parseRoute('#/nowhere')).toEqual({ screen: 'library' });
  });

  it('opens the area of an address that names no screen of it', () => {
    expect(parseRoute('#/entry')).toEqual({ screen: 'library' });
    expect(parseRoute('#/governance/proposal')).toEqual({ screen: 'governance' });
    expect(parseRoute('#/governance/elsewhere')).toEqual({ screen: 'governance' });
    expect(parseRoute('#/workbench/elsewhere')).toEqual({ screen: 'workbench', section: null });
    expect(parseRoute('#/workbench/offers')).toEqual({ screen: 'workbench', section: 'offers' });
    expect(parseRoute('#/entry/%E0%A4%A')).toEqual({ screen: 'entry', id: '%E0%A4%A' });
  });

  it('keeps each screen inside its navigation area', () => {
    expect(Object.values(routes).map(([route]) => `${route.screen}:${areaOf(route)}`)).toEqual([
      'inbox:inbox',
      'library:library',
      'entry:library',
      'orgs:orgs',
      'org:orgs',
      'governance:governance',
      'proposal-new:governance',
      'proposal:governance',
      'proposal-edit:governance',
      'workbench:workbench',
      'offer-new:workbench',
      'offer:workbench',
      'reports:reports',
      'sync:sync',
      'settings:settings',
      'admin:admin',
    ]);
  });
});

describe('device settings', () => {
  it('normalizes hub addresses to http(s) origins and refuses others', () => {
    expect(normalizeHubUrl('hub.example.org')).toBe('https://hub.example.org');
    expect(normalizeHubUrl(' http://192.168.1.5:8787/ ')).toBe('http://192.168.1.5:8787');
    expect(normalizeHubUrl('https://example.org/fieldwise/')).toBe('https://example.org/fieldwise');
    for (const bad of ['javascript:alert(1)', 'ftp://example.org', 'https://user:pw@example.org', '']) expect(normalizeHubUrl(bad), bad).toBeNull();
  });

  it('reads back the profile it wrote and ignores a damaged one', () => {
    const stored = new Map<string, string>();
    const settings = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v), removeItem: (k: string) => void stored.delete(k) };
    const profile: DeviceProfile = { kind: 'hub', identity: { orgId: 'org-1', deviceId: 'dev-1', role: 'member' }, orgName: '西山', networkId: 'net', hubUrl: 'https://hub', deviceName: 'laptop', credentialId: 'c', joinedAt: 1 };
    writeProfile(settings, profile);
    expect(readProfile(settings)).toEqual(profile);
    stored.set('fieldwise.profile', '{"kind":"hub","identity":{"role":"emperor"}}');
    expect(readProfile(settings)).toBeNull();
    expect(databaseNameOf(profile)).toBe('fieldwise-hub-net-org-1-dev-1');
  });

  it('keeps a started join across the reload, without the passphrase, and ignores a damaged one', () => {
    const stored = new Map<string, string>();
    const storage = { getItem: (key: string) => stored.get(key) ?? null, setItem: (key: string, value: string) => void stored.set(key, value), removeItem: (key: string) => void stored.delete(key) };
    expect(readPendingJoin(storage)).toBeNull();
    const join = { code: 'ABCD-1234', hubUrl: 'https://hub.example.org', deviceName: 'Field laptop' };
    savePendingJoin(storage, join);
    expect(readPendingJoin(storage)).toEqual(join);
    expect(stored.get(PENDING_JOIN_KEY)).not.toMatch(/passphrase/i);
    clearPendingJoin(storage);
    expect(readPendingJoin(storage)).toBeNull();
    for (const damaged of ['{not json', '[]', JSON.stringify({ ...join, passphrase: 'kept?' }), JSON.stringify({ code: 1 })]) {
      stored.set(PENDING_JOIN_KEY, damaged);
      expect(readPendingJoin(storage), damaged).toBeNull();
    }
  });

  it('picks the saved language, else the first preferred one it has', () => {
    expect(pickLanguage('en', ['zh-TW'])).toBe('en');
    expect(pickLanguage(null, ['fr', 'zh-Hans-CN'])).toBe('zh-CN');
    expect(pickLanguage('klingon', ['de'])).toBe('en');
  });

  it('reads region paths typed with either kind of slash or comma', () => {
    expect(parseRegion('云南省 / 大理州／洱源县')).toEqual(['云南省', '大理州', '洱源县']);
    expect(parseRegion('Guizhou, Qiandongnan')).toEqual(['Guizhou', 'Qiandongnan']);
    expect(parseRegion('  ')).toEqual([]);
  });
});
