import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { storeStorageOf, type StoreStorage } from './storeStorage';

/** Kept in this process's memory only: for tests, benchmarks and the demo script. */
export function memoryStorage(): StoreStorage {
  return storeStorageOf(getRxStorageMemory());
}
