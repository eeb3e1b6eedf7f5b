import { toBase64UrlEncoded } from 'lib0/buffer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { newSigningKey, signerFor, streamCompression, writeBundle, type BundleRecord } from '../../shared/sync/bundle';
import { joinResponseSchema } from '../../shared/sync/protocol';
import { waitFor } from '../support/syncedClient';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { errorBodySchema, type ErrorCode, type JoinResponse } from '../../shared/sync/protocol';
import { manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer, type PushedRecord } from '../support/hubRequests';

/*
 * Per-organization quotas (server/hub/quotas.ts) through real HTTP on a real hub: new records per
 * minute (429 quota-records with Retry-After) and stored bytes (413 quota-bytes). Each refusal
 * writes nothing and leaves other organizations served. The hub's clock is moved by hand, so the
 * minute passes without waiting for it.
 */

const entryInput: EntryInput = { kind: 'practice', title: 'Straw mulch', language: 'en' };
let counter = 0;
const compression = streamCompression(CompressionStream, DecompressionStream);

/** A device that joined with a signing key, and a bundle of new records it signed, as the app writes one. */
async function fieldDevice(target: TestHub, orgName: string) {
  const key = newSigningKey();
  const response = await fetch(`${target.url}/v1/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: await target.invite(orgName), deviceName: 'field laptop', devicePublicKey: toBase64UrlEncoded(key.publicKey) }),
  });
  const join = joinResponseSchema.parse(await response.json());
  const bundleOf = (records: readonly PushedRecord[]) =>
    writeBundle(
      { networkId: join.networkId, orgId: join.org.id, kind: 'field-to-hub', deviceId: join.deviceId, credentialId: join.credentialId, createdAt: Date.now(), fromSeq: 0, toSeq: 0 },
      records.map((record): BundleRecord => ({ id: record.id, type: 'entry', ownerOrg: join.org.id, createdAt: 0, seq: 0, isFullState: true, update: record.update })),
      signerFor(key.secretKey),
      compression,
    );
  return { join, bundleOf };
}

const postBundle = (target: TestHub, token: string, bytes: Uint8Array) =>
  fetch(`${target.url}/v1/bundles`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes) }).then(async (response) => ({
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as unknown,
  }));

function newEntries(who: JoinResponse, count: number, input: EntryInput = entryInput): PushedRecord[] {
  return Array.from({ length: count }, () => ({ id: `entry-quota-${++counter}`, type: 'entry', update: createUpdate('entry', input, editContext(who.org.id, 'member')) }));
}

async function expectRefused(hub: TestHub, send: () => Promise<HubAnswer>, status: number, code: ErrorCode): Promise<HubAnswer> {
  const lastSeq = await hub.storage.lastSeq();
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { error: { code } } });
  errorBodySchema.parse(answer.body);
  expect(await hub.storage.lastSeq(), 'nothing is written').toBe(lastSeq);
  return answer;
}

describe('quota on new records per minute', () => {
  let hub: TestHub;
  let clock: ManualClock;
  let alpha: JoinResponse;
  let beta: JoinResponse;

  beforeAll(async () => {
    clock = manualClock();
    hub = await startTestHub({ now: clock.now, quotas: { newRecordsPerMinute: 5 } });
    alpha = await hub.join(await hub.invite('Dali Rural Education Fund', 'member'));
    beta = await hub.join(await hub.invite('Heqing Water Users Association', 'member'));
  });

  afterAll(async () => {
    await hub?.close();
  });

  it('refuses an organization over its minute with 429 and Retry-After, and takes it once the minute has passed', async () => {
    const first = newEntries(alpha, 3);
    expect((await push(hub.url, alpha.token, first)).status).toBe(200);
    clock.advance(15_000);

    const second = newEntries(alpha, 3);
    const refused = await expectRefused(hub, () => push(hub.url, alpha.token, second), 429, 'quota-records');
    // The first of the minute's three must age out for three more to fit: 60 s after it, 45 s from now.
    expect(refused.headers.get('retry-after')).toBe('45');
    for (const record of second) expect(await hub.storage.getRecord(record.id)).toBeNull();

    // Another device of the same organization shares its quota.
    const alphaLaptop = await hub.join(await hub.inviteDevice(alpha.org.id), 'second laptop');
    await expectRefused(hub, () => push(hub.url, alphaLaptop.token, newEntries(alpha, 3)), 429, 'quota-records');

    // Another organization is not affected, nor are alpha's edits of records it already has.
    expect((await push(hub.url, beta.token, newEntries(beta, 5))).status).toBe(200);
    const stored = (await hub.storage.getRecord(first[0]!.id))!;
    const edit = changeUpdate(stored.state, (doc) => entryMutators.setBody.apply(doc, 'Cover the rows.', editContext(alpha.org.id, 'member')));
    expect((await push(hub.url, alpha.token, [{ id: first[0]!.id, type: 'entry', update: edit }])).status).toBe(200);

    clock.advance(45_000);
    expect((await push(hub.url, alpha.token, second)).status).toBe(200);
  });

  it('takes a batch larger than the limit when the organization created nothing in the last minute (a big field bundle)', async () => {
    clock.advance(61_000);
    expect((await push(hub.url, beta.token, newEntries(beta, 8))).status).toBe(200);
    const refused = await expectRefused(hub, () => push(hub.url, beta.token, newEntries(beta, 1)), 429, 'quota-records');
    expect(refused.headers.get('retry-after')).toBe('60');
  });

  it('does not limit the secretariat', async () => {
    const secretariat = await hub.join(hub.secretariatCode);
    const records = Array.from({ length: 7 }, () => ({ id: `entry-quota-${++counter}`, type: 'entry', update: createUpdate('entry', entryInput, editContext(secretariat.org.id, 'secretariat')) }));
    expect((await push(hub.url, secretariat.token, records)).status).toBe(200);
    expect((await push(hub.url, secretariat.token, records.map((record) => ({ ...record, id: `entry-quota-${++counter}` })))).status).toBe(200);
  });
});

describe('quota on stored bytes', () => {
  let hub: TestHub | undefined;

  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  /** A hub whose per-organization quota is `headroom` bytes above what one entry with a long body takes. */
  async function hubWithRoomForOneEntry(headroom: number) {
    const probe = createUpdate('entry', entryInput, editContext('org-probe', 'member'), (doc) => entryMutators.setBody.apply(doc, 'w'.repeat(4000), editContext('org-probe', 'member')));
    // A new record takes its state and its logged update, each about the update's size.
    hub = await startTestHub({ quotas: { storedBytes: 2 * probe.length + headroom } });
    const alpha = await hub.join(await hub.invite('Dali Rural Education Fund', 'member'));
    const beta = await hub.join(await hub.invite('Heqing Water Users Association', 'member'));
    const longEntry = (who: JoinResponse): PushedRecord => ({
      id: `entry-quota-${++counter}`,
      type: 'entry',
      update: createUpdate('entry', entryInput, editContext(who.org.id, 'member'), (doc) => entryMutators.setBody.apply(doc, 'w'.repeat(4000), editContext(who.org.id, 'member'))),
    });
    return { hub, alpha, beta, longEntry };
  }

  it('refuses a new record over the organization’s stored bytes with 413, writes nothing, and serves another organization', async () => {
    const { hub, alpha, beta, longEntry } = await hubWithRoomForOneEntry(500);
    expect((await push(hub.url, alpha.token, [longEntry(alpha)])).status).toBe(200);
    const usedBefore = await hub.storage.storedBytes(alpha.org.id);

    const over = longEntry(alpha);
    const refused = await expectRefused(hub, () => push(hub.url, alpha.token, [over]), 413, 'quota-bytes');
    expect(refused.body).toMatchObject({ error: { recordId: over.id } });
    expect(await hub.storage.getRecord(over.id)).toBeNull();
    expect(await hub.storage.storedBytes(alpha.org.id)).toBe(usedBefore);

    expect((await push(hub.url, beta.token, [longEntry(beta)])).status).toBe(200);
  });

  it('counts a grown record too, and never refuses a change that shrinks one', async () => {
    const { hub, alpha } = await hubWithRoomForOneEntry(500);
    const entry = { ...newEntries(alpha, 1)[0]!, update: createUpdate('entry', entryInput, editContext(alpha.org.id, 'member'), (doc) => entryMutators.setBody.apply(doc, 'w'.repeat(4000), editContext(alpha.org.id, 'member'))) };
    expect((await push(hub.url, alpha.token, [entry])).status).toBe(200);
    const ctx = editContext(alpha.org.id, 'member');

    let stored = (await hub.storage.getRecord(entry.id))!;
    const grow = changeUpdate(stored.state, (doc) => entryMutators.setBody.apply(doc, 'w'.repeat(4000) + 'x'.repeat(1000), ctx));
    await expectRefused(hub, () => push(hub.url, alpha.token, [{ id: entry.id, type: 'entry', update: grow }]), 413, 'quota-bytes');

    const shrink = changeUpdate(stored.state, (doc) => entryMutators.setBody.apply(doc, 'Cover the rows.', ctx));
    expect((await push(hub.url, alpha.token, [{ id: entry.id, type: 'entry', update: shrink }])).status).toBe(200);
    stored = (await hub.storage.getRecord(entry.id))!;
    expect(stored.projection).toMatchObject({ title: entryInput.title });
  });
});

describe('quotas under real use, and on every write path', () => {
  let hub: TestHub | undefined;

  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  it('takes a workshop bundle of 500 new entries and then a device back from weeks offline with 400, under the default quotas', async () => {
    hub = await startTestHub();
    const workshop = await fieldDevice(hub, 'Dali Rural Education Fund');
    const imported = await postBundle(hub, workshop.join.token, await workshop.bundleOf(newEntries(workshop.join, 500)));
    expect(imported.status).toBe(200);
    const offline = await hub.join(await hub.inviteDevice(workshop.join.org.id), 'laptop back from the field');
    expect((await push(hub.url, offline.token, newEntries(offline, 400))).status).toBe(200);
    expect(await hub.storage.recordsCreatedSince(workshop.join.org.id, 0)).toBe(900);
  });

  it('refuses a bundle that would take its organization over its stored bytes (413 quota-bytes), writing nothing', async () => {
    hub = await startTestHub({ quotas: { storedBytes: 50_000 } });
    const field = await fieldDevice(hub, 'Dali Rural Education Fund');
    const records = newEntries(field.join, 200);
    const lastSeq = await hub.storage.lastSeq();
    const usedBefore = await hub.storage.storedBytes(field.join.org.id);
    const refused = await postBundle(hub, field.join.token, await field.bundleOf(records));
    expect(refused).toMatchObject({ status: 413, body: { error: { code: 'quota-bytes' } } });
    expect(await hub.storage.lastSeq()).toBe(lastSeq);
    expect(await hub.storage.storedBytes(field.join.org.id)).toBe(usedBefore);
    for (const record of records.slice(0, 3)) expect(await hub.storage.getRecord(record.id)).toBeNull();
  });

  it('refuses a /yjs update that grows a record past its organization’s stored bytes, and commits the change once it shrinks the record', async () => {
    const probe = createUpdate('entry', entryInput, editContext('org-probe', 'member'), (doc) => entryMutators.setBody.apply(doc, 'w'.repeat(4000), editContext('org-probe', 'member')));
    hub = await startTestHub({ quotas: { storedBytes: 2 * probe.length + 500 } });
    const alpha = await hub.join(await hub.invite('Dali Rural Education Fund', 'member'));
    const ctx = editContext(alpha.org.id, 'member');
    const id = `entry-quota-${++counter}`;
    const created = createUpdate('entry', entryInput, ctx, (doc) => entryMutators.setBody.apply(doc, 'w'.repeat(4000), ctx));
    expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update: created }])).status).toBe(200);
    const seqBefore = (await hub.storage.getRecord(id))!.seq;

    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${hub.url.replace(/^http/, 'ws')}/yjs`, id, doc, {
      params: { token: alpha.token },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 100,
    });
    try {
      await waitFor(() => provider.synced, 5_000, 'the provider to sync');
      const testHub = hub;
      entryMutators.setBody.apply(doc, 'w'.repeat(4000) + 'x'.repeat(1000), ctx);
      await waitFor(() => testHub.logs.some((entry) => entry.code === 'quota-bytes'), 5_000, 'the hub to refuse the growing update');
      expect((await testHub.storage.getRecord(id))!.seq).toBe(seqBefore);

      // The refused update stays in the editor's doc (y-websocket sends an update once); a shorter
      // body leaves the whole change smaller than before, which a reconnect's sync step 2 sends.
      entryMutators.setBody.apply(doc, 'Cover the rows.', ctx);
      provider.disconnect();
      provider.connect();
      await waitFor(async () => (await testHub.storage.getRecord(id))!.seq > seqBefore, 5_000, 'the shrinking change to commit');
      expect((await testHub.storage.getRecord(id))!.projection).toMatchObject({ title: entryInput.title });
    } finally {
      provider.destroy();
      doc.destroy();
    }
  });
});
