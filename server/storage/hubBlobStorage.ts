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
 * - One upload per hash and owner at a time: creating an upload for content its owner is already
 *   uploading returns that upload and its offset, so a device that lost its upload id resumes
 *   too. Two owners (the hub passes organizations) uploading one content have an upload each, so
 *   neither can continue, nor be credited with, the other's bytes.
 * - An upload's bytes are kept chunk by chunk as they are appended: a chunk is taken whole or not
 *   at all, so after a drop the offset is the end of the last whole chunk.
 *
 * Implementations: memory (tests), files in the hub's data folder (fileHubBlobStorage.ts, the
 * embedded default beside SQLite) and PostgreSQL rows (postgresHubBlobStorage.ts, so every hub
 * process on one database serves every blob). Who may upload and read is not this store's
 * concern: server/hub/blobAccess.ts decides, from the records that reference a hash.
 *
 * Extension point, not built: an S3-compatible object store (MinIO, Ceph RGW, AWS S3) would
 * implement this same interface and pass the same contract suite: `put`/`get` as PutObject and
 * GetObject with a `Range` header under the key `blobs/<sha256>` (metadata: media type, stored
 * time); an upload as a multipart upload whose parts are the appended chunks (S3 parts must be at
 * least 5 MiB except the last, so chunks are gathered in `uploads/<id>/<n>` objects and composed
 * with UploadPartCopy, or sent by a device in 5 MiB chunks); the hash is checked by reading the
 * composed object back (S3's own checksums are per part) before it is copied under its address;
 * `storedBefore` and `discardUploadsIdleSince` as ListObjectsV2 over the two prefixes. Nothing
 * else in the hub changes (docs/PROTOCOL.md "Blobs", docs/SECURITY.md).
 */

export interface HubBlob extends BlobContent {
  readonly storedAt: number;
}

export interface BlobUpload extends BlobContent {
  readonly uploadId: string;
  /** Whose upload it is (UploadOptions.owner; '' when none was given). */
  readonly owner: string;
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

export interface UploadOptions {
  /** Whose upload this is: uploads of one content by two owners are apart. '' when absent. */
  readonly owner?: string;
  /**
   * Receive and check the bytes even when the blob is already stored: the sender proves it holds
   * them (the hub asks this of an organization that may not read the stored copy). Completing it
   * stores nothing new.
   */
  readonly isProof?: boolean;
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
  /**
   * Begins an upload of `content` for `options.owner`, or returns that owner's one under way for
   * it, or (unless `isProof`) a complete one if the blob is stored.
   */
  createUpload(content: BlobContent, options?: UploadOptions): Promise<BlobUpload>;
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
  /** Removes a stored blob (garbage collection); removing one that is absent is a no-op. */
  delete(sha256: string): Promise<void>;
  /** Blobs stored before `before` (ms), oldest first, at most `limit`: candidates for collection. */
  storedBefore(before: number, limit: number): Promise<HubBlob[]>;
  /** Discards every upload that received nothing since `before` (ms); returns how many. */
  discardUploadsIdleSince(before: number): Promise<number>;
}
