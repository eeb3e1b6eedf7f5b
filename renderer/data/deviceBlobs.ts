import type { DeviceBlobStore } from '../../shared/blobs/deviceBlobStore';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';

/*
 * The app's one device blob store (photos, voice recordings, documents: issue 18), shared by the
 * capture UI, the gallery and the blob sync. Until the IndexedDB store lands this is a memory
 * store (nothing survives a reload); the media-device work replaces it with the persistent one.
 */
let store: DeviceBlobStore | null = null;

export function deviceBlobStore(): DeviceBlobStore {
  return (store ??= new MemoryDeviceBlobStore());
}
