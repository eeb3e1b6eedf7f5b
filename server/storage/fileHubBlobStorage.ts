import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobError } from '../../shared/blobs/blobError';
import { blobContentSchema, type BlobContent } from '../../shared/blobs/blobRef';
import type { BlobUpload, ByteRange, HubBlob, HubBlobStorage, UploadOptions } from './hubBlobStorage';
import { SECRET_DIR_MODE, SECRET_FILE_MODE } from './secretFileModes';

/*
 * Blobs as files in the hub's data folder: the embedded default beside the SQLite file.
 *
 *   <data>/blobs/<first 2 hex>/<sha256>        the bytes, exactly as addressed
 *   <data>/blobs/<first 2 hex>/<sha256>.json   {sha256, sizeBytes, mediaType, storedAt}
 *   <data>/blob-uploads/<id>.part              an upload's bytes so far (its length is the offset)
 *   <data>/blob-uploads/<id>.json              {uploadId, owner, isProof, content, createdAt, touchedAt}
 *   <data>/blob-uploads/key-<hex>              the id of the upload under way for (hash, owner)
 *
 * Crashes: a blob is written to a temporary file in blob-uploads/, synced, then renamed under its
 * address (one filesystem, so the rename is atomic), after its .json: a blob is there whole, or
 * not at all (its presence is the data file's). A chunk is appended and synced before the upload's
 * offset (the .part's length) counts it; a crash in the middle of a chunk's write can leave part
 * of it, which the hash check at the last byte refuses (the device starts that upload again).
 * Folders are 0700 and files 0600, as the rest of the data folder (secretFileModes.ts): photos of
 * a knowledge holder are as private as the records that reference them.
 *
 * One hub process owns a data folder (SQLite's embedded mode), so concurrent requests on one
 * upload are serialized by an in-process lock, not a file lock.
 */

interface UploadMeta {
  readonly uploadId: string;
  readonly owner: string;
  readonly isProof: boolean;
  readonly content: BlobContent;
  readonly createdAt: number;
  readonly touchedAt: number;
}

const STALE_TEMPORARY_MS = 24 * 3600_000;
const HASH_PATTERN = /^[0-9a-f]{64}$/;
const UPLOAD_ID_PATTERN = /^[0-9a-f-]{36}$/;

const isMissing = (error: unknown): boolean => typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';

/** The SHA-256 of a file, read as a stream: the same digest as blobHash, without holding the file. */
async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Runs tasks with the same key one after another (in this process). */
class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

export class FileHubBlobStorage implements HubBlobStorage {
  readonly #blobsDir: string;
  readonly #uploadsDir: string;
  readonly #lock = new KeyedLock();

  /** `dataDir` is the hub's data folder; blobs go in its `blobs/`, uploads in `blob-uploads/`. */
  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#blobsDir = join(dataDir, 'blobs');
    this.#uploadsDir = join(dataDir, 'blob-uploads');
  }

  #blobPath(sha256: string): string {
    if (!HASH_PATTERN.test(sha256)) throw new Error(`not a blob address: ${sha256}`);
    return join(this.#blobsDir, sha256.slice(0, 2), sha256);
  }

  async #ensureDirs(): Promise<void> {
    await mkdir(this.#blobsDir, { recursive: true, mode: SECRET_DIR_MODE });
    await mkdir(this.#uploadsDir, { recursive: true, mode: SECRET_DIR_MODE });
  }

  /** Writes `bytes` to `path` through a synced temporary file and a rename. */
  async #writeAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
    await this.#ensureDirs();
    const temporary = join(this.#uploadsDir, `tmp-${randomUUID()}`);
    const file = await open(temporary, 'w', SECRET_FILE_MODE);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  }

  async has(sha256: string): Promise<boolean> {
    return HASH_PATTERN.test(sha256) && (await stat(this.#blobPath(sha256)).then(() => true, () => false));
  }

  async missing(sha256s: readonly string[]): Promise<string[]> {
    const result: string[] = [];
    for (const sha256 of new Set(sha256s)) if (!(await this.has(sha256))) result.push(sha256);
    return result;
  }

  async stat(sha256: string): Promise<HubBlob | null> {
    if (!(await this.has(sha256))) return null;
    try {
      return JSON.parse(await readFile(`${this.#blobPath(sha256)}.json`, 'utf8')) as HubBlob;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Uint8Array | null> {
    if (!HASH_PATTERN.test(sha256)) return null;
    let file;
    try {
      file = await open(this.#blobPath(sha256), 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      const size = (await file.stat()).size;
      const offset = range?.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
        throw new BlobError('out-of-range', `blob ${sha256} has ${size} bytes; a read cannot start at ${offset}`);
      }
      const length = Math.min(size - offset, range?.length === undefined ? size : Math.max(0, range.length));
      const bytes = new Uint8Array(length);
      for (let read = 0; read < length; ) {
        const { bytesRead } = await file.read(bytes, read, length - read, offset + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return bytes;
    } finally {
      await file.close();
    }
  }

  async put(content: BlobContent, bytes: Uint8Array): Promise<HubBlob> {
    const checked = blobContentSchema.parse(content);
    if (bytes.length !== checked.sizeBytes) {
      throw new BlobError('size-mismatch', `the blob ${checked.sha256} should be ${checked.sizeBytes} bytes, but ${bytes.length} arrived`);
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== checked.sha256) throw new BlobError('hash-mismatch', `the bytes sent for blob ${checked.sha256} hash to ${actual}`);
    return this.#lock.run(`blob:${checked.sha256}`, async () => {
      const existing = await this.stat(checked.sha256);
      if (existing) return existing;
      const blob: HubBlob = { ...checked, storedAt: this.now() };
      await this.#storeMeta(blob);
      await this.#writeAtomically(this.#blobPath(checked.sha256), bytes);
      return blob;
    });
  }

  async #storeMeta(blob: HubBlob): Promise<void> {
    await mkdir(join(this.#blobsDir, blob.sha256.slice(0, 2)), { recursive: true, mode: SECRET_DIR_MODE });
    await this.#writeAtomically(`${this.#blobPath(blob.sha256)}.json`, JSON.stringify(blob));
  }

  #keyPath(sha256: string, owner: string): string {
    return join(this.#uploadsDir, `key-${createHash('sha256').update(`${sha256}\0${owner}`).digest('hex')}`);
  }

  async #readUpload(uploadId: string): Promise<{ meta: UploadMeta; offset: number } | null> {
    if (!UPLOAD_ID_PATTERN.test(uploadId)) return null;
    try {
      const meta = JSON.parse(await readFile(join(this.#uploadsDir, `${uploadId}.json`), 'utf8')) as UploadMeta;
      const { size } = await stat(join(this.#uploadsDir, `${uploadId}.part`));
      return { meta, offset: size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async createUpload(content: BlobContent, options: UploadOptions = {}): Promise<BlobUpload> {
    const checked = blobContentSchema.parse(content);
    const owner = options.owner ?? '';
    const isProof = options.isProof ?? false;
    return this.#lock.run(`create:${checked.sha256}:${owner}`, async () => {
      const stored = isProof ? null : await this.stat(checked.sha256);
      if (stored) return { ...stored, uploadId: randomUUID(), owner, offset: stored.sizeBytes, createdAt: this.now(), isComplete: true };
      await this.#ensureDirs();
      const keyPath = this.#keyPath(checked.sha256, owner);
      const underWayId = await readFile(keyPath, 'utf8').catch(() => null);
      const underWay = underWayId === null ? null : await this.#readUpload(underWayId);
      if (underWay) return view(underWay.meta, underWay.offset);
      const now = this.now();
      const meta: UploadMeta = { uploadId: randomUUID(), owner, isProof, content: checked, createdAt: now, touchedAt: now };
      await (await open(join(this.#uploadsDir, `${meta.uploadId}.part`), 'w', SECRET_FILE_MODE)).close();
      await this.#writeAtomically(join(this.#uploadsDir, `${meta.uploadId}.json`), JSON.stringify(meta));
      await this.#writeAtomically(keyPath, meta.uploadId);
      // Nothing to wait for: an empty blob is complete (or refused) as soon as it is announced.
      return checked.sizeBytes === 0 ? this.#lock.run(`upload:${meta.uploadId}`, () => this.#finish(meta)) : view(meta, 0);
    });
  }

  async upload(uploadId: string): Promise<BlobUpload | null> {
    const found = await this.#readUpload(uploadId);
    return found ? view(found.meta, found.offset) : null;
  }

  async appendUpload(uploadId: string, offset: number, chunk: Uint8Array): Promise<BlobUpload> {
    return this.#lock.run(`upload:${uploadId}`, async () => {
      const found = await this.#readUpload(uploadId);
      if (!found) throw new BlobError('unknown-upload', `no upload ${uploadId} is under way`);
      const { meta } = found;
      if (offset !== found.offset) throw new BlobError('offset-mismatch', `upload ${uploadId} stands at byte ${found.offset}, not ${offset}`, found.offset);
      if (found.offset + chunk.length > meta.content.sizeBytes) {
        throw new BlobError('size-mismatch', `upload ${uploadId} declared ${meta.content.sizeBytes} bytes; this chunk would end at ${found.offset + chunk.length}`);
      }
      const file = await open(join(this.#uploadsDir, `${uploadId}.part`), 'a', SECRET_FILE_MODE);
      try {
        await file.write(chunk);
        await file.sync();
      } finally {
        await file.close();
      }
      const touched: UploadMeta = { ...meta, touchedAt: this.now() };
      await this.#writeAtomically(join(this.#uploadsDir, `${uploadId}.json`), JSON.stringify(touched));
      const newOffset = found.offset + chunk.length;
      return newOffset === meta.content.sizeBytes ? this.#finish(touched) : view(touched, newOffset);
    });
  }

  async #finish(meta: UploadMeta): Promise<BlobUpload> {
    const part = join(this.#uploadsDir, `${meta.uploadId}.part`);
    const actual = await hashFile(part);
    const { sha256 } = meta.content;
    if (actual !== sha256) {
      await this.#forget(meta);
      throw new BlobError('hash-mismatch', `the bytes sent for blob ${sha256} hash to ${actual}`);
    }
    const blob = await this.#lock.run(`blob:${sha256}`, async () => {
      const existing = await this.stat(sha256);
      if (existing) return existing;
      const stored: HubBlob = { ...meta.content, storedAt: this.now() };
      await this.#storeMeta(stored);
      // The .part was synced chunk by chunk: renamed under its address, it is the blob.
      await rename(part, this.#blobPath(sha256));
      return stored;
    });
    await this.#forget(meta);
    return { ...blob, uploadId: meta.uploadId, owner: meta.owner, offset: blob.sizeBytes, createdAt: meta.createdAt, isComplete: true };
  }

  async #forget(meta: UploadMeta): Promise<void> {
    const keyPath = this.#keyPath(meta.content.sha256, meta.owner);
    if ((await readFile(keyPath, 'utf8').catch(() => null)) === meta.uploadId) await rm(keyPath, { force: true });
    await rm(join(this.#uploadsDir, `${meta.uploadId}.json`), { force: true });
    await rm(join(this.#uploadsDir, `${meta.uploadId}.part`), { force: true });
  }

  async abortUpload(uploadId: string): Promise<void> {
    await this.#lock.run(`upload:${uploadId}`, async () => {
      const found = await this.#readUpload(uploadId);
      if (found) await this.#forget(found.meta);
    });
  }

  async delete(sha256: string): Promise<void> {
    if (!HASH_PATTERN.test(sha256)) return;
    await this.#lock.run(`blob:${sha256}`, async () => {
      // The data file first: once it is gone the blob is absent, whatever is left of its .json.
      await rm(this.#blobPath(sha256), { force: true });
      await rm(`${this.#blobPath(sha256)}.json`, { force: true });
    });
  }

  async storedBefore(before: number, limit: number): Promise<HubBlob[]> {
    const found: HubBlob[] = [];
    const prefixes = await readdir(this.#blobsDir).catch(() => [] as string[]);
    for (const prefix of prefixes) {
      for (const name of await readdir(join(this.#blobsDir, prefix)).catch(() => [] as string[])) {
        if (!name.endsWith('.json')) continue;
        const blob = await this.stat(name.slice(0, -'.json'.length));
        if (blob && blob.storedAt < before) found.push(blob);
      }
    }
    return found.sort((a, b) => a.storedAt - b.storedAt || (a.sha256 < b.sha256 ? -1 : 1)).slice(0, limit);
  }

  async discardUploadsIdleSince(before: number): Promise<number> {
    let discarded = 0;
    for (const name of await readdir(this.#uploadsDir).catch(() => [] as string[])) {
      // A temporary file a crash left behind: a write is over in far less than a day (real time).
      if (name.startsWith('tmp-')) {
        const { mtimeMs } = await stat(join(this.#uploadsDir, name)).catch(() => ({ mtimeMs: Date.now() }));
        if (mtimeMs < Date.now() - STALE_TEMPORARY_MS) await rm(join(this.#uploadsDir, name), { force: true });
        continue;
      }
      if (!name.endsWith('.json')) continue;
      const uploadId = name.slice(0, -'.json'.length);
      const didDiscard = await this.#lock.run(`upload:${uploadId}`, async () => {
        const found = await this.#readUpload(uploadId);
        if (!found || found.meta.touchedAt >= before) return false;
        await this.#forget(found.meta);
        return true;
      });
      if (didDiscard) discarded += 1;
    }
    return discarded;
  }
}

function view(meta: UploadMeta, offset: number): BlobUpload {
  return { ...meta.content, uploadId: meta.uploadId, owner: meta.owner, offset, createdAt: meta.createdAt, isComplete: false };
}
