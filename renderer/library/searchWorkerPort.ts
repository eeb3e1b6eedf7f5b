import type { SearchPortLike } from '../../shared/search/searchPort';
import { startModuleWorker } from '../platform/moduleWorker';

/**
 * Starts the search worker and returns its port for the client, or undefined where no module
 * worker can start (the client then keeps the index on this thread, as in Node).
 */
export const startSearchWorker = (): SearchPortLike | undefined => startModuleWorker(() => new Worker(new URL('./searchWorker.ts', import.meta.url), { type: 'module', name: 'fieldwise-search' }));
