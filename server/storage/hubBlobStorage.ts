import type { BlobContent } from '../../shared/blobs/blobRef';

/*
 * The hub's blob storage: bytes under their SHA-256, beside HubStorage (records) and never inside
 * it, as AFFiNE's nbstore keeps doc storage and blob storage side by side. The records say which
 * blobs exist (a BlobRef in a record); this store only keeps bytes and answers for them.
 *
 * Uploads resume by offset in the style of tus (tus.io): a device creates an upload for the
 * content it means to send, appends chunks each starting at the offset the hub reports, and after
 * a dropped link asks for the offset and carries on; a satellite minute is never spent twice on
 * the same bytes. Downloads resume by byte range.
 *
 * Guarantees every implementation keeps (test/unit/hubBlobStorage.contract.ts):
 * - A blob is stored only whole and only when its bytes hash to its address; a failed or
 *   abandoned upload leaves nothing under the hash.
 * - A stored blob never changes. An upload of content already stored is complete at once, so the
 *   second device to attach the same photo sends nothing.
 * - One upload per hash at a time: creating an upload for content already being uploaded
 *   returns that upload and its offset, so a device that lost its upload id resumes too.
 * The filesystem implementation (a data folder beside the SQLite file, or object storage beside
 * PostgreSQL), who may upload and read, and the HTTP routes come with the media issue.
 */

export interface HubBlob extends BlobContent {
  readonly storedAt: number;
}

export interface BlobUpload extends BlobContent {
  readonly uploadId: string;
  /** The bytes received so far: where the next chunk must start (tus' Upload-Offset). */
  readonly offset: number;
  readonly createdAt: number;
  /** The last byte arrived and the blob is stored; the upload id is spent. */
  readonly isComplete: boolean;
}

export interface ByteRange {
  readonly offset: number;
  /** Up to the end of the blob when absent; a range past the end is cut at the end. */
  readonly length?: number;
}

export interface HubBlobStorage {
  has(sha256: string): Promise<boolean>;
  /** The hashes of `sha256s` the hub does not hold, in the order given, each once. */
  missing(sha256s: readonly string[]): Promise<string[]>;
  stat(sha256: string): Promise<HubBlob | null>;
  /**
   * The blob's bytes, or `range` of them; null when absent. A range starting past the end throws
   * BlobError('out-of-range').
   */
  get(sha256: string, range?: ByteRange): Promise<Uint8Array | null>;
  /** Stores a blob sent whole, after checking its size and hash (BlobError otherwise). Idempotent. */
  put(content: BlobContent, bytes: Uint8Array): Promise<HubBlob>;
  /** Begins an upload of `content`, or returns the one under way for it, or a complete one if stored. */
  createUpload(content: BlobContent): Promise<BlobUpload>;
  /** Where an upload stands (tus' HEAD); null once it completed, was aborted, or never was. */
  upload(uploadId: string): Promise<BlobUpload | null>;
  /**
   * Appends `chunk` at `offset` (tus' PATCH). Throws BlobError 'offset-mismatch' (with the upload's
   * offset) unless `offset` is where the upload stands, 'size-mismatch' if the chunk runs past the
   * declared size, 'unknown-upload' for a spent or unknown id. When the last byte arrives the hash
   * is checked: on 'hash-mismatch' the upload is discarded and nothing is stored.
   */
  appendUpload(uploadId: string, offset: number, chunk: Uint8Array): Promise<BlobUpload>;
  /** Discards an upload and its bytes; an unknown id is a no-op. */
  abortUpload(uploadId: string): Promise<void>;
}
