import { BlobError } from '../../shared/blobs/blobError';
import type { BlobContent } from '../../shared/blobs/blobRef';
import { DEFAULT_MAX_ATTACHMENT_BYTES, NETWORK_RECORD_ID } from '../../shared/records/network';
import { canChange, canRead, type Actor } from '../../shared/rules/rules';
import type { BlobUpload, ByteRange, HubBlob, HubBlobStorage } from '../storage/hubBlobStorage';
import type { BlobReference, HubStorage } from '../storage/hubStorage';
import { HubError } from './hubError';

/*
 * Who may read and write which blob, and garbage collection: the hub's core of the blob routes
 * (server/http/blobRoutes.ts puts it on the wire; docs/PROTOCOL.md "Blobs", docs/SECURITY.md).
 *
 * A blob has no owner of its own: it is authorized through the stored records that reference it
 * (the blob index, HubStorage's BlobIndex, kept at each commit).
 * - Write: an organization may upload a blob only if a stored record it may `edit` references the
 *   hash with the same size and type. Records reach the hub before their blobs, so the hub never
 *   holds bytes nobody points at, and an observer (who edits nothing) never uploads.
 * - Read: a caller may read a blob if it may read (canRead, with the record's stored facts: owner-
 *   only labels, private drafts, everything the rules table says) a stored record whose current
 *   projection references the hash, unless every attachment naming it there is consent-`pending`
 *   and the caller is not the record's owner.
 * - A reference counts for reading only once its record's owner has shown it holds the bytes (it
 *   uploaded them, or could already read them when it asked): otherwise anyone who saw a hash (a
 *   pending attachment's reference leaves its organization; only its bytes do not) could put it in
 *   an entry of their own and read the photo through it. Such an organization uploads the bytes
 *   (a "proof" upload, checked against the hash, storing nothing new) before its reference counts.
 * - Absent and not readable are one answer (`missing`, 404 `not-found`): no existence oracle.
 */

export const blobLimits = {
  /** Hashes in one `POST /v1/blobs/missing`. */
  maxMissingQuery: 1000,
  /** One PATCH body. */
  maxChunkBytes: 4 * 1024 * 1024,
  /** A blob no stored record references is deleted this long after it was last referenced or stored. */
  gcGraceMs: 7 * 24 * 3600_000,
  /** An upload that received nothing for this long is discarded. */
  abandonedUploadMs: 24 * 3600_000,
  /** Blobs looked at per collection run (oldest first); the next run goes on. */
  gcBatch: 10_000,
} as const;

export interface BlobCollection {
  readonly deletedBlobs: number;
  readonly discardedUploads: number;
}

/** A refusal of a chunk that does not start where the upload stands: the body says where it does. */
export class OffsetMismatchError extends HubError {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super('offset-mismatch', message);
  }

  override toBody(): ReturnType<HubError['toBody']> & { error: { offset: number } } {
    const body = super.toBody();
    return { error: { ...body.error, offset: this.offset } };
  }
}

/** A blob store's refusal as the protocol's. */
function refusalOf(error: unknown): unknown {
  if (!(error instanceof BlobError)) return error;
  if (error.code === 'offset-mismatch') return new OffsetMismatchError(error.offset ?? 0, error.message);
  return new HubError(error.code, error.message);
}

const unknownUpload = (uploadId: string) => new HubError('unknown-upload', `no upload ${uploadId} is under way for this organization`);

export class BlobAccess {
  constructor(
    private readonly storage: HubStorage,
    readonly blobs: HubBlobStorage,
    private readonly now: () => number,
  ) {}

  /** The network's `maxAttachmentBytes` (network settings), read from the network record. */
  async maxAttachmentBytes(): Promise<number> {
    const network = await this.storage.getRecord(NETWORK_RECORD_ID);
    const value = network?.projection.maxAttachmentBytes;
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_MAX_ATTACHMENT_BYTES;
  }

  /** The hashes of `sha256s` `actor` may read (whether stored or not). */
  async readable(actor: Actor, sha256s: readonly string[]): Promise<Set<string>> {
    if (sha256s.length === 0) return new Set();
    const [refs, holders] = await Promise.all([this.storage.blobReferences(sha256s), this.storage.blobHolders(sha256s)]);
    return new Set(refs.filter((ref) => holders.get(ref.sha256)?.has(ref.header.ownerOrg) === true && this.#isReadableThrough(actor, ref)).map((ref) => ref.sha256));
  }

  #isReadableThrough(actor: Actor, ref: BlobReference): boolean {
    if (ref.isConsentPending && actor.orgId !== ref.header.ownerOrg) return false;
    return canRead(actor, ref.header, ref.facts);
  }

  /**
   * `POST /v1/blobs/missing`: those of `sha256s` the hub does not hold or `actor` may not read, in
   * the order given, each once. A hash the caller may read and references in a record of its own
   * makes it a holder: it could download the bytes, so its own references count from now on.
   */
  async missing(actor: Actor & { readonly orgId: string }, sha256s: readonly string[]): Promise<string[]> {
    const unique = [...new Set(sha256s)];
    const absent = new Set(await this.blobs.missing(unique));
    const stored = unique.filter((sha256) => !absent.has(sha256));
    const readable = await this.readable(actor, stored);
    if (readable.size > 0) await this.#holdOwnReferences(actor, [...readable]);
    return unique.filter((sha256) => !readable.has(sha256));
  }

  async #holdOwnReferences(actor: Actor, sha256s: readonly string[]): Promise<void> {
    const [refs, holders] = await Promise.all([this.storage.blobReferences(sha256s), this.storage.blobHolders(sha256s)]);
    const own = new Set(refs.filter((ref) => ref.header.ownerOrg === actor.orgId && holders.get(ref.sha256)?.has(actor.orgId) !== true).map((ref) => ref.sha256));
    for (const sha256 of own) await this.storage.addBlobHolder(sha256, actor.orgId, this.now());
  }

  /** `POST /v1/uploads`: begins (or resumes, or finds complete) the upload of `content` for `actor`'s organization. */
  async createUpload(actor: Actor, content: BlobContent): Promise<BlobUpload> {
    await this.#assertWritable(actor, content);
    if ((await this.readable(actor, [content.sha256])).has(content.sha256) && (await this.blobs.has(content.sha256))) {
      await this.storage.addBlobHolder(content.sha256, actor.orgId, this.now());
      return this.blobs.createUpload(content, { owner: actor.orgId });
    }
    // Not readable by the caller: it sends the bytes, whether or not the blob is stored by now. A
    // `has()` asked first goes stale when another's upload lands before the store answers, and a
    // "complete" answer would make the caller a holder without a byte sent (blobHolderRace.test.ts).
    const upload = await this.blobs.createUpload(content, { owner: actor.orgId, isProof: true }).catch((error: unknown) => Promise.reject(refusalOf(error)));
    if (upload.isComplete) await this.storage.addBlobHolder(content.sha256, actor.orgId, this.now());
    return upload;
  }

  /**
   * A blob carried whole (a bundle's blob entry, for the bundle import to call once its records
   * are committed): taken with the same rule as an upload (a stored record `actor` may edit names
   * it with this size and type, within the size limit), stored only if the bytes hash to their
   * address (422 `hash-mismatch`), idempotent; `actor`'s organization becomes a holder.
   */
  async importBlob(actor: Actor, content: BlobContent, bytes: Uint8Array): Promise<HubBlob> {
    await this.#assertWritable(actor, content);
    const blob = await this.blobs.put(content, bytes).catch((error: unknown) => Promise.reject(refusalOf(error)));
    await this.storage.addBlobHolder(content.sha256, actor.orgId, this.now());
    return blob;
  }

  async #assertWritable(actor: Actor, content: BlobContent): Promise<void> {
    const limit = await this.maxAttachmentBytes();
    if (content.sizeBytes > limit) {
      throw new HubError('blob-too-large', `this network takes attachments of at most ${limit} bytes (${formatMiB(limit)}); this one has ${content.sizeBytes}`);
    }
    const refs = await this.storage.blobReferences([content.sha256]);
    const isWritable = refs.some(
      (ref) => ref.sizeBytes === content.sizeBytes && ref.mediaType === content.mediaType && canChange(actor, ref.header, ['edit'], ref.facts).isAllowed,
    );
    // One answer whether no record names the hash, or only records the caller may not edit.
    if (!isWritable) throw new HubError('forbidden', 'no stored record this organization may edit references this blob with this size and type: push the record first');
  }

  /** `HEAD /v1/uploads/<id>`: only the organization that created an upload sees it. */
  async uploadOf(actor: Actor, uploadId: string): Promise<BlobUpload> {
    const upload = await this.blobs.upload(uploadId);
    if (!upload || upload.owner !== actor.orgId) throw unknownUpload(uploadId);
    return upload;
  }

  /** `PATCH /v1/uploads/<id>`: appends a chunk; at the last byte the hash is checked and the blob stored. */
  async append(actor: Actor, uploadId: string, offset: number, chunk: Uint8Array): Promise<BlobUpload> {
    await this.uploadOf(actor, uploadId);
    if (chunk.length > blobLimits.maxChunkBytes) throw new HubError('body-too-large', `a chunk may be at most ${blobLimits.maxChunkBytes} bytes`);
    const upload = await this.blobs.appendUpload(uploadId, offset, chunk).catch((error: unknown) => Promise.reject(refusalOf(error)));
    if (upload.isComplete) await this.storage.addBlobHolder(upload.sha256, actor.orgId, this.now());
    return upload;
  }

  /** `DELETE /v1/uploads/<id>`. */
  async abort(actor: Actor, uploadId: string): Promise<void> {
    await this.uploadOf(actor, uploadId);
    await this.blobs.abortUpload(uploadId);
  }

  /** `GET /v1/blobs/<sha256>`: the blob's description, if `actor` may read it; `not-found` otherwise (absent or not readable alike). */
  async readableBlob(actor: Actor, sha256: string): Promise<HubBlob> {
    const blob = await this.blobs.stat(sha256);
    if (!blob || !(await this.readable(actor, [sha256])).has(sha256)) throw new HubError('not-found', `no blob ${sha256} this device may read`);
    return blob;
  }

  /** Bytes of a blob already authorized by readableBlob. */
  async bytes(sha256: string, range: ByteRange): Promise<Uint8Array> {
    const bytes = await this.blobs.get(sha256, range).catch((error: unknown) => Promise.reject(refusalOf(error)));
    // Collected between the check and the read: as absent as before the check.
    if (!bytes) throw new HubError('not-found', `no blob ${sha256} this device may read`);
    return bytes;
  }

  /**
   * Garbage collection (`hub gc-blobs`, and the serving hub's daily timer): deletes each blob no
   * stored record references whose last reference (or, never referenced, its storing) is older
   * than the grace period, and discards uploads idle for a day. Idempotent; a blob referenced again
   * within the grace is kept. A record committed between the check and the delete that references
   * the blob again finds it missing, and its device uploads it again.
   */
  async collect(now: number = this.now()): Promise<BlobCollection> {
    const cutoff = now - blobLimits.gcGraceMs;
    const candidates = await this.blobs.storedBefore(cutoff + 1, blobLimits.gcBatch);
    const unreferenced = await this.storage.unreferencedBlobs(candidates.map((blob) => blob.sha256));
    let deletedBlobs = 0;
    for (const [sha256, lastReferencedAt] of unreferenced) {
      if (lastReferencedAt !== null && lastReferencedAt > cutoff) continue;
      await this.blobs.delete(sha256);
      await this.storage.forgetBlob(sha256);
      deletedBlobs += 1;
    }
    const discardedUploads = await this.blobs.discardUploadsIdleSince(now - blobLimits.abandonedUploadMs);
    return { deletedBlobs, discardedUploads };
  }
}

const formatMiB = (bytes: number): string => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
