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
 * - A blob is unconfirmed until the blob sync learns that the hub holds it (`markConfirmed`), and
 *   an unconfirmed blob is never evicted: it may be the only copy anywhere. `evict` frees only
 *   confirmed blobs; `delete` removes any (a capture the author discarded before it was attached).
 * The IndexedDB implementation is renderer/data/indexedDbBlobStore.ts.
 */

export interface StoredBlob extends BlobContent {
  /** When this device stored it (ms since the epoch), for eviction of previews it can fetch again. */
  readonly storedAt: number;
  /** The hub is known to hold these bytes (the blob sync said so): the device may free them. */
  readonly isConfirmed: boolean;
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
  /**
   * Records that the hub holds this blob (after an upload the hub acknowledged, a download from
   * the hub, or the hub's answer that it has it). A no-op for a blob this device does not hold;
   * a confirmed blob stays confirmed.
   */
  markConfirmed(sha256: string): Promise<void>;
  /**
   * Frees a blob the hub holds, to make room; returns whether it was freed. An unconfirmed blob is
   * kept and `false` returned: nothing not yet sent is ever evicted. Absent: `false`.
   */
  evict(sha256: string): Promise<boolean>;
  /** Every blob this device holds, for the storage screen (without the bytes). */
  list(): Promise<StoredBlob[]>;
  /** How many blobs and bytes the device holds, for the storage screen and an eviction budget. */
  usage(): Promise<BlobStoreUsage>;
}
