import { checkBlobBytes } from './checkBlobBytes';
import { blobContentSchema, type BlobContent } from './blobRef';
import type { BlobStoreUsage, DeviceBlobStore, StoredBlob } from './deviceBlobStore';

/** A DeviceBlobStore in memory: for tests and the demo, and the reference the contract suite checks. */
export class MemoryDeviceBlobStore implements DeviceBlobStore {
  readonly #blobs = new Map<string, { stored: StoredBlob; readonly bytes: Uint8Array }>();

  constructor(private readonly now: () => number = Date.now) {}

  async put(content: BlobContent, bytes: Uint8Array): Promise<StoredBlob> {
    const checked = blobContentSchema.parse(content);
    checkBlobBytes(checked, bytes);
    const existing = this.#blobs.get(checked.sha256);
    if (existing) return existing.stored;
    const stored: StoredBlob = { ...checked, storedAt: this.now(), isConfirmed: false };
    this.#blobs.set(checked.sha256, { stored, bytes: bytes.slice() });
    return stored;
  }

  async get(sha256: string): Promise<Uint8Array | null> {
    return this.#blobs.get(sha256)?.bytes.slice() ?? null;
  }

  async has(sha256: string): Promise<boolean> {
    return this.#blobs.has(sha256);
  }

  async stat(sha256: string): Promise<StoredBlob | null> {
    return this.#blobs.get(sha256)?.stored ?? null;
  }

  async missing(sha256s: readonly string[]): Promise<string[]> {
    return [...new Set(sha256s)].filter((sha256) => !this.#blobs.has(sha256));
  }

  async delete(sha256: string): Promise<void> {
    this.#blobs.delete(sha256);
  }

  async markConfirmed(sha256: string): Promise<void> {
    const held = this.#blobs.get(sha256);
    if (held) held.stored = { ...held.stored, isConfirmed: true };
  }

  async evict(sha256: string): Promise<boolean> {
    if (!this.#blobs.get(sha256)?.stored.isConfirmed) return false;
    return this.#blobs.delete(sha256);
  }

  async list(): Promise<StoredBlob[]> {
    return [...this.#blobs.values()].map(({ stored }) => stored);
  }

  async usage(): Promise<BlobStoreUsage> {
    let totalBytes = 0;
    for (const { stored } of this.#blobs.values()) totalBytes += stored.sizeBytes;
    return { blobCount: this.#blobs.size, totalBytes };
  }
}
