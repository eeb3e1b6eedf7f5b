import { randomBytes } from 'node:crypto';
import { describeBlob } from '../../shared/blobs/describeBlob';
import type { BlobRef } from '../../shared/blobs/blobRef';
import type { DeviceBlobStore } from '../../shared/blobs/deviceBlobStore';
import type { FieldwiseClient } from '../../shared/client/client';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { BlobSync, type BlobSyncOptions } from '../../shared/sync/blobSync';
import { createHttpBlobTransport, type BlobTransport } from '../../shared/sync/blobTransport';
import type { SyncedClient } from './syncedClient';
import { systemClock } from './syncedClient';

/*
 * Photos for blob sync tests: random bytes (incompressible, as JPEG is) in three renditions, put
 * in a device blob store and attached to an entry the way the capture UI does.
 */

export const sharedPractice: EntryInput = {
  kind: 'practice',
  title: 'Drip irrigation from recycled bottles',
  body: 'Fill the bottles every third day.',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

export interface PhotoSizes {
  readonly originalBytes: number;
  readonly previewBytes: number;
  readonly thumbnailBytes: number;
}

/** Makes the renditions, stores them on `store` (unless `isStored` is false) and returns the reference. */
export async function makePhoto(store: DeviceBlobStore | null, sizes: PhotoSizes): Promise<{ ref: BlobRef; bytes: { original: Uint8Array; preview: Uint8Array; thumbnail: Uint8Array } }> {
  const bytes = { original: new Uint8Array(randomBytes(sizes.originalBytes)), preview: new Uint8Array(randomBytes(sizes.previewBytes)), thumbnail: new Uint8Array(randomBytes(sizes.thumbnailBytes)) };
  const original = describeBlob(bytes.original, 'image/jpeg');
  const preview = describeBlob(bytes.preview, 'image/jpeg');
  const thumbnail = describeBlob(bytes.thumbnail, 'image/jpeg');
  if (store) {
    await store.put(original, bytes.original);
    await store.put(preview, bytes.preview);
    await store.put(thumbnail, bytes.thumbnail);
  }
  return { ref: { ...original, variants: { preview, thumbnail } }, bytes };
}

/** An entry shared with the network holding these photos. */
export async function entryWithPhotos(client: FieldwiseClient, refs: readonly BlobRef[], title = sharedPractice.title): Promise<string> {
  const id = await client.create('entry', { ...sharedPractice, title });
  for (const [index, ref] of refs.entries()) {
    await client.mutate(id, entryMutators.addAttachment, {
      id: `photo-${index + 1}`,
      attachment: { kind: 'photo', ref, name: `photo-${index + 1}.jpg`, caption: '', consent: 'not-needed', keepsLocation: false },
    });
  }
  return id;
}

export function blobTransportFor(url: string, token: string): BlobTransport {
  return createHttpBlobTransport({ baseUrl: url, token, fetch: (target, init) => fetch(target, init) });
}

/** A blob sync beside a synced client's record engine, on the real clock. */
export function blobSyncFor(device: SyncedClient, store: DeviceBlobStore, transport: BlobTransport, options: Partial<BlobSyncOptions> = {}): BlobSync {
  return new BlobSync({ client: device.client, recordSync: device.engine, store, transport, clock: systemClock, ...options });
}
