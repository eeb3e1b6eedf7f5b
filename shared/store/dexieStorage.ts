import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { storeStorageOf, type StoreStorage } from './storeStorage';

/** IndexedDB through Dexie: the renderer's storage, and Node's over fake-indexeddb. */
export function dexieStorage(): StoreStorage {
  return storeStorageOf(getRxStorageDexie());
}
