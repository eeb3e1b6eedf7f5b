import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { openPostgresStorage } from '../../server/storage/postgresStorage';
import type { HubStorage } from '../../server/storage/hubStorage';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { NETWORK_RECORD_ID, type NetworkProjection } from '../../shared/records/network';
import type { EntryInput } from '../../shared/records/entry';
import type { CreatedInvitation, DeviceView, InvitationView, NetworkSettings, OrgView } from '../../shared/sync/adminProtocol';
import type { JoinResponse } from '../../shared/sync/protocol';
import { manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { createUpdate, editContext, pull, push, request, type HubAnswer } from '../support/hubRequests';

/*
 * The secretariat's administration through real HTTP on a real hub (docs/PROTOCOL.md,
 * "Administration"), on SQLite and, when FIELDWISE_TEST_DATABASE_URL names a database, PostgreSQL:
 * every endpoint in the role x action matrix, each refusal coded and writing nothing, revocation
 * and wipe as the revoked device meets them, and the join throttle.
 */

const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;
const pgSchemas: string[] = [];

interface Adapter {
  readonly name: string;
  open(dir: string): Promise<HubStorage>;
}

const adapters: Adapter[] = [
  { name: 'sqlite', open: async (dir) => openSqliteStorage(`${dir}/admin.sqlite`) },
  ...(databaseUrl
    ? [
        {
          name: 'postgres',
          open: async () => {
            const schema = `fw_admin_${process.pid}_${randomBytes(5).toString('hex')}`;
            pgSchemas.push(schema);
            return openPostgresStorage({ connectionString: databaseUrl, schema });
          },
        },
      ]
    : []),
];

afterAll(async () => {
  if (!databaseUrl || pgSchemas.length === 0) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of pgSchemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

const entryInput: EntryInput = { kind: 'practice', title: 'Straw mulch', language: 'en' };
let entryCounter = 0;

function call(hub: TestHub, method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<HubAnswer> {
  return request(hub.url, path, {
    method,
    ...(token !== undefined ? { token } : {}),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function expectRefusal(answer: HubAnswer, status: number, code: string): void {
  expect({ status: answer.status, code: (answer.body as { error?: { code?: string } }).error?.code }).toEqual({ status, code });
}

/** POST /v1/join from a chosen loopback source address (127.0.0.0/8 all reach the hub). */
function joinFrom(hub: TestHub, localAddress: string, code: string, deviceName = 'guessing laptop'): Promise<HubAnswer> {
  const url = new URL(`${hub.url}/v1/join`);
  const payload = JSON.stringify({ code, deviceName });
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), body: JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function networkRecord(hub: TestHub): Promise<NetworkProjection> {
  return (await hub.storage.getRecord(NETWORK_RECORD_ID))!.projection as unknown as NetworkProjection;
}

describe.each(adapters)('administration ($name)', (adapter) => {
  let hub: TestHub;
  let clock: ManualClock;
  let secretariat: JoinResponse;
  let member: JoinResponse;
  let steward: JoinResponse;
  let observer: JoinResponse;

  const admin = (method: string, path: string, body?: unknown) => call(hub, method, path, secretariat.token, body);

  async function invite(body: Record<string, unknown>): Promise<CreatedInvitation> {
    const answer = await admin('POST', '/v1/admin/invitations', body);
    expect(answer.status).toBe(200);
    return answer.body as CreatedInvitation;
  }

  async function joinNew(name: string, role: 'member' | 'steward' | 'observer'): Promise<JoinResponse> {
    return hub.join((await invite({ orgName: name, role })).code, `${name} laptop`);
  }

  async function orgs(): Promise<OrgView[]> {
    return ((await admin('GET', '/v1/admin/orgs')).body as { orgs: OrgView[] }).orgs;
  }

  async function auditCount(): Promise<number> {
    return (await hub.storage.listAudit({ limit: 10_000 })).length;
  }

  beforeEach(async () => {
    clock = manualClock(Date.now());
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/fw-admin-`);
    hub = await startTestHub({ storage: await adapter.open(dir), now: clock.now });
    secretariat = await hub.join(hub.secretariatCode, 'Secretariat desk');
    clock.advance(1);
    member = await joinNew('Xishan cooperative', 'member');
    clock.advance(1);
    steward = await joinNew('Dali Rural Education Fund', 'steward');
    clock.advance(1);
    observer = await joinNew('Provincial observer', 'observer');
  });
  afterEach(async () => {
    await hub.close();
  });

  describe('who may', () => {
    /** Every admin endpoint, with a body that the secretariat's call would accept. */
    const endpoints = (): { method: string; path: string; body?: unknown }[] => [
      { method: 'POST', path: '/v1/admin/invitations', body: { orgName: 'New org', role: 'member' } },
      { method: 'GET', path: '/v1/admin/invitations' },
      { method: 'POST', path: `/v1/admin/invitations/inv-${'0'.repeat(24)}/withdraw`, body: {} },
      { method: 'GET', path: '/v1/admin/orgs' },
      { method: 'POST', path: `/v1/admin/devices/${member.credentialId}/revoke`, body: { reason: 'lost', wipe: true } },
      { method: 'POST', path: `/v1/admin/orgs/${member.org.id}/revoke`, body: { reason: 'left', wipe: false } },
      { method: 'PUT', path: `/v1/admin/orgs/${member.org.id}/role`, body: { role: 'observer' } },
      { method: 'PUT', path: `/v1/admin/orgs/${steward.org.id}/steward-scopes`, body: { scopes: ['proposals'] } },
      { method: 'GET', path: '/v1/admin/settings' },
      { method: 'PUT', path: '/v1/admin/settings', body: { networkName: 'Renamed' } },
      { method: 'GET', path: '/v1/admin/audit' },
      { method: 'GET', path: '/v1/admin/audit?format=csv' },
    ];

    it('refuses every admin endpoint to members, stewards and observers (403 admin-only) and to no token (401), changing nothing', async () => {
      const before = { audit: await auditCount(), seq: await hub.storage.lastSeq(), orgs: await orgs(), invitations: await hub.storage.listInvitations() };
      for (const { method, path, body } of endpoints()) {
        for (const device of [member, steward, observer]) {
          const answer = await call(hub, method, path, device.token, body);
          expect({ method, path, role: device.role, status: answer.status, code: (answer.body as { error: { code: string } }).error.code }).toEqual({
            method,
            path,
            role: device.role,
            status: 403,
            code: 'admin-only',
          });
        }
        expectRefusal(await call(hub, method, path, undefined, body), 401, 'unauthorized');
      }
      expect(await auditCount()).toBe(before.audit);
      expect(await hub.storage.lastSeq()).toBe(before.seq);
      // Being heard from (last contact) is all a refused request changes.
      const withoutContact = (list: OrgView[]) => list.map(({ lastSeenAt: _org, devices, ...rest }) => ({ ...rest, devices: devices.map(({ lastSeenAt: _device, ...device }) => device) }));
      expect(withoutContact(await orgs())).toEqual(withoutContact(before.orgs));
      expect(await hub.storage.listInvitations()).toEqual(before.invitations);
    });

    it("answers the secretariat's every admin endpoint", async () => {
      const statuses: Record<string, number> = {};
      for (const { method, path, body } of endpoints()) {
        const answer = await call(hub, method, path, secretariat.token, body);
        statuses[`${method} ${path.replace(/(org|cred|inv)-[0-9a-f]+/g, '$1-…')}`] = answer.status;
      }
      expect(statuses).toEqual({
        'POST /v1/admin/invitations': 200,
        'GET /v1/admin/invitations': 200,
        // No such invitation: a coded refusal, but not admin-only.
        'POST /v1/admin/invitations/inv-…/withdraw': 404,
        'GET /v1/admin/orgs': 200,
        'POST /v1/admin/devices/cred-…/revoke': 200,
        // Revoking the organization after its device: it is revoked now with no device left standing.
        'POST /v1/admin/orgs/org-…/revoke': 200,
        // The organization was revoked just before.
        'PUT /v1/admin/orgs/org-…/role': 409,
        'PUT /v1/admin/orgs/org-…/steward-scopes': 200,
        'GET /v1/admin/settings': 200,
        'PUT /v1/admin/settings': 200,
        'GET /v1/admin/audit': 200,
        'GET /v1/admin/audit?format=csv': 200,
      });
    });
  });

  describe('invitations', () => {
    it('gives one link carrying hub address and code, which joins pasted whole; the list shows who used it', async () => {
      const created = await invite({ orgName: '西山合作社', role: 'member', expiresInDays: 3, hubAddress: 'https://hub.example.org/fieldwise' });
      expect(created.code).toMatch(/^FW(-[0-9A-Z]{4}){5}$/);
      expect(created.link).toBe(`https://hub.example.org/fieldwise/#invitation=${created.code}`);
      expect(created.invitation).toMatchObject({ orgName: '西山合作社', role: 'member', state: 'pending', expiresAt: clock.now() + 3 * 86_400_000, usedBy: null });
      const defaulted = await invite({ orgId: created.invitation.orgId });
      expect(defaulted.link).toBe(`${hub.url}/#invitation=${defaulted.code}`);

      const joined = await hub.join(created.link, 'Xishan office laptop');
      expect(joined.org).toEqual({ id: created.invitation.orgId, name: '西山合作社' });
      const listed = ((await admin('GET', '/v1/admin/invitations')).body as { invitations: InvitationView[] }).invitations;
      expect(listed.find((row) => row.id === created.invitation.id)).toMatchObject({
        state: 'used',
        usedAt: clock.now(),
        usedBy: { credentialId: joined.credentialId, deviceId: joined.deviceId, deviceName: 'Xishan office laptop' },
      });
      expect(listed.find((row) => row.id === defaulted.invitation.id)?.state).toBe('pending');
      // The code is never in the list or in the stored rows.
      expect(JSON.stringify(listed)).not.toContain(created.code.slice(3));
    });

    it('refuses a used, withdrawn or expired invitation with its own code, and withdrawing twice', async () => {
      const used = await invite({ orgName: 'Used org' });
      await hub.join(used.code);
      expectRefusal(await call(hub, 'POST', '/v1/join', undefined, { code: used.code, deviceName: 'second' }), 403, 'invitation-used');

      const withdrawn = await invite({ orgName: 'Withdrawn org' });
      const answer = await admin('POST', `/v1/admin/invitations/${withdrawn.invitation.id}/withdraw`);
      expect(answer.status).toBe(200);
      expect((answer.body as { invitation: InvitationView }).invitation).toMatchObject({ state: 'withdrawn', withdrawnAt: clock.now() });
      expectRefusal(await call(hub, 'POST', '/v1/join', undefined, { code: withdrawn.code, deviceName: 'x' }), 403, 'invitation-withdrawn');
      const audit = await auditCount();
      expectRefusal(await admin('POST', `/v1/admin/invitations/${withdrawn.invitation.id}/withdraw`, {}), 409, 'invitation-not-pending');
      expectRefusal(await admin('POST', `/v1/admin/invitations/${used.invitation.id}/withdraw`, {}), 409, 'invitation-not-pending');
      expect(await auditCount()).toBe(audit);

      const expiring = await invite({ orgName: 'Slow org', expiresInDays: 1 });
      clock.advance(86_400_000);
      expectRefusal(await call(hub, 'POST', '/v1/join', undefined, { code: expiring.code, deviceName: 'x' }), 403, 'invitation-expired');
      const listed = ((await admin('GET', '/v1/admin/invitations')).body as { invitations: InvitationView[] }).invitations;
      expect(listed.find((row) => row.id === expiring.invitation.id)?.state).toBe('expired');
      expectRefusal(await admin('POST', `/v1/admin/invitations/${expiring.invitation.id}/withdraw`, {}), 409, 'invitation-not-pending');

      expectRefusal(await call(hub, 'POST', '/v1/join', undefined, { code: 'FW-0000-0000-0000-0000-0000', deviceName: 'x' }), 403, 'invitation-invalid');
    });

    it('refuses bad invitation requests with bad-request and creates nothing', async () => {
      const before = { orgs: (await hub.storage.listOrgs()).length, invitations: (await hub.storage.listInvitations()).length, audit: await auditCount() };
      for (const body of [
        {},
        { orgName: 'A', orgId: member.org.id },
        { orgId: member.org.id, role: 'steward' },
        { orgName: 'A', role: 'secretariat' },
        { orgName: 'A', expiresInDays: 0 },
        { orgName: 'A', expiresInDays: 91 },
        { orgName: 'A', hubAddress: 'ftp://hub' },
        { orgName: 'A', hubAddress: 'https://hub.example.org/' },
        { orgName: '   ' },
        { orgName: 'A', extra: true },
      ]) {
        expectRefusal(await admin('POST', '/v1/admin/invitations', body), 400, 'bad-request');
      }
      expectRefusal(await admin('POST', '/v1/admin/invitations', { orgId: 'org-unknown' }), 404, 'not-found');
      expect({ orgs: (await hub.storage.listOrgs()).length, invitations: (await hub.storage.listInvitations()).length, audit: await auditCount() }).toEqual(before);
    });
  });

  describe('organizations and devices', () => {
    it('lists organizations with their devices, last contact and the app version they report', async () => {
      clock.advance(120_000);
      expect((await call(hub, 'GET', '/v1/network-status', member.token, undefined, { 'fieldwise-app-version': '0.9.3' })).status).toBe(200);
      const listed = await orgs();
      expect(listed.map((row) => [row.name, row.role])).toEqual([
        ['Test network secretariat', 'secretariat'],
        ['Xishan cooperative', 'member'],
        ['Dali Rural Education Fund', 'steward'],
        ['Provincial observer', 'observer'],
      ]);
      const xishan = listed[1]!;
      expect(xishan.lastSeenAt).toBe(clock.now());
      expect(xishan.devices).toEqual([
        {
          credentialId: member.credentialId,
          deviceId: member.deviceId,
          deviceName: 'Xishan cooperative laptop',
          role: 'member',
          joinedAt: clock.now() - 120_002,
          lastSeenAt: clock.now(),
          appVersion: '0.9.3',
          revokedAt: null,
          revokeReason: null,
          wipe: false,
          isYou: false,
        } satisfies DeviceView,
      ]);
      expect(listed[0]!.devices[0]).toMatchObject({ credentialId: secretariat.credentialId, isYou: true });
    });

    it("refuses to revoke the secretariat's last device or its organization, or to change its role", async () => {
      const audit = await auditCount();
      expectRefusal(await admin('POST', `/v1/admin/devices/${secretariat.credentialId}/revoke`, { reason: 'oops' }), 409, 'secretariat-protected');
      expectRefusal(await admin('POST', `/v1/admin/orgs/${secretariat.org.id}/revoke`, { reason: 'oops' }), 409, 'secretariat-protected');
      expectRefusal(await admin('PUT', `/v1/admin/orgs/${secretariat.org.id}/role`, { role: 'member' }), 409, 'secretariat-protected');
      expectRefusal(await admin('PUT', `/v1/admin/orgs/${member.org.id}/role`, { role: 'secretariat' }), 409, 'secretariat-protected');
      expect(await auditCount()).toBe(audit);
      expect((await call(hub, 'GET', '/v1/admin/orgs', secretariat.token)).status).toBe(200);

      // With a second secretariat device, the first may go.
      const second = await hub.join((await invite({ orgId: secretariat.org.id })).code, 'Secretariat laptop');
      expect((await call(hub, 'POST', `/v1/admin/devices/${secretariat.credentialId}/revoke`, second.token, { reason: 'replaced' })).status).toBe(200);
      expectRefusal(await call(hub, 'POST', `/v1/admin/devices/${second.credentialId}/revoke`, second.token, { reason: 'oops' }), 409, 'secretariat-protected');
    });

    it('revokes an organization: every device, its pending invitations; a second time is already-revoked', async () => {
      const tablet = await hub.join((await invite({ orgId: member.org.id })).code, 'tablet');
      const pending = await invite({ orgId: member.org.id });
      const answer = await admin('POST', `/v1/admin/orgs/${member.org.id}/revoke`, { reason: 'left the network' });
      expect(answer.status).toBe(200);
      const revoked = (answer.body as { org: OrgView }).org;
      expect(revoked).toMatchObject({ revokedAt: clock.now(), revokeReason: 'left the network' });
      expect(revoked.devices.map((device) => [device.credentialId, device.revokedAt, device.wipe]).sort()).toEqual(
        [
          [member.credentialId, clock.now(), false],
          [tablet.credentialId, clock.now(), false],
        ].sort(),
      );
      expectRefusal(await call(hub, 'POST', '/v1/join', undefined, { code: pending.code, deviceName: 'x' }), 403, 'invitation-withdrawn');
      expectRefusal(await admin('POST', `/v1/admin/orgs/${member.org.id}/revoke`, { reason: 'again' }), 409, 'already-revoked');
      expectRefusal(await admin('POST', '/v1/admin/invitations', { orgId: member.org.id }), 409, 'org-revoked');
      expectRefusal(await admin('POST', `/v1/admin/devices/${member.credentialId}/revoke`, { reason: 'again' }), 409, 'already-revoked');
      // The other organizations keep working.
      expect((await pull(hub.url, steward.token, 0)).status).toBe(200);
    });

    it("changes an organization's role for its devices from their next request, and in the network record", async () => {
      const answer = await admin('PUT', `/v1/admin/orgs/${member.org.id}/role`, { role: 'observer' });
      expect((answer.body as { org: OrgView }).org).toMatchObject({ role: 'observer' });
      expect((await networkRecord(hub)).members.find((m) => m.orgId === member.org.id)?.role).toBe('observer');
      // An observer may not create an entry: the role in force is the stored one, not the token's.
      const refused = await push(hub.url, member.token, [{ id: `entry-admin-${++entryCounter}`, type: 'entry', update: createUpdate('entry', entryInput, editContext(member.org.id, 'member')) }]);
      expectRefusal(refused, 403, 'forbidden');
    });
  });

  describe('steward scopes', () => {
    it('grants and withdraws scopes in the network record; refuses unknown scopes and non-stewards', async () => {
      const granted = await admin('PUT', `/v1/admin/orgs/${steward.org.id}/steward-scopes`, { scopes: ['review', 'proposals'] });
      expect((granted.body as { org: OrgView }).org.stewardScopes).toEqual(['proposals', 'review']);
      expect((await networkRecord(hub)).stewardGrants).toEqual([{ orgId: steward.org.id, scopes: ['proposals', 'review'] }]);

      const audit = await auditCount();
      const seq = await hub.storage.lastSeq();
      expectRefusal(await admin('PUT', `/v1/admin/orgs/${steward.org.id}/steward-scopes`, { scopes: ['proposals', 'everything'] }), 400, 'unknown-scope');
      expectRefusal(await admin('PUT', `/v1/admin/orgs/${member.org.id}/steward-scopes`, { scopes: ['proposals'] }), 409, 'not-steward');
      expectRefusal(await admin('PUT', `/v1/admin/orgs/org-unknown/steward-scopes`, { scopes: ['proposals'] }), 404, 'not-found');
      expectRefusal(await admin('PUT', `/v1/admin/orgs/${steward.org.id}/steward-scopes`, { scopes: ['offers', 'offers'] }), 400, 'bad-request');
      expect({ audit: await auditCount(), seq: await hub.storage.lastSeq() }).toEqual({ audit, seq });

      await admin('PUT', `/v1/admin/orgs/${steward.org.id}/steward-scopes`, { scopes: [] });
      expect((await networkRecord(hub)).stewardGrants).toEqual([]);
    });
  });

  describe('network settings', () => {
    const yunnan = [
      { id: 'yn', parentId: null, level: 'province', names: { zh: '云南省', en: 'Yunnan' } },
      { id: 'yn-dl', parentId: 'yn', level: 'prefecture', names: { zh: '大理州', en: 'Dali' } },
      { id: 'yn-dl-ey', parentId: 'yn-dl', level: 'county', names: { zh: '洱源县', en: 'Eryuan' } },
    ];

    it('writes names, topics and the region tree to the network record and the secretariat profile', async () => {
      const answer = await admin('PUT', '/v1/admin/settings', { networkName: '滇西农业网络', secretariatName: '滇西农业网络秘书处', topics: ['seed saving', 'water'], regions: yunnan });
      expect(answer.status).toBe(200);
      expect((answer.body as { settings: NetworkSettings }).settings).toMatchObject({ networkName: '滇西农业网络', secretariatName: '滇西农业网络秘书处', topics: ['seed saving', 'water'], regions: yunnan });
      const record = await networkRecord(hub);
      expect(record).toMatchObject({ name: '滇西农业网络', regionTree: yunnan, regions: [['云南省'], ['云南省', '大理州'], ['云南省', '大理州', '洱源县']] });
      expect(record.members.find((m) => m.orgId === secretariat.org.id)?.name).toBe('滇西农业网络秘书处');
      expect((await hub.storage.getRecord(secretariat.org.id))?.projection).toMatchObject({ name: '滇西农业网络秘书处' });
      expect((await hub.storage.getOrg(secretariat.org.id))?.name).toBe('滇西农业网络秘书处');
      // Members pull it like any change.
      const pulled = await pull(hub.url, member.token, 0);
      expect(pulled.records.some((r) => r.meta.id === NETWORK_RECORD_ID)).toBe(true);
    });

    it('refuses a region tree with a cycle, a duplicate id, an unknown parent or a child above its parent, writing nothing', async () => {
      const before = { seq: await hub.storage.lastSeq(), audit: await auditCount() };
      const trees = [
        [
          { id: 'a', parentId: 'b', level: 'province', names: { zh: '甲', en: 'A' } },
          { id: 'b', parentId: 'a', level: 'prefecture', names: { zh: '乙', en: 'B' } },
        ],
        [yunnan[0], { ...yunnan[1], id: 'yn' }],
        [yunnan[0], { ...yunnan[1], parentId: 'nowhere' }],
        [yunnan[0], { ...yunnan[1], level: 'province' }],
      ];
      for (const regions of trees) expectRefusal(await admin('PUT', '/v1/admin/settings', { networkName: 'Should not be written', regions }), 400, 'bad-region-tree');
      expectRefusal(await admin('PUT', '/v1/admin/settings', { regions: [{ ...yunnan[0], level: 'village' }] }), 400, 'bad-request');
      expect({ seq: await hub.storage.lastSeq(), audit: await auditCount() }).toEqual(before);
      expect((await networkRecord(hub)).name).toBe('Test network');
    });
  });

  describe('revoked and wiped devices', () => {
    it('tells a wiped device to erase, with the reason, on push and pull, and accepts none of its unsent changes', async () => {
      const id = `entry-admin-${++entryCounter}`;
      const answer = await admin('POST', `/v1/admin/devices/${member.credentialId}/revoke`, { reason: 'laptop stolen', wipe: true });
      expect((answer.body as { device: DeviceView }).device).toMatchObject({ revokedAt: clock.now(), revokeReason: 'laptop stolen', wipe: true });
      const pushed = await push(hub.url, member.token, [{ id, type: 'entry', update: createUpdate('entry', entryInput, editContext(member.org.id, 'member')) }]);
      expect(pushed.status).toBe(401);
      expect(pushed.body).toEqual({ error: { code: 'device-wiped', message: expect.any(String), reason: 'laptop stolen', revokedAt: clock.now() } });
      expect(await hub.storage.getRecord(id)).toBeNull();
      const pulled = await pull(hub.url, member.token, 0);
      expect(pulled.status).toBe(401);
      expect(pulled.error).toMatchObject({ error: { code: 'device-wiped', reason: 'laptop stolen' } });
    });

    it('tells a device revoked without wipe that it was disconnected, and may later mark it for wipe', async () => {
      await admin('POST', `/v1/admin/devices/${member.credentialId}/revoke`, { reason: 'moved to another office' });
      const pulled = await pull(hub.url, member.token, 0);
      expect(pulled.error).toEqual({ error: { code: 'token-revoked', message: expect.any(String), reason: 'moved to another office', revokedAt: clock.now() } });
      expectRefusal(await admin('POST', `/v1/admin/devices/${member.credentialId}/revoke`, { reason: 'again' }), 409, 'already-revoked');
      expect((await admin('POST', `/v1/admin/devices/${member.credentialId}/revoke`, { reason: 'found stolen', wipe: true })).status).toBe(200);
      expect((await pull(hub.url, member.token, 0)).error).toMatchObject({ error: { code: 'device-wiped', reason: 'found stolen' } });
      expectRefusal(await admin('POST', `/v1/admin/devices/${member.credentialId}/revoke`, { reason: 'again', wipe: true }), 409, 'already-revoked');
    });

    it("closes a revoked device's live and /yjs sockets while its organization's other device keeps working", async () => {
      const tablet = await hub.join((await invite({ orgId: member.org.id })).code, 'tablet');
      const live = new WebSocket(`${hub.url.replace('http', 'ws')}/v1/live`);
      const liveReady = new Promise<void>((resolve) => live.once('message', () => resolve()));
      live.once('open', () => live.send(JSON.stringify({ type: 'hello', token: member.token })));
      await liveReady;
      const yjs = new WebSocket(`${hub.url.replace('http', 'ws')}/yjs/${NETWORK_RECORD_ID}?token=${encodeURIComponent(member.token)}`);
      await new Promise<void>((resolve) => yjs.once('message', () => resolve()));
      const closed = (socket: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
      const liveClosed = closed(live);
      const yjsClosed = closed(yjs);

      // The serving hub looks for revocations by the real clock; this hub's clock is a test's.
      clock.set(Date.now());
      expect((await admin('POST', `/v1/admin/devices/${member.credentialId}/revoke`, { reason: 'lost', wipe: true })).status).toBe(200);
      expect(await liveClosed).toEqual({ code: 4403, reason: 'token-revoked' });
      expect(await yjsClosed).toEqual({ code: 4403, reason: 'token-revoked' });
      expect((await pull(hub.url, tablet.token, 0)).status).toBe(200);
    });
  });

  describe('audit log', () => {
    it('lists every act with who, when and what, pages newest first, and exports CSV safe for spreadsheets', async () => {
      const created = await invite({ orgName: '=HYPERLINK("http://evil")', role: 'member' });
      await admin('POST', `/v1/admin/invitations/${created.invitation.id}/withdraw`);
      await admin('PUT', `/v1/admin/orgs/${steward.org.id}/steward-scopes`, { scopes: ['offers'] });
      const page = (await admin('GET', '/v1/admin/audit?limit=2')).body as { entries: { id: number; action: string; actor: unknown; target: unknown; details: unknown }[]; nextBefore: number };
      expect(page.entries.map((entry) => entry.action)).toEqual(['set-steward-scopes', 'withdraw-invitation']);
      expect(page.entries[0]).toMatchObject({
        actor: { orgId: secretariat.org.id, credentialId: secretariat.credentialId, deviceName: 'Secretariat desk' },
        target: { kind: 'org', id: steward.org.id, name: 'Dali Rural Education Fund' },
        details: { scopes: ['offers'] },
      });
      const rest = (await admin('GET', `/v1/admin/audit?before=${page.nextBefore}`)).body as { entries: { action: string; actor: { deviceName: string } }[]; nextBefore: number | null };
      expect(rest.nextBefore).toBeNull();
      expect(rest.entries.map((entry) => entry.action)).toEqual(['invite', 'join', 'invite', 'join', 'invite', 'join', 'invite', 'join', 'invite', 'init']);
      expect(rest.entries.at(-1)?.actor.deviceName).toBe('hub command line');
      expectRefusal(await admin('GET', '/v1/admin/audit?limit=0'), 400, 'bad-request');

      const csv = await fetch(`${hub.url}/v1/admin/audit?format=csv`, { headers: { authorization: `Bearer ${secretariat.token}` } });
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await csv.arrayBuffer());
      expect(text.startsWith('\ufeffid,at,action,actorOrgId,actorDeviceName,targetKind,targetId,targetName,details\r\n')).toBe(true);
      expect(text.split('\r\n').filter(Boolean)).toHaveLength(13);
      expect(text).toContain(`,"'=HYPERLINK(""http://evil"")",`);
      expect(text).not.toContain(created.code);
    });
  });

  describe('brute force of invitation codes', () => {
    it('stops a source address after 10 failed joins, even with a right code, while another address still joins', async () => {
      const right = await invite({ orgName: 'Patient org' });
      for (let i = 0; i < 10; i++) expectRefusal(await joinFrom(hub, '127.0.0.21', `FW-${randomBytes(10).toString('hex').toUpperCase().slice(0, 20)}`), 403, 'invitation-invalid');
      const throttled = await joinFrom(hub, '127.0.0.21', right.code);
      expectRefusal(throttled, 429, 'rate-limited');
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await hub.storage.getInvitation({ codeHash: (await hub.storage.listInvitations()).find((row) => row.id === right.invitation.id)!.codeHash }))?.usedAt).toBeNull();
      expect((await joinFrom(hub, '127.0.0.22', right.code)).status).toBe(200);
    });

    it('stops a code prefix after 10 failed joins from as many addresses, leaving other prefixes alone', async () => {
      const right = await invite({ orgName: 'Targeted org' });
      const other = await invite({ orgName: 'Other org' });
      const prefix = right.code.slice(0, 8);
      if (other.code.slice(0, 8) === prefix) return expect.fail('two invitations share a code prefix; rerun');
      for (let i = 0; i < 10; i++) expectRefusal(await joinFrom(hub, `127.0.0.${30 + i}`, `${prefix}-ZZZZ-ZZZZ-ZZZZ-ZZZ${i % 10}`), 403, 'invitation-invalid');
      expectRefusal(await joinFrom(hub, '127.0.0.50', right.code), 429, 'rate-limited');
      expect((await joinFrom(hub, '127.0.0.50', other.code)).status).toBe(200);
      // The window ends: the right code joins.
      clock.advance(15 * 60_000);
      expect((await joinFrom(hub, '127.0.0.51', right.code)).status).toBe(200);
    });
  });
});
