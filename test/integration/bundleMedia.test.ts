import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBase64UrlEncoded } from 'lib0/buffer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobHash } from '../../shared/blobs/blobHash';
import { blobsOf, type BlobContent } from '../../shared/blobs/blobRef';
import { entryMutators } from '../../shared/records/entry';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import { isCarriedAt, newSigningKey, readBundle, readBundleRecords, signerFor, streamCompression, writeBundle, type BundleMediaLevel } from '../../shared/sync/bundle';
import { exportFieldBundle, hubPublicKeyOf, importHubBundle, prepareFieldBundle } from '../../shared/sync/bundleTransfer';
import { joinResponseSchema } from '../../shared/sync/protocol';
import { syncStateOf } from '../../shared/sync/syncState';
import { exportOrgBundle } from '../../server/hub/bundles';
import { entryWithPhotos, makePhoto, sharedPractice } from '../support/blobFixtures';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, type SyncedClient } from '../support/syncedClient';

/*
 * Media in sync bundles (issue 18): a real hub (SQLite and blob files in a temporary folder, HTTP
 * on loopback), headless clients with device blob stores, and bundles through real files. Each
 * level carries exactly its renditions both ways; a blob is taken only as an upload would be,
 * and a refused blob costs only itself; a second import changes nothing.
 */

const compression = streamCompression(CompressionStream, DecompressionStream);
const levels: readonly BundleMediaLevel[] = ['none', 'thumbnails', 'previews', 'originals'];

interface Device extends SyncedClient {
  readonly secretKey: Uint8Array;
  readonly store: MemoryDeviceBlobStore;
}

let hub: TestHub;
let folder: string;
const open: SyncedClient[] = [];

beforeEach(async () => {
  hub = await startTestHub();
  folder = mkdtempSync(join(tmpdir(), 'fieldwise-bundle-media-'));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((synced) => synced.close()));
  await hub.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A device with a signing key that synced online once (so it knows the hub's key), then goes offline. */
async function device(orgName: string): Promise<Device> {
  const key = newSigningKey();
  const body = { code: await hub.invite(orgName), deviceName: 'field laptop', devicePublicKey: toBase64UrlEncoded(key.publicKey) };
  const response = await fetch(`${hub.url}/v1/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const synced = await syncedClient(hub, joinResponseSchema.parse(await response.json()), { engine: { isLive: false } });
  open.push(synced);
  await synced.engine.syncNow();
  expect(await hubPublicKeyOf(synced.client)).not.toBeNull();
  return { ...synced, secretKey: key.secretKey, store: new MemoryDeviceBlobStore() };
}

/** Through a real file, as on a USB stick. */
function viaFile(bytes: Uint8Array): Uint8Array {
  const file = join(folder, `${Date.now()}-${Math.random()}.fwbundle`);
  writeFileSync(file, bytes);
  return new Uint8Array(readFileSync(file));
}

async function upload(from: Device, bytes: Uint8Array): Promise<{ status: number; body: { committed: number; seq: number; blobs: { stored: string[]; refused: { sha256: string; code: string }[] } } }> {
  const response = await fetch(`${hub.url}/v1/bundles`, { method: 'POST', headers: { authorization: `Bearer ${from.join.token}`, 'content-type': 'application/octet-stream' }, body: Buffer.from(bytes) });
  return { status: response.status, body: (await response.json()) as never };
}

const fieldOptions = (from: Device) => ({ networkId: from.join.networkId, credentialId: from.join.credentialId, secretKey: from.secretKey, compression, blobs: from.store });

async function hubBundleFor(to: Device, media: BundleMediaLevel): Promise<Uint8Array> {
  const { bytes } = await exportOrgBundle(hub.hub, { orgId: to.join.org.id, since: await syncStateOf(to.client).checkpoint(), signer: hub.hub.hubKey, media });
  return viaFile(bytes);
}

const importOptions = async (to: Device) => ({ networkId: to.join.networkId, hubPublicKey: await hubPublicKeyOf(to.client), compression, blobs: to.store });

describe('media in sync bundles', () => {
  it.each(levels)('carries %s both ways, shows the size before export, and changes nothing on a second import', async (level) => {
    const field = await device('Xishan Water Users');
    const peer = await device('Eryuan Seed Bank');
    const photo = await makePhoto(field.store, { originalBytes: 120_000, previewBytes: 20_000, thumbnailBytes: 2_000 });
    const entryId = await entryWithPhotos(field.client, [photo.ref]);
    const carried = blobsOf(photo.ref).filter(({ variant }) => isCarriedAt(level, variant)).map(({ content }) => content.sha256);

    // Sized before export: the size shown is the file's size (but for the header clock's digits).
    const plan = await prepareFieldBundle(field.client, fieldOptions(field));
    expect(plan.levels[level].blobs.map((blob) => blob.sha256).sort()).toEqual([...carried].sort());
    const exported = await plan.write(level);
    expect(Math.abs(exported.bytes.length - plan.levels[level].sizeBytes)).toBeLessThanOrEqual(2);
    expect(plan.levels.none.sizeBytes).toBeLessThan(plan.levels.originals.sizeBytes);
    const toHub = viaFile(exported.bytes);
    expect(readBundle(toHub).header).toMatchObject({ media: level, blobCount: carried.length });

    const first = await upload(field, toHub);
    expect(first.status).toBe(200);
    expect(first.body.committed).toBe(1);
    expect(first.body.blobs).toEqual({ stored: [...carried].sort(), refused: [] });
    expect(await hub.storage.getRecord(entryId)).not.toBeNull();
    for (const { content } of blobsOf(photo.ref)) expect(await hub.hub.blobAccess.blobs.has(content.sha256), content.sha256).toBe(carried.includes(content.sha256));

    // Twice: no new sequence number, no blob stored again.
    const storedAt = await Promise.all(carried.map(async (sha256) => (await hub.hub.blobAccess.blobs.stat(sha256))!.storedAt));
    const seq = await hub.hub.lastSeq();
    const again = await upload(field, toHub);
    expect(again.body.committed).toBe(0);
    expect(await hub.hub.lastSeq()).toBe(seq);
    expect(await Promise.all(carried.map(async (sha256) => (await hub.hub.blobAccess.blobs.stat(sha256))!.storedAt))).toEqual(storedAt);

    // Back to the field, to another organization: the same renditions, hash-checked, confirmed.
    const toPeer = await hubBundleFor(peer, level);
    const imported = await importHubBundle(peer.client, toPeer, await importOptions(peer));
    expect(imported).toMatchObject({ blobsStored: carried.length, blobsHeld: 0, blobsRefused: [] });
    for (const { content } of blobsOf(photo.ref)) {
      const stored = await peer.store.stat(content.sha256);
      expect(stored?.isConfirmed ?? false, content.sha256).toBe(carried.includes(content.sha256));
    }
    const usage = await peer.store.usage();
    const repeat = await importHubBundle(peer.client, toPeer, await importOptions(peer));
    expect(repeat).toMatchObject({ blobsStored: 0, blobsHeld: carried.length, blobsRefused: [] });
    expect(await peer.store.usage()).toEqual(usage);

    // The field device learns from the hub's bundle that what it carried there arrived.
    await importHubBundle(field.client, await hubBundleFor(field, level), await importOptions(field));
    for (const sha256 of carried) expect((await field.store.stat(sha256))?.isConfirmed).toBe(true);
    const next = await prepareFieldBundle(field.client, fieldOptions(field));
    expect(next.levels.originals.blobs.map((blob) => blob.sha256).sort()).toEqual(blobsOf(photo.ref).map(({ content }) => content.sha256).filter((sha256) => !carried.includes(sha256)).sort());
  });
});

describe('media in sync bundles: refusals', () => {
  it('refuses a blob whose bytes do not hash to its address and one no record the signer may edit names, and still imports the records', async () => {
    const field = await device('Xishan Water Users');
    const other = await device('Eryuan Seed Bank');
    // Another organization's photo, pushed online: its reference is at the hub, its record not the field's.
    const theirs = await makePhoto(other.store, { originalBytes: 30_000, previewBytes: 6_000, thumbnailBytes: 900 });
    await entryWithPhotos(other.client, [theirs.ref], 'Seed fair');
    await other.engine.syncNow();

    const photo = await makePhoto(field.store, { originalBytes: 40_000, previewBytes: 8_000, thumbnailBytes: 1_000 });
    const entryId = await entryWithPhotos(field.client, [photo.ref]);
    const honest = readBundle((await exportFieldBundle(field.client, fieldOptions(field))).bytes);
    const records = await readBundleRecords(honest, compression);
    const thumbnail = photo.ref.variants.thumbnail!;
    const preview = photo.ref.variants.preview!;
    const tampered = photo.bytes.thumbnail.slice();
    tampered[0] = tampered[0]! ^ 0xff;
    const stray = new TextEncoder().encode('bytes no record names');
    const strayContent: BlobContent = { sha256: blobHash(stray), sizeBytes: stray.length, mediaType: 'image/jpeg' };
    const theirThumbnail = theirs.ref.variants.thumbnail!;
    // Signed by the device itself: digest and signature are right, only the blobs lie.
    const bytes = await writeBundle(
      { ...honest.header },
      records,
      signerFor(field.secretKey),
      compression,
      {
        media: 'previews',
        blobs: [
          { ...thumbnail, bytes: tampered },
          { ...preview, bytes: photo.bytes.preview },
          { ...strayContent, bytes: stray },
          { ...theirThumbnail, bytes: theirs.bytes.thumbnail },
        ],
      },
    );

    const result = await upload(field, viaFile(bytes));
    expect(result.status).toBe(200);
    expect(result.body.committed).toBe(1);
    expect(await hub.storage.getRecord(entryId)).not.toBeNull();
    expect(result.body.blobs.stored).toEqual([preview.sha256]);
    const refused = Object.fromEntries(result.body.blobs.refused.map((blob) => [blob.sha256, blob.code]));
    expect(refused).toEqual({ [thumbnail.sha256]: 'hash-mismatch', [strayContent.sha256]: 'forbidden', [theirThumbnail.sha256]: 'forbidden' });
    expect(await hub.hub.blobAccess.blobs.has(thumbnail.sha256)).toBe(false);
    expect(await hub.hub.blobAccess.blobs.has(strayContent.sha256)).toBe(false);
    expect(await hub.hub.blobAccess.blobs.has(theirThumbnail.sha256)).toBe(false);
  });

  it('puts in a hub bundle only blobs the organization may read: never another organization’s private draft', async () => {
    const author = await device('Eryuan Seed Bank');
    const reader = await device('Xishan Water Users');
    const shared = await makePhoto(author.store, { originalBytes: 20_000, previewBytes: 5_000, thumbnailBytes: 700 });
    const secret = await makePhoto(author.store, { originalBytes: 21_000, previewBytes: 5_100, thumbnailBytes: 710 });
    await entryWithPhotos(author.client, [shared.ref], 'Shared practice');
    const draft = await author.client.create('entry', { ...sharedPractice, title: 'Private notes', sharing: 'private' });
    await author.client.mutate(draft, entryMutators.addAttachment, {
      id: 'photo-1',
      attachment: { kind: 'photo', ref: secret.ref, name: 'notes.jpg', caption: '', consent: 'not-needed', keepsLocation: false },
    });
    expect((await upload(author, viaFile((await exportFieldBundle(author.client, { ...fieldOptions(author), media: 'originals' })).bytes))).body.blobs.refused).toEqual([]);
    for (const { content } of blobsOf(secret.ref)) expect(await hub.hub.blobAccess.blobs.has(content.sha256)).toBe(true);

    const forReader = readBundle(await hubBundleFor(reader, 'originals'));
    const carried = forReader.blobs.map((blob) => blob.sha256).sort();
    expect(carried).toEqual(blobsOf(shared.ref).map(({ content }) => content.sha256).sort());
    const forAuthor = readBundle(await hubBundleFor(author, 'originals'));
    expect(forAuthor.blobs).toHaveLength(6);
  });
});

describe('media in sync bundles: version 1', () => {
  it('still imports a version-1 bundle at the hub and in the app', async () => {
    const field = await device('Xishan Water Users');
    const peer = await device('Eryuan Seed Bank');
    const entryId = await entryWithPhotos(field.client, []);
    const current = readBundle((await exportFieldBundle(field.client, fieldOptions(field))).bytes);
    const { media: _media, blobCount: _count, blobBytes: _bytes, recordCount: _records, ...v1Header } = current.header;
    const v1 = await writeBundle(v1Header, await readBundleRecords(current, compression), signerFor(field.secretKey), compression, { version: 1 });
    expect(readBundle(v1).version).toBe(1);
    const result = await upload(field, viaFile(v1));
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ committed: 1, blobs: { stored: [], refused: [] } });
    expect(await hub.storage.getRecord(entryId)).not.toBeNull();

    const fromHub = readBundle(await hubBundleFor(peer, 'none'));
    const { media: _m, blobCount: _c, blobBytes: _b, recordCount: _r, ...hubHeader } = fromHub.header;
    const hubV1 = await writeBundle(hubHeader, await readBundleRecords(fromHub, compression), hub.hub.hubKey, compression, { version: 1 });
    const imported = await importHubBundle(peer.client, viaFile(hubV1), await importOptions(peer));
    expect(imported.recordCount).toBeGreaterThan(0);
    expect(await peer.client.get(entryId)).not.toBeNull();
  });
});
