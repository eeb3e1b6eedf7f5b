import type { Page } from 'playwright-core';

/** How many records the app's IndexedDB store on `page` holds (0 before it exists): a bench's "synced in full" check. */
export async function countStoredRecords(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const name = (await indexedDB.databases()).map((database) => database.name ?? '').find((candidate) => candidate.endsWith('--records'));
    if (!name) return 0;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      return await new Promise<number>((resolve, reject) => {
        const request = db.transaction('docs').objectStore('docs').count();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  });
}

/** Whether the app's store on `page` holds a saved search index (its meta key, shared/search/persistedSearch.ts). */
export async function hasSavedSearchIndex(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const name = (await indexedDB.databases()).map((database) => database.name ?? '').find((candidate) => candidate.endsWith('--plugin-local-documents-'));
    if (!name) return false;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      return await new Promise<boolean>((resolve, reject) => {
        const request = db.transaction('docs').objectStore('docs').getKey('search-index');
        request.onsuccess = () => resolve(request.result !== undefined);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  });
}
