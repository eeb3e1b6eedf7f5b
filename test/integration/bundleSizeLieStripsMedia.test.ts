import { toBase64UrlEncoded } from 'lib0/buffer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobsOf } from '../../shared/blobs/blobRef';
import { describeBlob } from '../../shared/blobs/describeBlob';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import { entryMutators } from '../../shared/records/entry';
import { newSigningKey, readBundle, streamCompression } from '../../shared/sync/bundle';
import { exportFieldBundle, hubPublicKeyOf } from '../../shared/sync/bundleTransfer';
import { joinResponseSchema } from '../../shared/sync/protocol';
import { syncStateOf } from '../../shared/sync/syncState';
import { exportOrgBundle } from '../../server/hub/bundles';
import { entryWithPhotos, makePhoto, sharedPractice } from '../support/blobFixtures';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, type SyncedClient } from '../support/syncedClient';

/*
 * Attack (bundles pass): a hub bundle picks, per hash, the size and type of the smallest rendition
 * any record names it as (mediaCandidates), and then drops the blob when the stored bytes are not
 * that size ("collected since it was listed"). A member of any organization can therefore strip
 * another organization's photos out of every hub bundle: it names their preview and original hashes
 * as the thumbnail and preview of an attachment of its own, with a size of 1 byte. A reader who may
 * read the photo, and whose stick has room for it, gets only its thumbnail at `originals`, with the
 * missing renditions counted as "did not fit". An offline site that lives on sticks never gets them.
 */

const compression = streamCompression(CompressionStream, DecompressionStream);

let hub: TestHub;
const open: SyncedClient[] = [];

beforeEach(async () => {
  hub = await startTestHub();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((synced) => synced.close()));
  await hub.close();
});

async function device(orgName: string): Promise<SyncedClient & { secretKey: Uint8Array; store: MemoryDeviceBlobStore }> {
  const key = newSigningKey();
  const body = { code: await hub.invite(orgName), deviceName: 'field laptop', devicePublicKey: toBase64UrlEncoded(key.publicKey) };
  const response = await fetch(`${hub.url}/v1/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const synced = await syncedClient(hub, joinResponseSchema.parse(await response.json()), { engine: { isLive: false } });
  open.push(synced);
  await synced.engine.syncNow();
  expect(await hubPublicKeyOf(synced.client)).not.toBeNull();
  return { ...synced, secretKey: key.secretKey, store: new MemoryDeviceBlobStore() };
}

describe('a hub bundle carries what its reader may read, whatever another organization claims about it', () => {
  it("keeps another organization's photo in the bundle when a third names its hashes with a false size", async () => {
    const author = await device('Eryuan Seed Bank');
    const attacker = await device('Mischief Collective');
    const reader = await device('Xishan Water Users');

    const photo = await makePhoto(author.store, { originalBytes: 40_000, previewBytes: 8_000, thumbnailBytes: 1_000 });
    await entryWithPhotos(author.client, [photo.ref], 'Seed fair');
    const toHub = await exportFieldBundle(author.client, { networkId: author.join.networkId, credentialId: author.join.credentialId, secretKey: author.secretKey, compression, blobs: author.store, media: 'originals' });
    const response = await fetch(`${hub.url}/v1/bundles`, { method: 'POST', headers: { authorization: `Bearer ${author.join.token}`, 'content-type': 'application/octet-stream' }, body: Buffer.from(toHub.bytes) });
    expect(response.status).toBe(200);
    for (const { content } of blobsOf(photo.ref)) expect(await hub.hub.blobAccess.blobs.has(content.sha256)).toBe(true);

    // The attacker only read the reference (hash, size, type) and pushes an entry of its own.
    const own = describeBlob(new TextEncoder().encode('an original the attacker never uploads'), 'image/jpeg');
    const lie = (sha256: string) => ({ sha256, sizeBytes: 1, mediaType: 'image/jpeg' });
    const id = await attacker.client.create('entry', { ...sharedPractice, title: 'Nothing to see' });
    await attacker.client.mutate(id, entryMutators.addAttachment, {
      id: 'photo-1',
      attachment: { kind: 'photo', ref: { ...own, variants: { thumbnail: lie(photo.ref.variants.preview!.sha256), preview: lie(photo.ref.sha256) } }, name: 'x.jpg', caption: '', consent: 'not-needed', keepsLocation: false },
    });
    await attacker.engine.syncNow();

    const bundle = await exportOrgBundle(hub.hub, { orgId: reader.join.org.id, since: await syncStateOf(reader.client).checkpoint(), signer: hub.hub.hubKey, media: 'originals' });
    const carried = readBundle(bundle.bytes).blobs.map((blob) => blob.sha256).sort();
    // Today: only the thumbnail; the preview and the original are counted as left out.
    expect(carried).toEqual(blobsOf(photo.ref).map(({ content }) => content.sha256).sort());
    expect(bundle.leftOutCount).toBe(0);
  });
});
