import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import type { Store } from '../../shared/store/store';
import type { BlobSync } from '../../shared/sync/blobSync';
import { blobSyncFor, blobTransportFor, entryWithPhotos, isOnHub, makePhoto, sharedPractice } from '../support/blobFixtures';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';

/*
 * Blob sync works out its needs a page at a time (client.listInPages, 100 rows a page). A record
 * written between two pages of that read is ahead of it and missed; blob sync relies on its
 * changedRecords and a later pass for it. Held at 07405c2 (these tests passed there already): a record
 * pulled, or written here, between the pages of the first pass's read has its media moved.
 */

let hub: TestHub;
const closing: (() => Promise<void>)[] = [];

beforeEach(async () => {
  hub = await startTestHub();
});

afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
  await hub.close();
});

interface Device {
  readonly synced: SyncedClient;
  readonly store: MemoryDeviceBlobStore;
  readonly blobSync: BlobSync;
}

async function device(orgName: string): Promise<Device> {
  const join = await hub.join(await hub.invite(orgName));
  const synced = await syncedClient({ url: hub.url }, join, { engine: { stallTimeoutMs: 5_000 } });
  const store = new MemoryDeviceBlobStore();
  const blobSync = blobSyncFor(synced, store, blobTransportFor(hub.url, join.token), { chunkBytes: 64 * 1024, stallTimeoutMs: 5_000 });
  closing.push(async () => {
    await blobSync.stop();
    await synced.close();
  });
  return { synced, store, blobSync };
}

/** Runs `during` once, after the first page of the next paged read of `d`'s records, before the read goes on. */
function betweenPages(d: Device, during: () => Promise<void>): { readonly hasRun: () => boolean } {
  const store = (d.synced.client as unknown as { store: Store }).store;
  const findPageAfter = store.findPageAfter.bind(store);
  let state: 'armed' | 'running' | 'done' = 'armed';
  store.findPageAfter = async (type, after, limit) => {
    const page = await findPageAfter(type, after, limit);
    if (state === 'armed' && type === 'entry' && after === null && page.length === limit) {
      state = 'running';
      await during();
      state = 'done';
    }
    return page;
  };
  return { hasRun: () => state === 'done' };
}

describe('media of a record written during the paged read of needs', () => {
  it('is downloaded when the record was pulled between two pages of the first pass', { timeout: 90_000 }, async () => {
    const a = await device('Xishan Water Users');
    for (let i = 0; i < 130; i++) await a.synced.client.create('entry', { ...sharedPractice, title: `Practice ${i}` });
    await a.synced.engine.start();
    await a.blobSync.start();
    await waitFor(() => a.synced.engine.status.state === 'synced', 30_000, 'A synced');

    const b = await device('Dali Seed Savers');
    let photoEntry = '';
    let photo: Awaited<ReturnType<typeof makePhoto>> | null = null;
    const hook = betweenPages(b, async () => {
      photo = await makePhoto(a.store, { originalBytes: 80_000, previewBytes: 20_000, thumbnailBytes: 2_000 });
      photoEntry = await entryWithPhotos(a.synced.client, [photo.ref], 'Terraced rice under drip lines');
      await waitFor(async () => (await isOnHub(hub, photo!.ref.variants.thumbnail!.sha256)) && (await isOnHub(hub, photo!.ref.variants.preview!.sha256)), 30_000, 'A uploaded');
      await b.synced.engine.syncNow();
      await waitFor(async () => (await b.synced.client.get(photoEntry)) !== null, 30_000, 'B pulled the photo entry');
    });
    await b.synced.engine.start();
    await b.blobSync.start();
    await waitFor(hook.hasRun, 60_000, 'the hook ran during B’s paged read');
    await waitFor(async () => (await b.store.get(photo!.ref.variants.thumbnail!.sha256)) !== null && (await b.store.get(photo!.ref.variants.preview!.sha256)) !== null, 30_000, 'B downloaded the photo’s thumbnail and preview');
    expect(await b.store.get(photo!.ref.variants.thumbnail!.sha256)).toEqual(photo!.bytes.thumbnail);
  });

  it('is uploaded when the record was written here between two pages of the first pass', { timeout: 90_000 }, async () => {
    const a = await device('Xishan Water Users');
    for (let i = 0; i < 130; i++) await a.synced.client.create('entry', { ...sharedPractice, title: `Practice ${i}` });
    let photo: Awaited<ReturnType<typeof makePhoto>> | null = null;
    const hook = betweenPages(a, async () => {
      photo = await makePhoto(a.store, { originalBytes: 80_000, previewBytes: 20_000, thumbnailBytes: 2_000 });
      await entryWithPhotos(a.synced.client, [photo.ref], 'Terraced rice under drip lines');
    });
    await a.synced.engine.start();
    await a.blobSync.start();
    await waitFor(hook.hasRun, 60_000, 'the hook ran during the paged read');
    const { ref } = photo!;
    await waitFor(async () => (await isOnHub(hub, ref.sha256)) && (await isOnHub(hub, ref.variants.preview!.sha256)) && (await isOnHub(hub, ref.variants.thumbnail!.sha256)), 30_000, 'the photo uploaded');
  });
});
