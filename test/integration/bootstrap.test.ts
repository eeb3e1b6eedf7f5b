// Bootstraps (docs/PROTOCOL.md, Bootstrap) over real HTTP on a real hub (loopback, port 0), on
// SQLite and (given FIELDWISE_TEST_DATABASE_URL) PostgreSQL: a new device that takes one ends
// with exactly the records an old client gets from the plain pull; the bootstrap of one read scope
// is never served to another; one whose record was withdrawn after its checkpoint is not served;
// a bootstrap that does not decode is refused by the decoder and set aside by the client.
import { randomBytes } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { scopeKeyOf } from '../../server/hub/bootstraps';
import type { HubStorage } from '../../server/storage/hubStorage';
import { openPostgresStorage } from '../../server/storage/postgresStorage';
import { entryMutators } from '../../shared/records/entry';
import type { InputTypes } from '../../shared/records/registry';
import { recordTypes, type Role } from '../../shared/records/recordType';
import { BOOTSTRAP_COMPLETE_HEADER, BOOTSTRAP_CONTENT_TYPE, BOOTSTRAP_PAGE_RECORDS, decodeBootstrap, encodeBootstrap, indexBootstrap } from '../../shared/sync/bootstrap';
import { createHttpTransport, type FetchPort } from '../../shared/sync/httpTransport';
import { PULL_CONTENT_TYPE, PullFrameReader, ProtocolError, type JoinResponse } from '../../shared/sync/protocol';
import { SyncEngine } from '../../shared/sync/syncEngine';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import { memoryStorage } from '../../shared/store/memoryStorage';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';
import { systemClock, waitFor } from '../support/syncedClient';
import WebSocket from 'ws';

const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const entryInput = (title: string, sharing: 'private' | 'network'): InputTypes['entry'] => ({
  kind: 'practice',
  title,
  summary: `${title}: what the village tried, and what came of it.`,
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Fengyu village', consent: 'community-approved' },
  sharing,
});

const newId = () => `entry-${randomBytes(12).toString('hex')}`;

interface Org {
  readonly join: JoinResponse;
  readonly networkIds: string[];
  readonly privateIds: string[];
  /** The last state of each record this organization pushed. */
  readonly states: Map<string, Uint8Array>;
}

/** An organization with a device, `count` network entries and one private draft, pushed over HTTP. */
async function orgWithEntries(hub: TestHub, name: string, count: number): Promise<Org> {
  const join = await hub.join(await hub.invite(name));
  const ctx = editContext(join.org.id, 'member');
  const networkIds = Array.from({ length: count }, newId);
  const privateIds = [newId()];
  const states = new Map<string, Uint8Array>();
  const records = [...networkIds.map((id, i) => ({ id, sharing: 'network' as const, title: `${name} note ${i}` })), ...privateIds.map((id) => ({ id, sharing: 'private' as const, title: `${name} private draft` }))].map(({ id, sharing, title }) => {
    const update = createUpdate('entry', entryInput(title, sharing), ctx);
    states.set(id, update);
    return { id, type: 'entry', update };
  });
  expect((await push(hub.url, join.token, records)).status).toBe(200);
  return { join, networkIds, privateIds, states };
}

/** Fetch that records the content type of each pull answer; `isOldClient` takes the Accept of a client before bootstraps. */
function recordingFetch(types: string[], isOldClient = false): FetchPort {
  return async (url, init) => {
    const headers = isOldClient && url.includes('/v1/pull') ? { ...init.headers, accept: PULL_CONTENT_TYPE } : init.headers;
    const response = await fetch(url, { ...init, headers });
    if (url.includes('/v1/pull')) types.push(response.headers.get('content-type') ?? '');
    return response;
  };
}

/** A fresh device's client, synced once through the real engine; closed after the test file. */
async function freshDevice(hub: TestHub, join: JoinResponse, fetchPort: FetchPort): Promise<FieldwiseClient> {
  const client = await openClient({ storage: memoryStorage(), name: `bootstrap-${randomBytes(4).toString('hex')}`, identity: { orgId: join.org.id, deviceId: join.deviceId, role: join.role as Role } });
  const engine = new SyncEngine(client, createHttpTransport({ baseUrl: hub.url, token: join.token, fetch: fetchPort, WebSocket }), systemClock);
  void engine.start();
  await waitFor(() => engine.status.state === 'synced', 20_000, 'a synced engine');
  await engine.stop();
  cleanups.push(() => client.close());
  return client;
}

/** Every record a client holds: header, index fields and its compacted state. */
async function holdings(client: FieldwiseClient): Promise<Map<string, unknown>> {
  const all = new Map<string, unknown>();
  for (const type of recordTypes) {
    for (const row of await client.listRows({ type })) {
      const { updatedAt: _updatedAt, recency: _recency, ...rest } = row as unknown as Record<string, unknown>;
      all.set(row.id, rest);
    }
  }
  return all;
}

/** GET /v1/pull?since=0 as a client that takes bootstraps: the answer's type, whether complete, and the ids it carries. */
async function askBootstrap(hub: TestHub, token: string): Promise<{ type: string; isComplete: string | null; ids: string[] }> {
  const response = await fetch(`${hub.url}/v1/pull?since=0`, { headers: { authorization: `Bearer ${token}`, accept: `${BOOTSTRAP_CONTENT_TYPE}, ${PULL_CONTENT_TYPE}`, 'accept-encoding': 'br' } });
  expect(response.status).toBe(200);
  const type = response.headers.get('content-type') ?? '';
  const body = new Uint8Array(await response.arrayBuffer());
  if (type.startsWith(BOOTSTRAP_CONTENT_TYPE)) return { type, isComplete: response.headers.get(BOOTSTRAP_COMPLETE_HEADER), ids: decodeBootstrap(body).records.map((r) => r.meta.id) };
  const ids = new PullFrameReader().push(body).flatMap((frame) => (frame.kind === 'page' ? frame.records.map((r) => r.meta.id) : []));
  return { type, isComplete: null, ids };
}

const storages: { name: string; make?: () => Promise<HubStorage> }[] = [{ name: 'SQLite' }];
if (databaseUrl) {
  storages.push({
    name: 'PostgreSQL',
    make: async () => {
      const schema = `fw_bootstrap_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      cleanups.push(async () => {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      });
      return openPostgresStorage({ connectionString: databaseUrl, schema });
    },
  });
}

describe.each(storages)('bootstraps on $name', ({ make }) => {
  const start = async () => {
    const hub = await startTestHub({ ...(make ? { storage: await make() } : {}), bootstrap: { minRecords: 1 } });
    cleanups.push(() => hub.close());
    return hub;
  };

  it('a fresh device that takes the bootstrap ends with exactly the records of the plain pull, and the rest after its checkpoint', async () => {
    const hub = await start();
    const river = await orgWithEntries(hub, 'River cooperative', 12);
    await orgWithEntries(hub, 'Hill farmers', 8);
    const secretariat = await hub.join(hub.secretariatCode, 'secretariat laptop');
    const built = await hub.hub.bootstraps.prepare({ orgId: secretariat.org.id, role: 'secretariat' });
    expect(built?.records).toBeGreaterThan(20);
    // After the checkpoint: one more entry and an edit, which the new device pulls after the bootstrap.
    const late = newId();
    expect((await push(hub.url, river.join.token, [{ id: late, type: 'entry', update: createUpdate('entry', entryInput('Late note', 'network'), editContext(river.join.org.id, 'member')) }])).status).toBe(200);
    const edited = river.networkIds[0]!;
    const edit = changeUpdate((await hub.storage.getRecord(edited))!.state, (doc) => entryMutators.setFields.apply(doc, { title: 'Renamed after the bootstrap' }, editContext(river.join.org.id, 'member')));
    expect((await push(hub.url, river.join.token, [{ id: edited, type: 'entry', update: edit }])).status).toBe(200);

    const newTypes: string[] = [];
    const viaBootstrap = await holdings(await freshDevice(hub, secretariat, recordingFetch(newTypes)));
    const oldTypes: string[] = [];
    const viaPull = await holdings(await freshDevice(hub, secretariat, recordingFetch(oldTypes, true)));
    // The new device took the bootstrap, then the pull from its checkpoint; the old one the stream alone.
    expect(newTypes[0]).toContain(BOOTSTRAP_CONTENT_TYPE);
    expect(newTypes.slice(1).every((type) => type.startsWith(PULL_CONTENT_TYPE))).toBe(true);
    expect(newTypes.length).toBeGreaterThan(1);
    expect(oldTypes.every((type) => type.startsWith(PULL_CONTENT_TYPE))).toBe(true);
    expect(viaBootstrap.has(late)).toBe(true);
    expect(JSON.stringify(viaBootstrap.get(edited))).toContain('Renamed after the bootstrap');
    expect([...viaBootstrap.keys()].sort()).toEqual([...viaPull.keys()].sort());
    for (const [id, row] of viaPull) expect(viaBootstrap.get(id), id).toEqual(row);
  });

  it("one organization's bootstrap is never served to another, and each holds only what its scope may read", async () => {
    const hub = await start();
    const river = await orgWithEntries(hub, 'River cooperative', 6);
    const hill = await orgWithEntries(hub, 'Hill farmers', 5);
    const riverDevice = await hub.hub.authenticate(river.join.token);
    const hillDevice = await hub.hub.authenticate(hill.join.token);
    expect(scopeKeyOf(riverDevice)).not.toBe(scopeKeyOf(hillDevice));
    await hub.hub.bootstraps.prepare(riverDevice);
    // Hill's scope has none yet: the first ask gets the plain stream (and starts Hill's build), never River's bytes.
    const first = await askBootstrap(hub, hill.join.token);
    expect(first.type).toContain(PULL_CONTENT_TYPE);
    expect(first.ids).not.toContain(river.privateIds[0]);
    await hub.hub.bootstraps.prepare(hillDevice);
    const hillAnswer = await askBootstrap(hub, hill.join.token);
    const riverAnswer = await askBootstrap(hub, river.join.token);
    expect(hillAnswer.type).toContain(BOOTSTRAP_CONTENT_TYPE);
    expect(riverAnswer.type).toContain(BOOTSTRAP_CONTENT_TYPE);
    expect(hillAnswer.isComplete).toBe('1');
    // Each has its own private draft, never the other's; both have every network entry.
    expect(hillAnswer.ids).toContain(hill.privateIds[0]);
    expect(hillAnswer.ids).not.toContain(river.privateIds[0]);
    expect(riverAnswer.ids).toContain(river.privateIds[0]);
    expect(riverAnswer.ids).not.toContain(hill.privateIds[0]);
    for (const id of [...river.networkIds, ...hill.networkIds]) {
      expect(hillAnswer.ids).toContain(id);
      expect(riverAnswer.ids).toContain(id);
    }
    // And exactly what the plain pull gives each.
    expect(hillAnswer.ids.sort()).toEqual(first.ids.sort());
  });

  it('a bootstrap holding a record withdrawn after its checkpoint is not served; the next one leaves the record out', async () => {
    const hub = await start();
    const river = await orgWithEntries(hub, 'River cooperative', 4);
    const secretariat = await hub.join(hub.secretariatCode, 'secretariat laptop');
    const device = await hub.hub.authenticate(secretariat.token);
    const withdrawn = river.networkIds[1]!;
    const before = await hub.hub.bootstraps.prepare(device);
    expect(decodeBootstrapOf(before!.bytes).map((r) => r.meta.id)).toContain(withdrawn);
    // River makes the entry private again: the secretariat may no longer read it.
    const back = changeUpdate((await hub.storage.getRecord(withdrawn))!.state, (doc) => entryMutators.setSharing.apply(doc, 'private', editContext(river.join.org.id, 'member')));
    expect((await push(hub.url, river.join.token, [{ id: withdrawn, type: 'entry', update: back }])).status).toBe(200);
    const answer = await askBootstrap(hub, secretariat.token);
    expect(answer.type).toContain(PULL_CONTENT_TYPE);
    expect(answer.ids).not.toContain(withdrawn);
    // The one built since (the ask started it) leaves it out.
    const after = await hub.hub.bootstraps.prepare(device);
    expect(after!.checkpoint).toBeGreaterThan(before!.checkpoint);
    const again = await askBootstrap(hub, secretariat.token);
    expect(again.type).toContain(BOOTSTRAP_CONTENT_TYPE);
    expect(again.ids).not.toContain(withdrawn);
    expect(again.ids).toContain(river.networkIds[0]);
  });

  it('bad input: an old Accept, no brotli, or a checkpoint other than 0 get the plain stream; a malformed since is still refused', async () => {
    const hub = await start();
    const river = await orgWithEntries(hub, 'River cooperative', 3);
    await hub.hub.bootstraps.prepare(await hub.hub.authenticate(river.join.token));
    const ask = (query: string, headers: Record<string, string>) => fetch(`${hub.url}/v1/pull?${query}`, { headers: { authorization: `Bearer ${river.join.token}`, ...headers } });
    const both = `${BOOTSTRAP_CONTENT_TYPE}, ${PULL_CONTENT_TYPE}`;
    expect((await ask('since=0', { accept: both, 'accept-encoding': 'br' })).headers.get('content-type')).toContain(BOOTSTRAP_CONTENT_TYPE);
    expect((await ask('since=0', { accept: PULL_CONTENT_TYPE, 'accept-encoding': 'br' })).headers.get('content-type')).toContain(PULL_CONTENT_TYPE);
    expect((await ask('since=0', { accept: both, 'accept-encoding': 'gzip' })).headers.get('content-type')).toContain(PULL_CONTENT_TYPE);
    expect((await ask('since=1', { accept: both, 'accept-encoding': 'br' })).headers.get('content-type')).toContain(PULL_CONTENT_TYPE);
    expect((await ask('since=0&projections=1', { accept: both, 'accept-encoding': 'br' })).headers.get('content-type')).toContain(PULL_CONTENT_TYPE);
    // A media type that merely contains the bootstrap's name is not it.
    expect((await ask('since=0', { accept: `${BOOTSTRAP_CONTENT_TYPE}x`, 'accept-encoding': 'br' })).headers.get('content-type')).toContain(PULL_CONTENT_TYPE);
    expect((await ask('since=abc', { accept: both, 'accept-encoding': 'br' })).status).toBe(400);
    expect((await fetch(`${hub.url}/v1/pull?since=0`, { headers: { accept: both, 'accept-encoding': 'br' } })).status).toBe(401);
  });
});

const decodeBootstrapOf = (compressed: Uint8Array) => decodeBootstrap(new Uint8Array(brotliDecompressSync(compressed))).records;

describe('the bootstrap body', () => {
  const ctx = editContext('org-aaaaaaaaaaaaaaaaaaaaaaaa', 'member');
  const records = [0, 1, 2].map((i) => ({
    meta: { id: newId(), type: 'entry', ownerOrg: 'org-aaaaaaaaaaaaaaaaaaaaaaaa', createdAt: 1_700_000_000_000 + i, seq: 10 + i },
    update: createUpdate('entry', entryInput(`Note ${i}`, 'network'), ctx),
  }));
  const body = encodeBootstrap(12, [...records, { ...records[0]!, meta: { ...records[0]!.meta, id: 'network', seq: 12 } }]);

  it('decodes to the same records', () => {
    const decoded = decodeBootstrap(body);
    expect(decoded.checkpoint).toBe(12);
    expect(decoded.records.map((r) => r.meta)).toEqual([...records.map((r) => r.meta), { ...records[0]!.meta, id: 'network', seq: 12 }]);
  });

  it('refuses a cut, extended or altered body with a ProtocolError, never reading past its end', () => {
    for (const cut of [0, 1, 5, body.length >> 1, body.length - 1]) expect(() => decodeBootstrap(body.subarray(0, cut)), `cut at ${cut}`).toThrow(ProtocolError);
    expect(() => decodeBootstrap(new Uint8Array([...body, 0]))).toThrow(ProtocolError);
    const otherVersion = body.slice();
    otherVersion[0] = 2;
    expect(() => decodeBootstrap(otherVersion)).toThrow(ProtocolError);
    // A record count far beyond what the body holds.
    expect(() => decodeBootstrap(new Uint8Array([1, 12, 0xff, 0xff, 0xff, 0x7f]))).toThrow(ProtocolError);
    // Random bytes in place of the columns.
    const scrambled = body.slice();
    for (let i = body.length - 200; i < body.length; i++) scrambled[i] = (scrambled[i]! * 31 + 7) & 0xff;
    expect(() => decodeBootstrap(scrambled)).toThrow(ProtocolError);
  });

  it('a client handed a bootstrap whose last page does not decode keeps the pages before it and pulls the rest from there', async () => {
    const hub = await startTestHub({ bootstrap: { minRecords: 1 } });
    cleanups.push(() => hub.close());
    const river = await orgWithEntries(hub, 'River cooperative', 2 * BOOTSTRAP_PAGE_RECORDS + 20);
    await hub.hub.bootstraps.prepare(await hub.hub.authenticate(river.join.token));
    const pulls: string[] = [];
    // The bootstrap as served, its last record's columns scrambled: the structure still reads.
    const scrambledTail: FetchPort = async (url, init) => {
      const response = await fetch(url, init);
      if (url.includes('/v1/pull')) pulls.push(`${new URL(url).searchParams.get('since')} ${response.headers.get('content-type')}`);
      if (!(response.headers.get('content-type') ?? '').startsWith(BOOTSTRAP_CONTENT_TYPE)) return response;
      const body = new Uint8Array(await response.arrayBuffer());
      for (let i = body.length - 40; i < body.length; i++) body[i] = (body[i]! * 31 + 7) & 0xff;
      expect(() => indexBootstrap(body)).not.toThrow();
      return new Response(body, { status: 200, headers: response.headers });
    };
    const held = await holdings(await freshDevice(hub, river.join, scrambledTail));
    for (const id of [...river.networkIds, ...river.privateIds]) expect(held.has(id), id).toBe(true);
    // The bootstrap, then the plain pull from the last page that decoded (not from 0).
    expect(pulls).toHaveLength(2);
    expect(pulls[0]).toContain(BOOTSTRAP_CONTENT_TYPE);
    const since = Number(pulls[1]!.split(' ')[0]);
    expect(since).toBeGreaterThanOrEqual(2 * BOOTSTRAP_PAGE_RECORDS);
    expect(pulls[1]).toContain(PULL_CONTENT_TYPE);
  });

  it('a client set a bootstrap that does not decode aside and syncs through the plain pull from 0', async () => {
    const hub = await startTestHub({ bootstrap: { minRecords: 1 } });
    cleanups.push(() => hub.close());
    const river = await orgWithEntries(hub, 'River cooperative', 3);
    const types: string[] = [];
    const garbage: FetchPort = async (url, init) => {
      const response = await fetch(url, init);
      if (url.includes('/v1/pull')) types.push(response.headers.get('content-type') ?? '');
      if (!url.includes('/v1/pull?since=0') || !String(init.headers.accept).includes(BOOTSTRAP_CONTENT_TYPE)) return response;
      return new Response(new Uint8Array([1, 0, 3, 9, 9, 9]), { status: 200, headers: { 'content-type': BOOTSTRAP_CONTENT_TYPE, [BOOTSTRAP_COMPLETE_HEADER]: '1' } });
    };
    const held = await holdings(await freshDevice(hub, river.join, garbage));
    for (const id of [...river.networkIds, ...river.privateIds]) expect(held.has(id)).toBe(true);
    expect(types.length).toBe(2);
  });
});
