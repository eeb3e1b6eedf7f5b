import type { SearchPortLike } from '../../shared/search/searchPort';

/**
 * Starts the search worker and returns its port for the client, or undefined where no module
 * worker can start (the client then keeps the index on this thread, as in Node).
 */
export function startSearchWorker(): SearchPortLike | undefined {
  if (typeof Worker === 'undefined') return undefined;
  try {
    return new Worker(new URL('./searchWorker.ts', import.meta.url), { type: 'module', name: 'fieldwise-search' });
  } catch {
    return undefined;
  }
}
