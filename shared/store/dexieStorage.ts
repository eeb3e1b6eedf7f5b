import type { PreparedQuery, RxDocumentData, RxStorageQueryResult } from 'rxdb';
import { dexieQuery, dexieReplaceIfStartsWithPipe, DEXIE_DOCS_TABLE_NAME, fromDexieToStorage, getKeyRangeByQueryPlan, getRxStorageDexie, type RxStorageInstanceDexie } from 'rxdb/plugins/storage-dexie';
import { storeStorageOf, type StoreStorage } from './storeStorage';

/** IndexedDB through Dexie: the renderer's storage, and Node's over fake-indexeddb. */
export function dexieStorage(): StoreStorage {
  const storage = getRxStorageDexie();
  const createInstance = storage.createStorageInstance.bind(storage);
  storage.createStorageInstance = async (params) => {
    const instance = await createInstance(params);
    instance.query = (preparedQuery) => queryByIndexRead(instance, preparedQuery);
    return instance;
  };
  return storeStorageOf(storage);
}

/**
 * RxDB's Dexie query walks a cursor, one IndexedDB request and one event on the UI thread per
 * row: reading the Reports screen's 10,000 entries a page at a time spent about half a second of
 * the UI thread in cursor events alone, on a loaded two-core laptop (issue 17). Where the index
 * alone answers the query (no row to filter out or sort afterwards, nothing to skip), the index's
 * getAll gives the same rows in the same order in one request; any other query goes the
 * cursor's way.
 */
async function queryByIndexRead<T>(instance: RxStorageInstanceDexie<T>, preparedQuery: PreparedQuery<T>): Promise<RxStorageQueryResult<T>> {
  const { queryPlan, query } = preparedQuery;
  if (!queryPlan.selectorSatisfiedByIndex || !queryPlan.sortSatisfiedByIndex || (query.skip ?? 0) > 0) return dexieQuery(instance, preparedQuery);
  const state = await instance.internals;
  let keyRange: ReturnType<typeof getKeyRangeByQueryPlan>;
  try {
    keyRange = getKeyRangeByQueryPlan(state.booleanIndexes, queryPlan, state.dexieDb._options.IDBKeyRange);
  } catch (error) {
    // As dexieQuery: a range IndexedDB cannot hold (start past end) matches nothing.
    if (error instanceof Error && error.name === 'DataError') return { documents: [] };
    throw error;
  }
  const indexName = `[${queryPlan.index.map((field) => dexieReplaceIfStartsWithPipe(field)).join('+')}]`;
  const limit = typeof query.limit === 'number' ? query.limit : undefined;
  const stored = await state.dexieDb.transaction('r', state.dexieTable, (transaction) => {
    const index = transaction.idbtrans.objectStore(DEXIE_DOCS_TABLE_NAME).index(indexName);
    return new Promise<unknown[]>((resolve, reject) => {
      const request = index.getAll(keyRange, limit);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB getAll failed'));
    });
  });
  return { documents: stored.map((row) => fromDexieToStorage(state.booleanIndexes, row) as RxDocumentData<T>) };
}
