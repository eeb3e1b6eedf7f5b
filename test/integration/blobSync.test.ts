import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import { blobHash } from '../../shared/blobs/blobHash';
import { ballotId, ballotMutators } from '../../shared/records/ballot';
import { entryMutators } from '../../shared/records/entry';
import type { BlobSync } from '../../shared/sync/blobSync';
import type { BlobTransport } from '../../shared/sync/blobTransport';
import { startCountingProxy, type CountingProxy } from '../bench/byteCountingProxy';
import { blobRouteLog, blobSyncFor, blobTransportFor, chunkBytesSent, entryWithPhotos, isBlobRoute, isOnHub, makePhoto } from '../support/blobFixtures';
import { startCuttableProxy } from '../support/cuttableProxy';
import { openTestProposal } from '../support/governance';
import { startTestHub, type TestHub } from '../support/hub';
import { request } from '../support/hubRequests';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';

/*
 * The client's blob sync (issue 18, "Sync, text first") against a real hub's blob routes
 * (docs/PROTOCOL.md "Blobs"; blobs stored as files in its data folder), through a counting proxy
 * that logs each request with its headers and body bytes. Devices push their records before
 * their blobs, as the hub requires. Chunks are 64 KiB here so a few hundred KiB cross many chunk
 * boundaries quickly.
 */

const CHUNK = 64 * 1024;
let hub: TestHub;
let wire: CountingProxy;
const closing: (() => Promise<void>)[] = [];

beforeEach(async () => {
  hub = await startTestHub();
  wire = await startCountingProxy(hub.url, { keepRequestLog: true });
});

afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
  await wire.close();
  await hub.close();
});

interface Device {
  readonly synced: SyncedClient;
  readonly store: MemoryDeviceBlobStore;
  readonly blobSync: BlobSync;
  readonly stored: string[];
}

async function device(orgName: string, options: { url?: string; wrap?: (transport: BlobTransport) => BlobTransport; wanted?: Set<string>; connectivity?: import('../../shared/sync/transport').ConnectivityPort; unavailableRetryMs?: number } = {}): Promise<Device> {
  const url = options.url ?? wire.url;
  const join = await hub.join(await hub.invite(orgName));
  const synced = await syncedClient({ url }, join, { engine: { ...(options.connectivity ? { connectivity: options.connectivity } : {}), stallTimeoutMs: 5_000 } });
  const store = new MemoryDeviceBlobStore();
  const base = blobTransportFor(url, join.token);
  const stored: string[] = [];
  const blobSync = blobSyncFor(synced, store, options.wrap ? options.wrap(base) : base, {
    chunkBytes: CHUNK,
    stallTimeoutMs: 5_000,
    onDidStoreBlob: (sha256) => stored.push(sha256),
    ...(options.wanted ? { wantedOriginals: () => options.wanted! } : {}),
    ...(options.unavailableRetryMs !== undefined ? { unavailableRetryMs: options.unavailableRetryMs } : {}),
  });
  closing.push(async () => {
    await blobSync.stop();
    await synced.close();
  });
  return { synced, store, blobSync, stored };
}

async function start(d: Device): Promise<void> {
  await d.synced.engine.start();
  await d.blobSync.start();
}

const settled = (d: Device) => () => d.blobSync.status.state === 'idle' && d.synced.engine.status.state === 'synced';

/** Hashes named by the blob route log lines of one kind, in order. */
function logged(prefix: string): string[] {
  return blobRouteLog(wire).filter((line) => line.startsWith(prefix)).map((line) => /([0-9a-f]{64})/.exec(line)?.[1] ?? line);
}

describe('blob sync', () => {
  it('uploads after the records, thumbnails then previews then originals, smallest first, asking which the hub lacks first, and sends nothing twice', async () => {
    const a = await device('Xishan Water Users');
    const small = await makePhoto(a.store, { originalBytes: 200_000, previewBytes: 30_000, thumbnailBytes: 3_000 });
    const large = await makePhoto(a.store, { originalBytes: 300_000, previewBytes: 40_000, thumbnailBytes: 4_000 });
    const entryId = await entryWithPhotos(a.synced.client, [large.ref, small.ref]);
    await start(a);
    await waitFor(settled(a), 20_000, 'media uploaded');

    expect((await hub.storage.getRecord(entryId)) !== null).toBe(true);
    const order = logged('POST /v1/uploads');
    expect(order).toEqual([small.ref.variants.thumbnail!.sha256, large.ref.variants.thumbnail!.sha256, small.ref.variants.preview!.sha256, large.ref.variants.preview!.sha256, small.ref.sha256, large.ref.sha256]);
    // The records went first: the push came before the first blob request.
    const firstPush = wire.requestLog.findIndex((r) => r.path === '/v1/push');
    const firstBlob = wire.requestLog.findIndex((r) => isBlobRoute(r.path));
    expect(firstPush).toBeGreaterThanOrEqual(0);
    expect(firstPush).toBeLessThan(firstBlob);
    expect(blobRouteLog(wire)[0]).toBe('POST /v1/blobs/missing');
    for (const sha256 of order) expect(await isOnHub(hub, sha256)).toBe(true);
    // Each byte went once.
    const total = [small, large].reduce((sum, p) => sum + p.bytes.original.length + p.bytes.preview.length + p.bytes.thumbnail.length, 0);
    expect(chunkBytesSent(wire)).toBe(total);
    expect(a.blobSync.status.progress).toMatchObject({ total: 6, done: 6, uploads: 6 });
    // The device learnt that the hub holds them: no longer its only copy, so they may be freed.
    for (const sha256 of order) expect((await a.store.stat(sha256))?.isConfirmed).toBe(true);

    // Another pass (a new sync) asks nothing and sends nothing: the hub confirmed all six.
    const before = blobRouteLog(wire).length;
    await a.synced.engine.syncNow();
    await a.blobSync.syncNow();
    expect(blobRouteLog(wire).slice(before)).toEqual([]);
    expect(await a.store.evict(small.ref.variants.preview!.sha256)).toBe(true);
  });

  it('downloads thumbnails and previews of records on the device, the original only once asked for, each hash-checked', async () => {
    const a = await device('Xishan Water Users');
    const photo = await makePhoto(a.store, { originalBytes: 150_000, previewBytes: 20_000, thumbnailBytes: 2_000 });
    await entryWithPhotos(a.synced.client, [photo.ref]);
    await start(a);
    await waitFor(settled(a), 20_000, 'A uploaded');

    const b = await device('Dali Seed Bank');
    await start(b);
    await waitFor(async () => settled(b)() && (await b.store.has(photo.ref.variants.preview!.sha256)), 20_000, 'B has the preview');
    expect(b.stored).toEqual([photo.ref.variants.thumbnail!.sha256, photo.ref.variants.preview!.sha256]);
    // Fetched from the hub, so B may free them and fetch them again.
    expect((await b.store.stat(photo.ref.variants.preview!.sha256))?.isConfirmed).toBe(true);
    expect(await b.store.has(photo.ref.sha256)).toBe(false);
    expect(logged('GET /v1/blobs/')).not.toContain(photo.ref.sha256);

    b.blobSync.request(photo.ref.sha256);
    await waitFor(() => b.store.has(photo.ref.sha256), 20_000, 'B has the original');
    const bytes = (await b.store.get(photo.ref.sha256))!;
    expect(blobHash(bytes)).toBe(photo.ref.sha256);
    // 150,000 bytes in 64 KiB ranges: three requests.
    expect(blobRouteLog(wire).filter((line) => line.startsWith(`GET /v1/blobs/${photo.ref.sha256}`))).toEqual([
      `GET /v1/blobs/${photo.ref.sha256} bytes=0-65535`,
      `GET /v1/blobs/${photo.ref.sha256} bytes=65536-131071`,
      `GET /v1/blobs/${photo.ref.sha256} bytes=131072-149999`,
    ]);
  });

  it('follows the policy: previews only leaves originals on the device, none moves nothing; the choice is kept on the device', async () => {
    const a = await device('Xishan Water Users');
    const photo = await makePhoto(a.store, { originalBytes: 100_000, previewBytes: 10_000, thumbnailBytes: 1_000 });
    await entryWithPhotos(a.synced.client, [photo.ref]);
    await a.blobSync.setPolicy('none');
    await start(a);
    await waitFor(() => a.synced.engine.status.state === 'synced' && a.blobSync.status.state === 'off', 20_000, 'records synced, media off');
    await a.blobSync.syncNow();
    expect(blobRouteLog(wire)).toEqual([]);

    await a.blobSync.setPolicy('previews');
    await waitFor(settled(a), 20_000, 'previews uploaded');
    expect(logged('POST /v1/uploads')).toEqual([photo.ref.variants.thumbnail!.sha256, photo.ref.variants.preview!.sha256]);
    expect(await isOnHub(hub, photo.ref.sha256)).toBe(false);

    await a.blobSync.setPolicy('full');
    await waitFor(() => isOnHub(hub, photo.ref.sha256), 20_000, 'the original uploaded on a full link');
    await waitFor(settled(a), 20_000, 'idle');
    // Kept in the device's store, not only in this engine.
    const { syncStateOf } = await import('../../shared/sync/syncState');
    expect(await syncStateOf(a.synced.client).blobPolicy()).toBe('full');
  });

  it('lets a ballot cast mid-upload reach the hub before the next chunk', async () => {
    const join = await hub.join(await hub.invite('Xishan Water Users'));
    const proposalId = 'proposal-media-yield';
    await openTestProposal(hub, proposalId);
    let chunks = 0;
    let castAfterChunk = -1;
    let castPromise: Promise<void> | null = null;
    const synced = await syncedClient({ url: wire.url }, join);
    const store = new MemoryDeviceBlobStore();
    const base = blobTransportFor(wire.url, join.token);
    const wrapped: BlobTransport = {
      ...base,
      async appendChunk(uploadId, offset, chunk) {
        const result = await base.appendChunk(uploadId, offset, chunk);
        chunks += 1;
        // The ballot is cast while the upload is under way, after its third chunk.
        if (chunks === 3) {
          castAfterChunk = wire.requestLog.length;
          castPromise = (async () => {
            const ballot = await synced.client.create('ballot', { proposalId });
            await synced.client.mutate(ballot, ballotMutators.cast, { method: 'single', optionId: 'yes' });
          })();
          await castPromise;
        }
        return result;
      },
    };
    const blobSync = blobSyncFor(synced, store, wrapped, { chunkBytes: CHUNK });
    closing.push(async () => {
      await blobSync.stop();
      await synced.close();
    });
    const photo = await makePhoto(store, { originalBytes: 20 * CHUNK, previewBytes: 1_000, thumbnailBytes: 100 });
    await entryWithPhotos(synced.client, [photo.ref]);
    await synced.engine.start();
    await blobSync.start();
    await waitFor(() => blobSync.status.state === 'idle' && synced.engine.status.state === 'synced' && castPromise !== null, 30_000, 'upload done');
    const ballot = ballotId(proposalId, join.org.id);
    expect(await hub.storage.getRecord(ballot)).not.toBeNull();
    const after = wire.requestLog.slice(castAfterChunk);
    const ballotPush = after.findIndex((r) => r.path === '/v1/push');
    const nextPatch = after.findIndex((r) => r.method === 'PATCH');
    expect(ballotPush).toBeGreaterThanOrEqual(0);
    // No chunk went between the cast and the push that carried the ballot.
    expect(nextPatch).toBeGreaterThan(ballotPush);
    expect(await isOnHub(hub, photo.ref.sha256)).toBe(true);
  });

  it('resumes an upload after each cut from the offset the hub holds, re-sending at most the chunk that was on the wire', async () => {
    const link = await startCuttableProxy(wire.url);
    closing.push(() => link.close());
    let patches = 0;
    const cuts = 3;
    let cutsDone = 0;
    const a = await device('Xishan Water Users', {
      url: link.url,
      wrap: (transport) => ({
        ...transport,
        appendChunk(uploadId, offset, chunk) {
          patches += 1;
          const sending = transport.appendChunk(uploadId, offset, chunk);
          // Cut the link while every fifth chunk is on the wire, then bring it back.
          if (patches % 5 === 0 && cutsDone < cuts) {
            cutsDone += 1;
            setTimeout(() => {
              link.cut('refuse');
              setTimeout(() => link.restore(), 200);
            }, 1);
          }
          return sending;
        },
      }),
    });
    const photo = await makePhoto(a.store, { originalBytes: 40 * CHUNK + 123, previewBytes: 1_000, thumbnailBytes: 100 });
    await entryWithPhotos(a.synced.client, [photo.ref]);
    await start(a);
    await waitFor(() => isOnHub(hub, photo.ref.sha256), 60_000, 'the original at the hub');
    expect(cutsDone).toBe(cuts);
    const size = photo.bytes.original.length + photo.bytes.preview.length + photo.bytes.thumbnail.length;
    // Bytes that reached the hub beyond the blobs' own: at most one chunk per cut.
    expect(chunkBytesSent(wire) - size).toBeLessThanOrEqual(cuts * CHUNK);
    expect(blobRouteLog(wire).filter((line) => line.startsWith('HEAD '))).not.toHaveLength(0);
    // One upload per blob: a cut resumed it, never began it again.
    expect(logged('POST /v1/uploads').filter((sha256) => sha256 === photo.ref.sha256)).toHaveLength(1);
    // Each cut also takes the record sync offline, and media waits for its text to settle again.
  }, 90_000);

  it('drops downloaded bytes that do not match their hash, and stores them once the right bytes come', async () => {
    const a = await device('Xishan Water Users');
    const photo = await makePhoto(a.store, { originalBytes: 1_000, previewBytes: 20_000, thumbnailBytes: 2_000 });
    await entryWithPhotos(a.synced.client, [photo.ref]);
    await start(a);
    await waitFor(settled(a), 20_000, 'A uploaded');

    let isCorrupting = true;
    const b = await device('Dali Seed Bank', {
      wrap: (transport) => ({
        ...transport,
        async download(sha256, range) {
          const result = await transport.download(sha256, range);
          if (!isCorrupting || !result.ok || !result.value || sha256 !== photo.ref.variants.preview!.sha256) return result;
          const bytes = result.value.bytes.slice();
          bytes[0] = bytes[0]! ^ 0xff;
          return { ok: true, value: { ...result.value, bytes } };
        },
      }),
    });
    await start(b);
    await waitFor(settled(b), 20_000, 'B passed once');
    expect(await b.store.has(photo.ref.variants.thumbnail!.sha256)).toBe(true);
    expect(await b.store.has(photo.ref.variants.preview!.sha256)).toBe(false);
    expect(b.stored).toEqual([photo.ref.variants.thumbnail!.sha256]);

    isCorrupting = false;
    await b.blobSync.syncNow();
    expect(await b.store.has(photo.ref.variants.preview!.sha256)).toBe(true);
  });

  it('counts a reference whose blob never arrived as unavailable without holding up text, and fetches it on a later pass once it is there', async () => {
    const a = await device('Xishan Water Users');
    const photo = await makePhoto(a.store, { originalBytes: 1_000, previewBytes: 500, thumbnailBytes: 100 });
    const entryId = await entryWithPhotos(a.synced.client, [photo.ref]);
    await a.blobSync.setPolicy('none');
    await start(a);
    await waitFor(() => a.synced.engine.status.state === 'synced', 20_000, 'A synced its records');

    const b = await device('Dali Seed Bank');
    await start(b);
    await waitFor(() => settled(b)() && b.blobSync.status.unavailableCount === 2, 20_000, 'B saw two renditions unavailable');
    expect(await b.synced.client.get(entryId)).not.toBeNull();
    // B's text keeps syncing meanwhile.
    const later = await b.synced.client.create('entry', { kind: 'practice', title: 'Seed drying racks', language: 'en' });
    await waitFor(async () => (await hub.storage.getRecord(later)) !== null, 20_000, 'B text at the hub');

    await a.blobSync.setPolicy('full');
    await waitFor(settled(a), 20_000, 'A uploaded');
    await b.blobSync.syncNow();
    expect(await b.store.has(photo.ref.variants.thumbnail!.sha256)).toBe(true);
    expect(await b.store.has(photo.ref.variants.preview!.sha256)).toBe(true);
    expect(b.blobSync.status.unavailableCount).toBe(0);
  });

  it('fetches a photo its author uploads after the record arrived by itself, with nobody syncing on either side', async () => {
    const a = await device('Xishan Water Users');
    const photo = await makePhoto(a.store, { originalBytes: 1_000, previewBytes: 500, thumbnailBytes: 100 });
    await entryWithPhotos(a.synced.client, [photo.ref]);
    await a.blobSync.setPolicy('none');
    await start(a);
    await waitFor(() => a.synced.engine.status.state === 'synced', 20_000, 'A synced its records');

    const b = await device('Dali Seed Bank', { unavailableRetryMs: 300 });
    await start(b);
    await waitFor(() => settled(b)() && b.blobSync.status.unavailableCount === 2, 20_000, 'B saw two renditions unavailable');
    // A's link turns full: its media go up. The hub announces records, not blobs: B must ask again by itself.
    await a.blobSync.setPolicy('full');
    await waitFor(() => isOnHub(hub, photo.ref.variants.preview!.sha256), 20_000, 'A uploaded');
    await waitFor(async () => (await b.store.has(photo.ref.variants.preview!.sha256)) && b.blobSync.status.unavailableCount === 0, 20_000, 'B fetched them by itself');
    expect(await b.store.has(photo.ref.variants.thumbnail!.sha256)).toBe(true);
  });

  it("does not want another organization's photo whose consent is pending: its bytes stay with the owner, and it is fetched once consent is given", async () => {
    const a = await device('Xishan Water Users');
    const photo = await makePhoto(a.store, { originalBytes: 1_000, previewBytes: 500, thumbnailBytes: 100 });
    const entryId = await entryWithPhotos(a.synced.client, [photo.ref], 'Seed saving with the elders', 'pending');
    await start(a);
    await waitFor(async () => settled(a)() && (await isOnHub(hub, photo.ref.sha256)), 20_000, 'A uploaded its own photo');

    const b = await device('Dali Seed Bank');
    await start(b);
    await waitFor(async () => settled(b)() && (await b.synced.client.get(entryId)) !== null, 20_000, 'B has the entry');
    await b.blobSync.syncNow();
    expect(b.blobSync.status.unavailableCount).toBe(0);
    expect(await b.store.has(photo.ref.variants.thumbnail!.sha256)).toBe(false);
    // Not even asked about: B's device does not count on bytes the hub will never give it.
    const asked = wire.requestLog.filter((r) => r.path === '/v1/blobs/missing').length;
    expect(asked).toBe(1);

    await a.synced.client.mutate(entryId, entryMutators.setAttachmentConsent, { id: 'photo-1', consent: 'given' });
    await waitFor(() => b.store.has(photo.ref.variants.preview!.sha256), 20_000, 'B fetched it once consent was given');
  });

  it('takes a refusal for one blob (too large, not ours) without stopping the others', async () => {
    const a = await device('Xishan Water Users');
    const photo = await makePhoto(a.store, { originalBytes: 60_000, previewBytes: 5_000, thumbnailBytes: 500 });
    await entryWithPhotos(a.synced.client, [photo.ref]);
    // The secretariat lowers the network's limit after the photo was attached on the device.
    const secretariat = await hub.join(hub.secretariatCode);
    const set = await request(hub.url, '/v1/admin/settings', { method: 'PUT', token: secretariat.token, body: JSON.stringify({ maxAttachmentBytes: 50_000 }), headers: { 'content-type': 'application/json' } });
    expect(set.status).toBe(200);
    await start(a);
    await waitFor(settled(a), 20_000, 'A passed');
    expect(await isOnHub(hub, photo.ref.variants.preview!.sha256)).toBe(true);
    expect(await isOnHub(hub, photo.ref.sha256)).toBe(false);
    expect(a.blobSync.status.refusedCount).toBe(1);
    // Not offered again to a hub that refused it as too large.
    const before = blobRouteLog(wire).length;
    await a.blobSync.syncNow();
    expect(blobRouteLog(wire).slice(before).filter((line) => line.startsWith('POST /v1/uploads'))).toEqual([]);
  });
});
