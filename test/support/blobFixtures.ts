import { randomBytes } from 'node:crypto';
import { describeBlob } from '../../shared/blobs/describeBlob';
import type { BlobRef } from '../../shared/blobs/blobRef';
import type { DeviceBlobStore } from '../../shared/blobs/deviceBlobStore';
import type { FieldwiseClient } from '../../shared/client/client';
import type { AttachmentConsent } from '../../shared/records/attachments';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { BlobSync, type BlobSyncOptions } from '../../shared/sync/blobSync';
import { createHttpBlobTransport, type BlobTransport } from '../../shared/sync/blobTransport';
import type { CountingProxy } from '../bench/byteCountingProxy';
import type { TestHub } from './hub';
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
export async function entryWithPhotos(client: FieldwiseClient, refs: readonly BlobRef[], title = sharedPractice.title, consent: AttachmentConsent = 'not-needed'): Promise<string> {
  const id = await client.create('entry', { ...sharedPractice, title });
  for (const [index, ref] of refs.entries()) {
    await client.mutate(id, entryMutators.addAttachment, {
      id: `photo-${index + 1}`,
      attachment: { kind: 'photo', ref, name: `photo-${index + 1}.jpg`, caption: '', consent, keepsLocation: false },
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

export const isBlobRoute = (path: string): boolean => path === '/v1/blobs/missing' || path.startsWith('/v1/blobs/') || path === '/v1/uploads' || path.startsWith('/v1/uploads/');

/** The hash an upload's creation names in its Upload-Metadata (tus: `sha256 <base64>`). */
function uploadHash(metadata: string | undefined): string {
  const pair = (metadata ?? '').split(',').map((item) => item.trim().split(' ')).find(([key]) => key === 'sha256');
  return pair?.[1] === undefined ? '?' : Buffer.from(pair[1], 'base64').toString('utf8');
}

/**
 * The blob route requests a counting proxy in front of the hub passed on, in arrival order, one
 * line each: `POST /v1/blobs/missing`, `POST /v1/uploads <sha256>`, `HEAD /v1/uploads/<id>`,
 * `PATCH /v1/uploads/<id> @<offset>`, `GET /v1/blobs/<sha256> bytes=a-b`.
 */
export function blobRouteLog(proxy: CountingProxy): string[] {
  return proxy.requestLog
    .filter((r) => isBlobRoute(r.path))
    .map((r) => {
      if (r.method === 'POST' && r.path === '/v1/uploads') return `POST /v1/uploads ${uploadHash(r.headers['upload-metadata'])}`;
      if (r.method === 'PATCH') return `PATCH ${r.path} @${r.headers['upload-offset'] ?? '?'}`;
      if (r.method === 'GET') return `GET ${r.path} ${r.headers['range'] ?? ''}`.trim();
      return `${r.method} ${r.path}`;
    });
}

/** PATCH body bytes that went through the proxy to the hub, whole chunks and chunks a cut broke off. */
export function chunkBytesSent(proxy: CountingProxy): number {
  return proxy.requestLog.filter((r) => r.method === 'PATCH' && r.path.startsWith('/v1/uploads/')).reduce((sum, r) => sum + r.bodyUp, 0);
}

/** Whether the hub stores the blob (in its data folder). */
export function isOnHub(hub: TestHub, sha256: string): Promise<boolean> {
  return hub.hub.blobAccess.blobs.has(sha256);
}
