import { randomUUID } from 'node:crypto';
import { BlobError } from '../../shared/blobs/blobError';
import { blobContentSchema, type BlobContent } from '../../shared/blobs/blobRef';
import { checkBlobBytes } from '../../shared/blobs/checkBlobBytes';
import type { BlobUpload, ByteRange, HubBlob, HubBlobStorage, UploadOptions } from './hubBlobStorage';

interface PendingUpload {
  readonly content: BlobContent;
  readonly uploadId: string;
  readonly owner: string;
  readonly isProof: boolean;
  readonly createdAt: number;
  readonly chunks: Uint8Array[];
  offset: number;
  touchedAt: number;
}

const uploadKey = (sha256: string, owner: string): string => `${sha256}\0${owner}`;

/** A HubBlobStorage in memory: for tests, and the reference the contract suite checks. */
export class MemoryHubBlobStorage implements HubBlobStorage {
  readonly #blobs = new Map<string, { readonly blob: HubBlob; readonly bytes: Uint8Array }>();
  readonly #uploads = new Map<string, PendingUpload>();
  /** (hash, owner) -> the upload under way. */
  readonly #uploadIdByKey = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  async has(sha256: string): Promise<boolean> {
    return this.#blobs.has(sha256);
  }

  async missing(sha256s: readonly string[]): Promise<string[]> {
    return [...new Set(sha256s)].filter((sha256) => !this.#blobs.has(sha256));
  }

  async stat(sha256: string): Promise<HubBlob | null> {
    return this.#blobs.get(sha256)?.blob ?? null;
  }

  async get(sha256: string, range?: ByteRange): Promise<Uint8Array | null> {
    const stored = this.#blobs.get(sha256);
    if (!stored) return null;
    if (!range) return stored.bytes.slice();
    if (!Number.isSafeInteger(range.offset) || range.offset < 0 || range.offset > stored.bytes.length) {
      throw new BlobError('out-of-range', `blob ${sha256} has ${stored.bytes.length} bytes; a read cannot start at ${range.offset}`);
    }
    const end = range.length === undefined ? stored.bytes.length : range.offset + Math.max(0, range.length);
    return stored.bytes.slice(range.offset, end);
  }

  async put(content: BlobContent, bytes: Uint8Array): Promise<HubBlob> {
    const checked = blobContentSchema.parse(content);
    checkBlobBytes(checked, bytes);
    return this.#store(checked, bytes.slice());
  }

  async createUpload(content: BlobContent, options: UploadOptions = {}): Promise<BlobUpload> {
    const checked = blobContentSchema.parse(content);
    const owner = options.owner ?? '';
    const stored = this.#blobs.get(checked.sha256);
    if (stored && !options.isProof) return { ...stored.blob, uploadId: randomUUID(), owner, offset: stored.blob.sizeBytes, createdAt: this.now(), isComplete: true };
    const underWay = this.#uploadIdByKey.get(uploadKey(checked.sha256, owner));
    const pending = underWay === undefined ? undefined : this.#uploads.get(underWay);
    if (pending) return view(pending);
    const now = this.now();
    const upload: PendingUpload = { content: checked, uploadId: randomUUID(), owner, isProof: options.isProof ?? false, createdAt: now, chunks: [], offset: 0, touchedAt: now };
    this.#uploads.set(upload.uploadId, upload);
    this.#uploadIdByKey.set(uploadKey(checked.sha256, owner), upload.uploadId);
    // Nothing to wait for: an empty blob is complete (or refused) as soon as it is announced.
    return checked.sizeBytes === 0 ? this.#finish(upload) : view(upload);
  }

  async upload(uploadId: string): Promise<BlobUpload | null> {
    const upload = this.#uploads.get(uploadId);
    return upload ? view(upload) : null;
  }

  async appendUpload(uploadId: string, offset: number, chunk: Uint8Array): Promise<BlobUpload> {
    const upload = this.#uploads.get(uploadId);
    if (!upload) throw new BlobError('unknown-upload', `no upload ${uploadId} is under way`);
    if (offset !== upload.offset) {
      throw new BlobError('offset-mismatch', `upload ${uploadId} stands at byte ${upload.offset}, not ${offset}`, upload.offset);
    }
    if (upload.offset + chunk.length > upload.content.sizeBytes) {
      throw new BlobError('size-mismatch', `upload ${uploadId} declared ${upload.content.sizeBytes} bytes; this chunk would end at ${upload.offset + chunk.length}`);
    }
    upload.chunks.push(chunk.slice());
    upload.offset += chunk.length;
    upload.touchedAt = this.now();
    return upload.offset === upload.content.sizeBytes ? this.#finish(upload) : view(upload);
  }

  async abortUpload(uploadId: string): Promise<void> {
    const upload = this.#uploads.get(uploadId);
    if (upload) this.#forget(upload);
  }

  async delete(sha256: string): Promise<void> {
    this.#blobs.delete(sha256);
  }

  async storedBefore(before: number, limit: number): Promise<HubBlob[]> {
    return [...this.#blobs.values()]
      .map(({ blob }) => blob)
      .filter((blob) => blob.storedAt < before)
      .sort((a, b) => a.storedAt - b.storedAt)
      .slice(0, limit);
  }

  async discardUploadsIdleSince(before: number): Promise<number> {
    const idle = [...this.#uploads.values()].filter((upload) => upload.touchedAt < before);
    for (const upload of idle) this.#forget(upload);
    return idle.length;
  }

  #finish(upload: PendingUpload): BlobUpload {
    this.#forget(upload);
    const bytes = new Uint8Array(upload.offset);
    let at = 0;
    for (const chunk of upload.chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    checkBlobBytes(upload.content, bytes);
    const blob = this.#store(upload.content, bytes);
    return { ...blob, uploadId: upload.uploadId, owner: upload.owner, offset: blob.sizeBytes, createdAt: upload.createdAt, isComplete: true };
  }

  #forget(upload: PendingUpload): void {
    this.#uploads.delete(upload.uploadId);
    this.#uploadIdByKey.delete(uploadKey(upload.content.sha256, upload.owner));
  }

  #store(content: BlobContent, bytes: Uint8Array): HubBlob {
    const existing = this.#blobs.get(content.sha256);
    if (existing) return existing.blob;
    const blob: HubBlob = { ...content, storedAt: this.now() };
    this.#blobs.set(content.sha256, { blob, bytes });
    return blob;
  }
}

function view(upload: PendingUpload): BlobUpload {
  return { ...upload.content, uploadId: upload.uploadId, owner: upload.owner, offset: upload.offset, createdAt: upload.createdAt, isComplete: false };
}
