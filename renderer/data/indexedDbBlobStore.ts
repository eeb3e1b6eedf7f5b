import { checkBlobBytes } from '../../shared/blobs/checkBlobBytes';
import { blobContentSchema, type BlobContent } from '../../shared/blobs/blobRef';
import type { BlobStoreUsage, DeviceBlobStore, StoredBlob } from '../../shared/blobs/deviceBlobStore';

/*
 * The device's blob store in IndexedDB: the browser's and Electron's (app:// is a standard scheme,
 * so it has IndexedDB), in a database of its own beside the record store's.
 *
 * Two object stores keyed by SHA-256: `blobs` holds each blob's description (small, read whole
 * for the storage screen and usage) and `bytes` its bytes. A put writes both in one readwrite
 * transaction, so a crash, a pulled plug or a full disk mid-put aborts the transaction and leaves
 * the blob absent, never a description without bytes or bytes without a description. The bytes
 * are checked against their hash before the transaction opens (IndexedDB commits a transaction as
 * soon as it waits on anything else).
 */

const VERSION = 1;
const BLOBS = 'blobs';
const BYTES = 'bytes';

export const DEVICE_BLOB_DATABASE = 'fieldwise-blobs';

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
  });
}

/**
 * Runs `work` in one transaction and resolves with its result once the transaction has committed.
 * A failure in `work` aborts the transaction (nothing it wrote stays) and is what the caller sees.
 */
async function inTransaction<T>(db: IDBDatabase, stores: string[], mode: IDBTransactionMode, work: (transaction: IDBTransaction) => Promise<T>): Promise<T> {
  const transaction = db.transaction(stores, mode);
  const done = transactionDone(transaction);
  let result: T;
  try {
    result = await work(transaction);
  } catch (error) {
    try {
      transaction.abort();
    } catch {
      // Already finished or aborted.
    }
    await done.catch(() => undefined);
    throw error;
  }
  await done;
  return result;
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(BLOBS)) db.createObjectStore(BLOBS, { keyPath: 'sha256' });
      if (!db.objectStoreNames.contains(BYTES)) db.createObjectStore(BYTES);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`cannot open the blob database ${name}`));
    request.onblocked = () => reject(new Error(`the blob database ${name} is held open by an older version of the app in another window`));
  });
}

/** A stored description as read back, tolerating rows written before `isConfirmed` existed. */
function storedOf(row: unknown): StoredBlob | null {
  if (row === undefined || row === null || typeof row !== 'object') return null;
  const { sha256, sizeBytes, mediaType, storedAt, isConfirmed } = row as Record<string, unknown>;
  const content = blobContentSchema.safeParse({ sha256, sizeBytes, mediaType });
  if (!content.success || typeof storedAt !== 'number') return null;
  return { ...content.data, storedAt, isConfirmed: isConfirmed === true };
}

export class IndexedDbBlobStore implements DeviceBlobStore {
  private constructor(
    private readonly db: IDBDatabase,
    private readonly now: () => number,
  ) {}

  static async open(options: { readonly factory: IDBFactory; readonly name?: string; readonly now?: () => number }): Promise<IndexedDbBlobStore> {
    const db = await openDatabase(options.factory, options.name ?? DEVICE_BLOB_DATABASE);
    // Another window upgrading the schema must not wait on this one forever.
    db.onversionchange = () => db.close();
    return new IndexedDbBlobStore(db, options.now ?? Date.now);
  }

  close(): void {
    this.db.close();
  }

  async put(content: BlobContent, bytes: Uint8Array): Promise<StoredBlob> {
    const checked = blobContentSchema.parse(content);
    checkBlobBytes(checked, bytes);
    // Copied before the transaction: the caller may write into its array as soon as put returns.
    const copy = bytes.slice().buffer;
    return inTransaction(this.db, [BLOBS, BYTES], 'readwrite', async (transaction) => {
      const blobs = transaction.objectStore(BLOBS);
      const existing = storedOf(await requestResult(blobs.get(checked.sha256)));
      if (existing) return existing;
      const stored: StoredBlob = { ...checked, storedAt: this.now(), isConfirmed: false };
      blobs.put(stored);
      transaction.objectStore(BYTES).put(copy, checked.sha256);
      return stored;
    });
  }

  async get(sha256: string): Promise<Uint8Array | null> {
    const transaction = this.db.transaction([BLOBS, BYTES], 'readonly');
    const [row, bytes] = await Promise.all([requestResult(transaction.objectStore(BLOBS).get(sha256)), requestResult(transaction.objectStore(BYTES).get(sha256))]);
    if (!storedOf(row) || !(bytes instanceof ArrayBuffer)) return null;
    return new Uint8Array(bytes);
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  async stat(sha256: string): Promise<StoredBlob | null> {
    return storedOf(await requestResult(this.db.transaction(BLOBS, 'readonly').objectStore(BLOBS).get(sha256)));
  }

  async missing(sha256s: readonly string[]): Promise<string[]> {
    const unique = [...new Set(sha256s)];
    if (unique.length === 0) return [];
    const blobs = this.db.transaction(BLOBS, 'readonly').objectStore(BLOBS);
    const counts = await Promise.all(unique.map((sha256) => requestResult(blobs.count(sha256))));
    return unique.filter((_sha256, index) => counts[index] === 0);
  }

  async delete(sha256: string): Promise<void> {
    await inTransaction(this.db, [BLOBS, BYTES], 'readwrite', async (transaction) => {
      transaction.objectStore(BLOBS).delete(sha256);
      transaction.objectStore(BYTES).delete(sha256);
    });
  }

  async markConfirmed(sha256: string): Promise<void> {
    await inTransaction(this.db, [BLOBS], 'readwrite', async (transaction) => {
      const blobs = transaction.objectStore(BLOBS);
      const stored = storedOf(await requestResult(blobs.get(sha256)));
      if (stored && !stored.isConfirmed) blobs.put({ ...stored, isConfirmed: true });
    });
  }

  async evict(sha256: string): Promise<boolean> {
    // Read and delete in one transaction: a blob cannot turn unconfirmed in between (it never
    // does), and a concurrent put of the same bytes sees it either whole or gone.
    return inTransaction(this.db, [BLOBS, BYTES], 'readwrite', async (transaction) => {
      const stored = storedOf(await requestResult(transaction.objectStore(BLOBS).get(sha256)));
      if (stored?.isConfirmed !== true) return false;
      transaction.objectStore(BLOBS).delete(sha256);
      transaction.objectStore(BYTES).delete(sha256);
      return true;
    });
  }

  async list(): Promise<StoredBlob[]> {
    const rows = await requestResult(this.db.transaction(BLOBS, 'readonly').objectStore(BLOBS).getAll());
    return rows.flatMap((row) => storedOf(row) ?? []);
  }

  async usage(): Promise<BlobStoreUsage> {
    const listed = await this.list();
    return { blobCount: listed.length, totalBytes: listed.reduce((sum, blob) => sum + blob.sizeBytes, 0) };
  }
}
