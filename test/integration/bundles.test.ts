import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBase64, toBase64UrlEncoded } from 'lib0/buffer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { FieldwiseClient } from '../../shared/client/client';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { recordTypeSchema } from '../../shared/records/recordType';
import { newSigningKey, readBundle, streamCompression, writeBundle, signerFor, type BundleRecord } from '../../shared/sync/bundle';
import { BundleImportError, exportFieldBundle, hubPublicKeyOf, importHubBundle } from '../../shared/sync/bundleTransfer';
import { joinResponseSchema, type JoinResponse } from '../../shared/sync/protocol';
import { syncStateOf } from '../../shared/sync/syncState';
import { exportOrgBundle } from '../../server/hub/bundles';
import { HubError } from '../../server/hub/hubError';
import { refusalStatus } from '../../server/http/refusalStatus';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, type SyncedClient } from '../support/syncedClient';

/*
 * Sync bundles end to end against a real hub (SQLite in a temporary folder, HTTP on loopback),
 * headless clients, and real files: field -> hub -> field gives what an online sync gives, a
 * bundle imported twice changes nothing, and every bad bundle is refused with nothing written.
 */

const compression = streamCompression(CompressionStream, DecompressionStream);

const practice: EntryInput = {
  kind: 'practice',
  title: 'Drip irrigation from recycled bottles',
  body: 'Fill the bottles every third day.',
  tags: ['water'],
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

interface FieldDevice extends SyncedClient {
  readonly secretKey: Uint8Array;
}

let hub: TestHub;
let folder: string;
const open: SyncedClient[] = [];

beforeEach(async () => {
  hub = await startTestHub();
  folder = mkdtempSync(join(tmpdir(), 'fieldwise-bundles-'));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((synced) => synced.close()));
  await hub.close();
  rmSync(folder, { recursive: true, force: true });
});

async function joinWithKey(target: TestHub, code: string, publicKey?: Uint8Array): Promise<JoinResponse> {
  const body = { code, deviceName: 'field laptop', ...(publicKey ? { devicePublicKey: toBase64UrlEncoded(publicKey) } : {}) };
  const response = await fetch(`${target.url}/v1/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBe(200);
  return joinResponseSchema.parse(await response.json());
}

async function fieldDevice(code: string, target: TestHub = hub): Promise<FieldDevice> {
  const key = newSigningKey();
  const synced = await syncedClient(target, await joinWithKey(target, code, key.publicKey), { engine: { isLive: false } });
  open.push(synced);
  return { ...synced, secretKey: key.secretKey };
}

async function onlineDevice(code: string): Promise<SyncedClient> {
  const synced = await syncedClient(hub, await hub.join(code), { engine: { isLive: false } });
  open.push(synced);
  return synced;
}

async function checkpointOf(client: FieldwiseClient): Promise<number> {
  return syncStateOf(client).checkpoint();
}

async function fieldBundle(device: FieldDevice, options: { isEverything?: boolean } = {}): Promise<Uint8Array> {
  const { bytes } = await exportFieldBundle(device.client, {
    networkId: device.join.networkId,
    credentialId: device.join.credentialId,
    secretKey: device.secretKey,
    compression,
    ...options,
  });
  // Through a real file, as on a USB stick.
  const file = join(folder, `field-${Date.now()}-${Math.random()}.fwbundle`);
  writeFileSync(file, bytes);
  return new Uint8Array(readFileSync(file));
}

/** Every record the client holds: projection and Yjs state vector, by id. */
async function snapshotOf(client: FieldwiseClient): Promise<Map<string, { projection: unknown; stateVector: string }>> {
  const result = new Map<string, { projection: unknown; stateVector: string }>();
  for (const type of recordTypeSchema.options) {
    for (const row of await client.listRows({ type })) {
      result.set(row.id, { projection: row.projection, stateVector: Buffer.from(Y.encodeStateVectorFromUpdate(fromBase64(row.state))).toString('hex') });
    }
  }
  return result;
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HubError) return { status: refusalStatus[error.code].status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('sync bundles: field -> hub -> field', () => {
  it('gives the field device what an online sync gives, and the next online sync fetches nothing again', async () => {
    const field = await fieldDevice(await hub.invite('Xishan Water Users'));
    const orgA = field.join.org.id;
    const peer = await onlineDevice(await hub.invite('Eryuan Seed Bank'));
    const secretariat = await onlineDevice(hub.secretariatCode);

    // Online once: the device learns the hub's key from the network record.
    await field.engine.syncNow();
    expect(await hubPublicKeyOf(field.client)).toEqual(new Uint8Array(Buffer.from(hub.hub.hubKey.publicKey, 'hex')));

    // Meanwhile others work online: a shared entry, and a private draft nobody else may read.
    const shared = await peer.client.create('entry', { ...practice, title: '三月种子交换会 Seed fair in March' });
    const draft = await peer.client.create('entry', { ...practice, title: 'Private notes', sharing: 'private' });
    await peer.engine.syncNow();

    // Offline for weeks: two entries, one edited twice.
    const first = await field.client.create('entry', { ...practice, title: '水窖清洗 Cistern cleaning' });
    await field.client.mutate(first, entryMutators.setFields, { title: '水窖清洗 Cistern cleaning, every spring' });
    const second = await field.client.create('entry', { ...practice, title: 'Goat vaccination calendar' });
    await field.client.flush();
    const pendingBefore = await field.client.pendingCount();

    const toHub = await fieldBundle(field);
    const seqBefore = await hub.storage.lastSeq();
    const imported = await hub.hub.importBundle(toHub);
    expect(imported.committedCount).toBe(2);
    expect(await hub.storage.lastSeq()).toBe(seqBefore + 2);
    expect((await hub.storage.getRecord(first))?.header.ownerOrg).toBe(orgA);
    expect((await hub.storage.getRecord(first))?.projection['title']).toBe('水窖清洗 Cistern cleaning, every spring');
    // The outbox stays until the hub acknowledges a push.
    expect(await field.client.pendingCount()).toBe(pendingBefore);

    // The secretariat reviews the new entry online.
    await secretariat.engine.syncNow();
    await secretariat.client.mutate(first, entryMutators.addReviewNote, 'Please add the cost per household.');
    await secretariat.engine.syncNow();

    // Another device of org A will sync online (invited now: an invitation changes the network record).
    const onlineCode = await hub.inviteDevice(orgA);

    // Back to the field: what org A may read and has not got, through a real file.
    const checkpoint = await checkpointOf(field.client);
    const { bytes, header } = await exportOrgBundle(hub.hub, { orgId: orgA, since: checkpoint, signer: hub.hub.hubKey });
    const file = join(folder, 'to-field.fwbundle');
    writeFileSync(file, bytes);
    const result = await importHubBundle(field.client, new Uint8Array(readFileSync(file)), {
      networkId: field.join.networkId,
      hubPublicKey: await hubPublicKeyOf(field.client),
      compression,
    });
    expect(result).toMatchObject({ checkpointBefore: checkpoint, checkpointAfter: header.toSeq });
    // The hub's bundle carries back the changes it imported from this device's bundle: they are
    // no longer counted as unsent (before, the device said "2 changes not sent" until online).
    expect(await field.client.pendingCount()).toBe(0);
    expect(header.toSeq).toBe(await hub.storage.lastSeq());
    expect(await field.client.get(draft)).toBeNull();
    expect((await field.client.get<'entry'>(first))?.projection.reviewNotes.map((note) => note.text)).toEqual(['Please add the cost per household.']);

    // Another device of org A that synced online holds exactly the same records and states.
    const online = await onlineDevice(onlineCode);
    await online.engine.syncNow();
    const viaBundles = await snapshotOf(field.client);
    const viaSync = await snapshotOf(online.client);
    expect([...viaBundles.keys()].sort()).toEqual([...viaSync.keys()].sort());
    expect([...viaBundles.keys()]).toEqual(expect.arrayContaining([first, second, shared]));
    for (const [id, record] of viaSync) expect(viaBundles.get(id), id).toEqual(record);
    for (const id of [first, second, shared]) expect(viaBundles.get(id)?.projection).toEqual((await hub.storage.getRecord(id))?.projection);

    // Online again: nothing is pushed again and the pull brings nothing again.
    const seqAfterBundles = await hub.storage.lastSeq();
    const logBefore = (await field.engine.log()).length;
    await field.engine.syncNow();
    expect(field.engine.status).toMatchObject({ state: 'synced', pendingCount: 0 });
    expect(await hub.storage.lastSeq()).toBe(seqAfterBundles);
    const newEvents = (await field.engine.log()).slice(logBefore);
    expect(newEvents.filter((event) => event.kind === 'pull')).toEqual([]);
    expect(newEvents.filter((event) => event.kind === 'push')).toEqual([]);
  });

  it('counts as unsent only the changes the hub has not got: a later edit of a bundled record stays in the outbox', async () => {
    const field = await fieldDevice(await hub.invite('Xishan Water Users'));
    await field.engine.syncNow();
    const bundled = await field.client.create('entry', { ...practice, title: 'Spring well survey' });
    const other = await field.client.create('entry', { ...practice, title: 'Seed list' });
    await field.client.flush();
    expect(await field.client.pendingCount()).toBe(2);
    const imported = await hub.hub.importBundle(await fieldBundle(field));
    expect(imported.committedCount).toBe(2);

    // Edited after the bundle left: the hub has not got this change.
    await field.client.mutate(bundled, entryMutators.setFields, { title: 'Spring well survey, with depths' });
    await field.client.flush();
    expect(await field.client.pendingCount()).toBe(3);

    const { bytes } = await exportOrgBundle(hub.hub, { orgId: field.join.org.id, since: await checkpointOf(field.client), signer: hub.hub.hubKey });
    await importHubBundle(field.client, bytes, { networkId: field.join.networkId, hubPublicKey: await hubPublicKeyOf(field.client), compression });
    const left = await field.client.pendingUpdates();
    expect(left.map((entry) => entry.header.id)).toEqual([bundled]);

    // Online, the one change left is pushed and the hub ends with the device's state.
    await field.engine.syncNow();
    expect(field.engine.status).toMatchObject({ state: 'synced', pendingCount: 0 });
    expect((await hub.storage.getRecord(bundled))?.projection['title']).toBe('Spring well survey, with depths');
    expect((await hub.storage.getRecord(other))?.projection['title']).toBe('Seed list');
  });

  it('keeps the checkpoint when a hub bundle starts after it, so the gap is still pulled later', async () => {
    const field = await fieldDevice(await hub.invite('Xishan Water Users'));
    const peer = await onlineDevice(await hub.invite('Eryuan Seed Bank'));
    await field.engine.syncNow();
    const checkpoint = await checkpointOf(field.client);
    const early = await peer.client.create('entry', { ...practice, title: 'Early' });
    await peer.engine.syncNow();
    const since = await hub.storage.lastSeq();
    const late = await peer.client.create('entry', { ...practice, title: 'Late' });
    await peer.engine.syncNow();

    const { bytes } = await exportOrgBundle(hub.hub, { orgId: field.join.org.id, since, signer: hub.hub.hubKey });
    const result = await importHubBundle(field.client, bytes, { networkId: field.join.networkId, hubPublicKey: await hubPublicKeyOf(field.client), compression });
    expect(result).toMatchObject({ recordCount: 1, checkpointBefore: checkpoint, checkpointAfter: checkpoint });
    expect((await field.client.get<'entry'>(late))?.projection.title).toBe('Late');
    expect(await field.client.get(early)).toBeNull();

    await field.engine.syncNow();
    expect((await field.client.get<'entry'>(early))?.projection.title).toBe('Early');
  });

  it('advances one checkpoint from the engine and from a hub bundle: each starts where the other left off', async () => {
    const pulledSince: number[] = [];
    const field = await syncedClient(hub, await hub.join(await hub.invite('Xishan Water Users')), {
      engine: { isLive: false },
      wrapTransport: (inner) => ({
        ...inner,
        pull(since) {
          pulledSince.push(since);
          return inner.pull(since);
        },
      }),
    });
    open.push(field);
    const peer = await onlineDevice(await hub.invite('Eryuan Seed Bank'));
    await field.engine.syncNow();
    const afterPull = await syncStateOf(field.client).checkpoint();
    expect(afterPull).toBe(await hub.storage.lastSeq());

    const carried = await peer.client.create('entry', { ...practice, title: 'Carried on a stick' });
    await peer.engine.syncNow();
    const { bytes, header } = await exportOrgBundle(hub.hub, { orgId: field.join.org.id, since: afterPull, signer: hub.hub.hubKey });
    const result = await importHubBundle(field.client, bytes, { networkId: field.join.networkId, hubPublicKey: await hubPublicKeyOf(field.client), compression });
    expect(result).toMatchObject({ checkpointBefore: afterPull, checkpointAfter: header.toSeq });
    expect(header.toSeq).toBeGreaterThan(afterPull);
    expect(await syncStateOf(field.client).checkpoint()).toBe(header.toSeq);
    expect((await field.client.get<'entry'>(carried))?.projection.title).toBe('Carried on a stick');

    // The engine's next pull asks from where the bundle left the checkpoint, not from its own last pull.
    await field.engine.syncNow();
    expect(pulledSince).toEqual([0, header.toSeq]);
  });

  it('accepts "everything we can read": records it may not write are taken when they add nothing', async () => {
    const field = await fieldDevice(await hub.invite('Xishan Water Users'));
    const peer = await onlineDevice(await hub.invite('Eryuan Seed Bank'));
    await peer.client.create('entry', { ...practice, title: 'Their entry' });
    await peer.engine.syncNow();
    await field.engine.syncNow();
    const mine = await field.client.create('entry', { ...practice, title: 'Mine' });
    await field.client.flush();

    const everything = await fieldBundle(field, { isEverything: true });
    expect(readBundle(everything).header.recordCount).toBe((await snapshotOf(field.client)).size);
    const seqBefore = await hub.storage.lastSeq();
    const imported = await hub.hub.importBundle(everything);
    expect(imported.committedCount).toBe(1);
    expect(await hub.storage.lastSeq()).toBe(seqBefore + 1);
    expect((await hub.storage.getRecord(mine))?.projection['title']).toBe('Mine');
  });

  it('imports the same bundle twice without a new sequence number', async () => {
    const field = await fieldDevice(await hub.invite('Xishan Water Users'));
    const id = await field.client.create('entry', practice);
    await field.client.mutate(id, entryMutators.setBody, 'Fill the bottles every second day in July.');
    const bytes = await fieldBundle(field);
    expect((await hub.hub.importBundle(bytes)).committedCount).toBe(1);
    const seq = await hub.storage.lastSeq();
    const state = (await hub.storage.getRecord(id))?.state;

    // The organization counts as heard from when the bundle was written.
    const writtenAt = readBundle(bytes).header.createdAt;
    expect((await hub.storage.getOrg(field.join.org.id))?.lastSeenAt).toBeGreaterThanOrEqual(writtenAt);

    const again = await hub.hub.importBundle(bytes);
    expect(again.committedCount).toBe(0);
    expect(again.acks).toEqual([{ id, seq }]);
    expect(await hub.storage.lastSeq()).toBe(seq);
    expect((await hub.storage.getRecord(id))?.state).toEqual(state);
  });
});

describe('sync bundles: refusals write nothing', () => {
  let field: FieldDevice;
  let bundle: Uint8Array;
  let entryId: string;

  beforeEach(async () => {
    field = await fieldDevice(await hub.invite('Xishan Water Users'));
    entryId = await field.client.create('entry', practice);
    bundle = await fieldBundle(field);
  });

  async function expectNothingWritten(attempt: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
    const seq = await hub.storage.lastSeq();
    const refused = await refusal(attempt);
    expect(await hub.storage.lastSeq()).toBe(seq);
    expect(await hub.storage.getRecord(entryId)).toBeNull();
    return refused;
  }

  it('refuses a tampered bundle (one flipped byte in the records)', async () => {
    const damaged = bundle.slice();
    damaged[damaged.length - 100] = damaged[damaged.length - 100]! ^ 0x01;
    expect(await expectNothingWritten(hub.hub.importBundle(damaged))).toMatchObject({ status: 400, code: 'bad-bundle', message: expect.stringMatching(/^tampered/) });
  });

  it('refuses a bundle whose signature was changed', async () => {
    const damaged = bundle.slice();
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 0x80;
    expect(await expectNothingWritten(hub.hub.importBundle(damaged))).toMatchObject({ status: 403, code: 'bundle-signature-invalid' });
  });

  it('refuses a truncated file', async () => {
    for (const length of [3, 30, bundle.length - 1]) {
      expect(await expectNothingWritten(hub.hub.importBundle(bundle.subarray(0, length)))).toMatchObject({ status: 400, code: 'bad-bundle', message: expect.stringMatching(/^truncated/) });
    }
  });

  it('refuses a bundle signed by another device key', async () => {
    const records: BundleRecord[] = [];
    const header = readBundle(bundle).header;
    const { recordCount: _count, ...rest } = header;
    const forged = await writeBundle(rest, records, signerFor(newSigningKey().secretKey), compression);
    expect(await expectNothingWritten(hub.hub.importBundle(forged))).toMatchObject({ status: 403, code: 'bundle-signature-invalid' });
  });

  it('refuses a bundle from another hub, and one naming a credential this hub does not know', async () => {
    const otherHub = await startTestHub();
    try {
      const stranger = await fieldDevice(await otherHub.invite('Elsewhere'), otherHub);
      await stranger.client.create('entry', practice);
      const foreign = await fieldBundle(stranger);
      expect(await expectNothingWritten(hub.hub.importBundle(foreign))).toMatchObject({ status: 403, code: 'bundle-foreign' });
      // Same network id, but a credential only the other hub issued.
      const { recordCount: _count, ...header } = readBundle(foreign).header;
      const relabelled = await writeBundle({ ...header, networkId: hub.hub.networkId }, [], signerFor(stranger.secretKey), compression);
      expect(await expectNothingWritten(hub.hub.importBundle(relabelled))).toMatchObject({ status: 403, code: 'bundle-foreign' });
    } finally {
      await otherHub.close();
    }
  });

  it('refuses a bundle from a revoked device, written before the revocation', async () => {
    await hub.storage.revokeCredentials({ credentialId: field.join.credentialId }, Date.now());
    expect(await expectNothingWritten(hub.hub.importBundle(bundle))).toMatchObject({ status: 403, code: 'bundle-revoked' });
  });

  it('refuses the whole bundle when one record is not the signer’s to change', async () => {
    const peer = await onlineDevice(await hub.invite('Eryuan Seed Bank'));
    const theirs = await peer.client.create('entry', { ...practice, title: 'Theirs' });
    await peer.engine.syncNow();
    await field.engine.syncNow();
    entryId = await field.client.create('entry', { ...practice, title: 'Written offline' });
    // Written by hand into the doc (the client itself would refuse the edit).
    const doc = new Y.Doc();
    Y.applyUpdate(doc, fromBase64((await field.client.getRow(theirs))!.state));
    const before = Y.encodeStateVector(doc);
    doc.getMap('fields').set('title', 'Taken over');
    const hostile: BundleRecord = { id: theirs, type: 'entry', ownerOrg: peer.join.org.id, createdAt: 0, seq: 0, isFullState: false, update: Y.encodeStateAsUpdate(doc, before) };
    const own: BundleRecord = { id: entryId, type: 'entry', ownerOrg: field.join.org.id, createdAt: 0, seq: 0, isFullState: true, update: fromBase64((await field.client.getRow(entryId))!.state) };
    const { recordCount: _count, ...header } = readBundle(bundle).header;
    const mixed = await writeBundle(header, [own, hostile], signerFor(field.secretKey), compression);
    const seq = await hub.storage.lastSeq();
    expect(await refusal(hub.hub.importBundle(mixed))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await hub.storage.lastSeq()).toBe(seq);
    expect(await hub.storage.getRecord(entryId)).toBeNull();
    expect((await hub.storage.getRecord(theirs))?.projection['title']).toBe('Theirs');
  });

  it('refuses a hub bundle at the hub, and a field bundle in the app', async () => {
    const { bytes } = await exportOrgBundle(hub.hub, { orgId: field.join.org.id, since: 0, signer: hub.hub.hubKey });
    expect(await expectNothingWritten(hub.hub.importBundle(bytes))).toMatchObject({ status: 400, code: 'bad-bundle' });
    await field.engine.syncNow();
    await expect(importHubBundle(field.client, bundle, { networkId: field.join.networkId, hubPublicKey: await hubPublicKeyOf(field.client), compression })).rejects.toMatchObject({
      code: 'wrong-kind',
    });
  });
});

describe('sync bundles in the app: refusals apply nothing', () => {
  it('refuses a hub bundle for another organization, one not signed by the hub, and one before the hub key is known', async () => {
    const field = await fieldDevice(await hub.invite('Xishan Water Users'));
    const other = await onlineDevice(await hub.invite('Eryuan Seed Bank'));
    await other.client.create('entry', { ...practice, title: 'Theirs' });
    await other.engine.syncNow();
    const forOther = await exportOrgBundle(hub.hub, { orgId: other.join.org.id, since: 0, signer: hub.hub.hubKey });
    const forField = await exportOrgBundle(hub.hub, { orgId: field.join.org.id, since: 0, signer: hub.hub.hubKey });
    const options = { networkId: field.join.networkId, compression };

    await expect(importHubBundle(field.client, forField.bytes, { ...options, hubPublicKey: null })).rejects.toMatchObject({ code: 'hub-key-unknown' });
    await field.engine.syncNow();
    const checkpoint = await checkpointOf(field.client);
    const hubPublicKey = await hubPublicKeyOf(field.client);
    await expect(importHubBundle(field.client, forOther.bytes, { ...options, hubPublicKey })).rejects.toBeInstanceOf(BundleImportError);
    const { recordCount: _count, ...header } = readBundle(forField.bytes).header;
    const forged = await writeBundle({ ...header, toSeq: header.toSeq + 100 }, [], signerFor(newSigningKey().secretKey), compression);
    await expect(importHubBundle(field.client, forged, { ...options, hubPublicKey })).rejects.toMatchObject({ code: 'bad-signature' });
    expect(await checkpointOf(field.client)).toBe(checkpoint);
  });
});

describe('device keys and the upload endpoint', () => {
  let field: FieldDevice;

  beforeEach(async () => {
    field = await fieldDevice(await hub.invite('Xishan Water Users'));
  });

  const post = (path: string, body: Uint8Array | string, token?: string, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': typeof body === 'string' ? 'application/json' : 'application/octet-stream', ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });

  it('refuses an observer’s bundle from its credential, before a record of it is decoded', async () => {
    const writer = await onlineDevice(await hub.invite('Eryuan Seed Bank'));
    const theirs = await writer.client.create('entry', { ...practice, title: 'Theirs' });
    await writer.engine.syncNow();
    const observer = await fieldDevice(await hub.invite('Provincial Water Bureau', 'observer'));
    await observer.engine.syncNow();
    // A record the observer may read, whose update is no Yjs update at all: decoding it is the
    // only way to find that out, so a refusal other than the credential's means it was decoded.
    const undecodable: BundleRecord = { id: theirs, type: 'entry', ownerOrg: writer.join.org.id, createdAt: 0, seq: 0, isFullState: false, update: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]) };
    const { recordCount: _count, ...header } = readBundle(await fieldBundle(observer, { isEverything: true })).header;
    const bytes = await writeBundle(header, [undecodable], signerFor(observer.secretKey), compression);
    const seq = await hub.storage.lastSeq();
    const answer = await post('/v1/bundles', bytes, observer.join.token);
    expect({ status: answer.status, body: await answer.json() }).toMatchObject({ status: 403, body: { error: { code: 'forbidden', message: expect.stringMatching(/observer may write nothing/) } } });
    expect(await hub.storage.lastSeq()).toBe(seq);
    expect((await hub.storage.getRecord(theirs))?.projection['title']).toBe('Theirs');
  });

  it('lets a device that joined without a key register one, once', async () => {
    const legacy = await onlineDevice(await hub.invite('Old laptop org'));
    const key = newSigningKey();
    const legacyDevice: FieldDevice = { ...legacy, secretKey: key.secretKey };
    await legacy.client.create('entry', practice);
    const bytes = await fieldBundle(legacyDevice);

    const before = await post('/v1/bundles', bytes, legacy.join.token);
    expect(before.status).toBe(403);
    expect(await before.json()).toMatchObject({ error: { code: 'bundle-signature-invalid' } });

    expect((await post('/v1/device-key', JSON.stringify({ publicKey: 'not-a-key' }), legacy.join.token)).status).toBe(400);
    expect((await post('/v1/device-key', JSON.stringify({ publicKey: toBase64UrlEncoded(key.publicKey) }))).status).toBe(401);
    const registered = await post('/v1/device-key', JSON.stringify({ publicKey: toBase64UrlEncoded(key.publicKey) }), legacy.join.token);
    expect(registered.status).toBe(200);
    // The same key again is fine; another one is refused.
    expect((await post('/v1/device-key', JSON.stringify({ publicKey: toBase64UrlEncoded(key.publicKey) }), legacy.join.token)).status).toBe(200);
    const conflict = await post('/v1/device-key', JSON.stringify({ publicKey: toBase64UrlEncoded(newSigningKey().publicKey) }), legacy.join.token);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ error: { code: 'device-key-conflict' } });

    const after = await post('/v1/bundles', bytes, legacy.join.token);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ committed: 1 });
  });

  it('refuses a small-order device key, at registration and at join, so nobody can sign bundles in its name', async () => {
    const weakKey = toBase64UrlEncoded(new Uint8Array(32));
    const device = await onlineDevice(await hub.invite('Weak key org'));
    const refused = await post('/v1/device-key', JSON.stringify({ publicKey: weakKey }), device.join.token);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'bad-request' } });
    const join = await post('/v1/join', JSON.stringify({ code: await hub.invite('Weak key org 2'), deviceName: 'x', devicePublicKey: weakKey }));
    expect(join.status).toBe(400);
    expect(await join.json()).toMatchObject({ error: { code: 'bad-request' } });
  });

  it('refuses a join with a malformed key without using up the invitation', async () => {
    const code = await hub.invite('Careful org');
    const bad = await post('/v1/join', JSON.stringify({ code, deviceName: 'laptop', devicePublicKey: 'B'.repeat(43) }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad-request' } });
    expect((await post('/v1/join', JSON.stringify({ code, deviceName: 'laptop' }))).status).toBe(200);
  });

  it('answers uploads with the protocol’s 4xx bodies and writes nothing', async () => {
    const id = await field.client.create('entry', practice);
    const bytes = await fieldBundle(field);
    const seq = await hub.storage.lastSeq();
    const cases: [string, Response, number, string][] = [
      ['no token', await post('/v1/bundles', bytes), 401, 'unauthorized'],
      ['garbage', await post('/v1/bundles', new TextEncoder().encode('hello'), field.join.token), 400, 'bad-bundle'],
      ['truncated', await post('/v1/bundles', bytes.subarray(0, bytes.length - 10), field.join.token), 400, 'bad-bundle'],
    ];
    const flipped = bytes.slice();
    flipped[20] = flipped[20]! ^ 0x04;
    cases.push(['tampered', await post('/v1/bundles', flipped, field.join.token), 400, 'bad-bundle']);
    for (const [name, response, status, code] of cases) {
      expect(response.status, name).toBe(status);
      expect(await response.json(), name).toMatchObject({ error: { code, message: expect.any(String) } });
    }
    expect(await hub.storage.lastSeq()).toBe(seq);
    expect(await hub.storage.getRecord(id)).toBeNull();

    // A declared size over the limit is refused before the body is read.
    const tooLarge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${hub.url}/v1/bundles`);
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${field.join.token}`, 'content-length': String(64 * 1024 * 1024 + 1) } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ error: { code: 'body-too-large' } });

    // The uploader may be any device of the hub; the records are the signer's.
    const secretariat = await onlineDevice(hub.secretariatCode);
    const accepted = await post('/v1/bundles', bytes, secretariat.join.token);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ committed: 1, acks: [{ id, seq: seq + 1 }], header: { orgId: field.join.org.id } });
    expect((await hub.storage.getRecord(id))?.header.ownerOrg).toBe(field.join.org.id);

    await hub.storage.revokeCredentials({ credentialId: field.join.credentialId }, Date.now());
    const revoked = await post('/v1/bundles', bytes, secretariat.join.token);
    expect(revoked.status).toBe(403);
    expect(await revoked.json()).toMatchObject({ error: { code: 'bundle-revoked' } });
  });
});
