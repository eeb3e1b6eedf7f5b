import type { RxStorage } from 'rxdb';

/*
 * Where a store keeps its data (IndexedDB through Dexie in the renderer, memory or
 * fake-indexeddb in Node), chosen by the platform and handed to the client. Outside shared/store
 * it is an opaque handle: callers pick one of the factories beside this file (dexieStorage,
 * memoryStorage, validatedStorage) and never see the RxDB storage inside, so nothing past the
 * store depends on RxDB.
 */

export interface StoreStorage {
  /** Which storage it is, for logs and benchmark tables. */
  readonly name: string;
}

// RxDB's storage type is generic over internals the store never touches.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRxStorage = RxStorage<any, any>;

const rxStorages = new WeakMap<StoreStorage, AnyRxStorage>();

/** Wraps an RxDB storage in a handle. For the factories in shared/store only. */
export function storeStorageOf(rxStorage: AnyRxStorage): StoreStorage {
  const handle: StoreStorage = Object.freeze({ name: rxStorage.name });
  rxStorages.set(handle, rxStorage);
  return handle;
}

/** The RxDB storage inside a handle. For shared/store only. */
export function rxStorageOf(storage: StoreStorage): AnyRxStorage {
  const rxStorage = rxStorages.get(storage);
  // Only a handle made by a factory here carries a storage; a look-alike object is a caller's bug.
  if (!rxStorage) throw new TypeError('not a store storage: make one with dexieStorage(), memoryStorage() or validatedStorage()');
  return rxStorage;
}
