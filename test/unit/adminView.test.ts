import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AdminDevice, AdminOrg, AuditEntry, RegionNode } from '../../renderer/admin/adminApi';
import { readAdminCache, writeAdminCache } from '../../renderer/admin/adminCache';
import { auditLine, deviceRevokeBlock, orderedOrgs, orgRevokeBlock } from '../../renderer/admin/adminView';
import { isCredentialRefused, readWipeNotice, saveWipeNotice, standingOfAnswer } from '../../renderer/admin/deviceStanding';
import { invitationLetterHtml } from '../../renderer/admin/invitationLetter';
import { childLevel, optionOfPath, regionOptions, regionTreeProblems } from '../../renderer/admin/regionTree';
import { catalogs } from '../../renderer/i18n/catalogs';

let en: TFunction;
let zh: TFunction;
beforeAll(async () => {
  const instance = i18next.createInstance();
  await instance.init({ resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } }, lng: 'en', interpolation: { escapeValue: false } });
  en = instance.getFixedT('en');
  zh = instance.getFixedT('zh-CN');
});

const device = (over: Partial<AdminDevice> = {}): AdminDevice => ({ credentialId: 'cred-1', deviceId: 'dev-1', deviceName: 'Desk', role: 'member', joinedAt: 1, lastSeenAt: null, appVersion: null, revokedAt: null, revokeReason: null, wipe: false, isYou: false, ...over });
const org = (over: Partial<AdminOrg> = {}): AdminOrg => ({ id: 'org-1', name: '西山合作社', role: 'member', createdAt: 1, lastSeenAt: null, revokedAt: null, revokeReason: null, stewardScopes: [], devices: [device()], ...over });

function memoryStore(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  const map = new Map<string, string>();
  return { getItem: (key) => map.get(key) ?? null, setItem: (key, value) => void map.set(key, value), removeItem: (key) => void map.delete(key) };
}

describe('the console view models', () => {
  it('never offers to revoke the secretariat\'s last device, and offers a wipe for a device revoked without one', () => {
    const secretariat = org({ role: 'secretariat', devices: [device({ role: 'secretariat' })] });
    expect(deviceRevokeBlock(secretariat, secretariat.devices[0]!)).toBe('last-secretariat-device');
    const two = org({ role: 'secretariat', devices: [device(), device({ credentialId: 'cred-2' })] });
    expect(deviceRevokeBlock(two, two.devices[0]!)).toBeNull();
    expect(deviceRevokeBlock(org(), device({ revokedAt: 5 }))).toBeNull();
    expect(deviceRevokeBlock(org(), device({ revokedAt: 5, wipe: true }))).toBe('already-revoked');
    expect(orgRevokeBlock(org({ role: 'secretariat' }))).toBe('secretariat');
    expect(orgRevokeBlock(org({ revokedAt: 3 }))).toBe('already-revoked');
    expect(orderedOrgs([org({ id: 'a', revokedAt: 1 }), org({ id: 'b' })]).map((o) => o.id)).toEqual(['b', 'a']);
  });

  it('writes an audit entry as a sentence in either language, never with raw keys', () => {
    const entry: AuditEntry = { id: 3, at: 0, action: 'set-steward-scopes', actor: { orgId: 'org-s', credentialId: 'cred-s', deviceName: 'Desk' }, target: { kind: 'org', id: 'org-1', name: '西山合作社' }, details: { scopes: ['proposals'] } };
    expect(auditLine(en, entry)).toBe('Steward permissions changed · 西山合作社 · permissions: Run proposals');
    expect(auditLine(zh, entry)).toBe('更改骨干伙伴权限 · 西山合作社 · 权限：发起和主持提案');
    const revoke: AuditEntry = { ...entry, action: 'revoke-device', details: { reason: 'lost', wipe: true } };
    expect(auditLine(en, revoke)).toBe('Device disconnected · 西山合作社 · reason: lost · erase at next contact');
    const invite: AuditEntry = { ...entry, action: 'invite', details: { invitationId: 'inv-1', orgId: 'org-1', role: 'steward', newOrganization: true } };
    expect(auditLine(zh, invite)).toBe('发出邀请 · 西山合作社 · 角色：骨干伙伴 · 新机构');
  });

  it('keeps the last lists per network, and reads a damaged copy as none', () => {
    const store = memoryStore();
    writeAdminCache(store, 'net', 'orgs', { at: 10, value: [org()] });
    expect(readAdminCache(store, 'net').orgs?.value[0]?.name).toBe('西山合作社');
    expect(readAdminCache(store, 'other')).toEqual({});
    store.setItem('fieldwise.adminCache.net', '{"orgs": 1');
    expect(readAdminCache(store, 'net')).toEqual({});
  });
});

describe('a device the secretariat disconnected', () => {
  it('tells wiped from revoked from the hub\'s answer, with the reason', () => {
    expect(standingOfAnswer(401, JSON.stringify({ error: { code: 'device-wiped', message: 'm', reason: 'laptop stolen', revokedAt: 7 } }))).toEqual({ kind: 'wiped', reason: 'laptop stolen', revokedAt: 7 });
    expect(standingOfAnswer(401, JSON.stringify({ error: { code: 'token-revoked', message: 'm' } }))).toEqual({ kind: 'revoked', reason: null, revokedAt: null });
    expect(standingOfAnswer(401, JSON.stringify({ error: { code: 'token-expired', message: 'm' } }))).toEqual({ kind: 'ok' });
    expect(standingOfAnswer(200, '{}')).toEqual({ kind: 'ok' });
    expect(standingOfAnswer(401, '<html>')).toEqual({ kind: 'ok' });
  });

  it('asks the hub only when sync stopped on a refused credential', () => {
    const status = { pendingCount: 0, quarantinedCount: 0, isLive: false, lastSyncedAt: null, unreachableSince: null };
    expect(isCredentialRefused({ kind: 'engine', status: { ...status, state: 'error', reason: '', code: 'token-revoked', nextRetryAt: null } })).toBe(true);
    expect(isCredentialRefused({ kind: 'engine', status: { ...status, state: 'error', reason: '', code: 'rate-limited', nextRetryAt: 5 } })).toBe(false);
    expect(isCredentialRefused({ kind: 'engine', status: { ...status, state: 'synced', at: 1 } })).toBe(false);
    expect(isCredentialRefused({ kind: 'locked', pendingCount: 0 })).toBe(false);
  });

  it('keeps the wipe notice across the erase', () => {
    const store = memoryStore();
    saveWipeNotice(store, { networkName: 'N', reason: 'r', revokedAt: 1, erasedAt: 2 });
    expect(readWipeNotice(store)).toEqual({ networkName: 'N', reason: 'r', revokedAt: 1, erasedAt: 2 });
  });
});

describe('the region tree', () => {
  const tree: RegionNode[] = [
    { id: 'yn', parentId: null, level: 'province', names: { zh: '云南省', en: 'Yunnan' } },
    { id: 'yn-dl', parentId: 'yn', level: 'prefecture', names: { zh: '大理州', en: 'Dali' } },
    { id: 'yn-dl-ey', parentId: 'yn-dl', level: 'county', names: { zh: '洱源县', en: 'Eryuan' } },
  ];

  it('offers every node with its path in the reader\'s language and stores the zh path', () => {
    const options = regionOptions(tree, 'en');
    expect(options.map((o) => o.label)).toEqual(['Yunnan', 'Yunnan / Dali', 'Yunnan / Dali / Eryuan']);
    expect(options[2]!.path).toEqual(['云南省', '大理州', '洱源县']);
    expect(regionOptions(tree, 'zh-CN')[1]!.label).toBe('云南省 / 大理州');
  });

  it('reads "Yunnan / Dali" written before the tree as the same region as 云南省 / 大理州', () => {
    const options = regionOptions(tree, 'zh-CN');
    expect(optionOfPath(options, tree, ['Yunnan', 'Dali'])?.id).toBe('yn-dl');
    expect(optionOfPath(options, tree, ['云南省', '大理州'])?.id).toBe('yn-dl');
    expect(optionOfPath(options, tree, ['Guizhou'])).toBeNull();
  });

  it('finds what the hub would refuse: a repeated id, a missing parent, a cycle, a level out of order', () => {
    expect(regionTreeProblems(tree)).toEqual([]);
    expect(regionTreeProblems([...tree, tree[0]!]).map((p) => p.kind)).toContain('duplicate-id');
    expect(regionTreeProblems([{ ...tree[1]!, parentId: 'nowhere' }]).map((p) => p.kind)).toEqual(['missing-parent']);
    const cycle: RegionNode[] = [
      { id: 'a', parentId: 'b', level: 'county', names: { zh: 'a', en: 'a' } },
      { id: 'b', parentId: 'a', level: 'township', names: { zh: 'b', en: 'b' } },
    ];
    expect(regionTreeProblems(cycle).map((p) => p.kind)).toContain('cycle');
    expect(regionTreeProblems([tree[0]!, { ...tree[1]!, level: 'province' }]).map((p) => p.kind)).toEqual(['level-not-below-parent']);
    expect(regionOptions(cycle, 'en')).toEqual([]);
    expect(childLevel('county')).toBe('township');
    expect(childLevel('township')).toBeNull();
  });
});

describe('the invitation letter', () => {
  it('escapes every name and carries the link, the code, the address and the QR code', () => {
    const html = invitationLetterHtml(zh, { networkName: '滇西<script>', secretariatName: '秘书处', orgName: 'A & B', roleLabel: '成员', link: 'https://hub.example.org/#invitation=FW-AAAA-BBBB', code: 'FW-AAAA-BBBB', hubUrl: 'https://hub.example.org', expiresAt: Date.UTC(2027, 0, 15), language: 'zh-CN' });
    expect(html).not.toContain('<script>');
    expect(html).toContain('滇西&#60;script&#62;');
    expect(html).toContain('A &#38; B');
    expect(html).toContain('https://hub.example.org/#invitation=FW-AAAA-BBBB');
    expect(html).toContain('<svg');
    expect(html).toContain('加入步骤');
    expect(html).toContain('2027');
  });
});
