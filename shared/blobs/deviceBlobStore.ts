import type { BlobContent } from './blobRef';

/*
 * The device's blob storage: bytes under their SHA-256, beside the record store as AFFiNE's
 * nbstore keeps blob storage beside doc storage, each with its own sync. The record store never
 * holds bytes and this store never holds records; what ties them is the BlobRef a record holds.
 *
 * Guarantees every implementation keeps (test/unit/deviceBlobStore.contract.ts):
 * - `put` stores the bytes only if they hash to the address given, and whole: a crash during a put
 *   leaves the blob absent, never short (write to a temporary key, then rename or commit).
 * - A stored blob never changes; a second put of the same bytes is a no-op.
 * - What `get` returns is the caller's copy, and the bytes `put` took are copied in: neither side
 *   can change a stored blob by writing into an array afterwards.
 * The IndexedDB implementation (renderer) and a filesystem one (electron/) come with the media issue.
 */

export interface StoredBlob extends BlobContent {
  /** When this device stored it (ms since the epoch), for eviction of previews it can fetch again. */
  readonly storedAt: number;
}

export interface BlobStoreUsage {
  readonly blobCount: number;
  readonly totalBytes: number;
}

export interface DeviceBlobStore {
  /**
   * Stores `bytes` as `content`, after checking that they are `content.sizeBytes` long and hash to
   * `content.sha256`; throws BlobError ('size-mismatch', 'hash-mismatch') and stores nothing
   * otherwise. Bytes a device captured itself are put with the content `describeBlob` gives.
   */
  put(content: BlobContent, bytes: Uint8Array): Promise<StoredBlob>;
  get(sha256: string): Promise<Uint8Array | null>;
  has(sha256: string): Promise<boolean>;
  stat(sha256: string): Promise<StoredBlob | null>;
  /** The hashes of `sha256s` this device does not hold, in the order given, each once. */
  missing(sha256s: readonly string[]): Promise<string[]>;
  /** Removes a blob; removing one that is absent is a no-op. */
  delete(sha256: string): Promise<void>;
  /** How many blobs and bytes the device holds, for the storage screen and an eviction budget. */
  usage(): Promise<BlobStoreUsage>;
}
