import type { BlobContent } from '../../shared/blobs/blobRef';
import type { DeviceBlobStore } from '../../shared/blobs/deviceBlobStore';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import { DEVICE_BLOB_DATABASE, IndexedDbBlobStore } from './indexedDbBlobStore';

/*
 * The app's one device blob store (photos, voice recordings, documents: issue 18), shared by the
 * capture UI, the gallery, the storage screen and the blob sync: IndexedDB in the browser and in
 * Electron (renderer/data/indexedDbBlobStore.ts). The database opens on first use; every call
 * waits for it. Only where a page has no IndexedDB at all (none of the supported platforms) does
 * it fall back to memory, where nothing survives a reload.
 */
let store: DeviceBlobStore | null = null;
let opened: Promise<IndexedDbBlobStore> | null = null;

/** A store whose every call waits for `opening` (a failed open fails every call with its reason). */
function whenOpen(opening: Promise<DeviceBlobStore>): DeviceBlobStore {
  return {
    put: async (content: BlobContent, bytes: Uint8Array) => (await opening).put(content, bytes),
    get: async (sha256) => (await opening).get(sha256),
    has: async (sha256) => (await opening).has(sha256),
    stat: async (sha256) => (await opening).stat(sha256),
    missing: async (sha256s) => (await opening).missing(sha256s),
    delete: async (sha256) => (await opening).delete(sha256),
    markConfirmed: async (sha256) => (await opening).markConfirmed(sha256),
    evict: async (sha256) => (await opening).evict(sha256),
    list: async () => (await opening).list(),
    usage: async () => (await opening).usage(),
  };
}

export function deviceBlobStore(): DeviceBlobStore {
  if (store) return store;
  const factory = typeof indexedDB === 'undefined' ? null : indexedDB;
  if (factory) {
    opened = IndexedDbBlobStore.open({ factory });
    store = whenOpen(opened);
  } else store = new MemoryDeviceBlobStore();
  return store;
}

/**
 * Erases every blob on this device (signing out with "erase", leaving the demo): photos and voices
 * of people must not stay behind on a laptop handed on. Unsent blobs go too; that is what erase means,
 * and the sign-out dialog says how many changes are unsent.
 */
export async function eraseDeviceBlobs(): Promise<void> {
  const opening = opened;
  store = null;
  opened = null;
  if (opening) (await opening.catch(() => null))?.close();
  if (typeof indexedDB === 'undefined') return;
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DEVICE_BLOB_DATABASE);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error('cannot erase the blob database'));
  });
}
