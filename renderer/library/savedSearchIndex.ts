import type { SavedIndexStorage, SavedIndexValue } from '../../shared/search/searchPort';

/*
 * The saved search index, kept by the search worker in an IndexedDB database of its own beside the
 * records' (shared/search/searchBackend.ts SavedIndexOps): its text (20 MB at 10,000 entries with
 * bodies) is read, copied and written in the worker, never on the thread that draws the window.
 * It holds the entries' words, so erasing the device deletes it with the records.
 */

const STORE = 'index';
const KEY = 'entries';

/** The saved index's database for the records' database `recordsDatabase`. */
export const savedSearchIndexDatabaseOf = (recordsDatabase: string): string => `${recordsDatabase}-search`;

function requestDone<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('the saved search index cannot be read or written'));
  });
}

const opened = new Map<string, Promise<IDBDatabase>>();

function openDatabase(database: string): Promise<IDBDatabase> {
  let opening = opened.get(database);
  if (!opening) {
    const request = indexedDB.open(database, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    opening = requestDone(request).then((db) => {
      // Another window erasing the device: let go, the next use opens it again.
      db.onversionchange = () => {
        db.close();
        opened.delete(database);
      };
      return db;
    });
    opening.catch(() => opened.delete(database));
    opened.set(database, opening);
  }
  return opening;
}

/** The worker's storage of saved indexes (searchWorker.ts). */
export const indexedDbSavedIndexes: SavedIndexStorage = {
  async read(database) {
    const db = await openDatabase(database);
    return requestDone(db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY));
  },
  async write(database, value: SavedIndexValue) {
    const db = await openDatabase(database);
    const transaction = db.transaction(STORE, 'readwrite');
    transaction.objectStore(STORE).put(value, KEY);
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = transaction.onabort = () => reject(transaction.error ?? new Error('the saved search index was not written'));
    });
  },
};

/** Deletes the saved index of the records' database `recordsDatabase` (erasing the device). */
export async function eraseSavedSearchIndex(recordsDatabase: string): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  await requestDone(indexedDB.deleteDatabase(savedSearchIndexDatabaseOf(recordsDatabase)));
}
