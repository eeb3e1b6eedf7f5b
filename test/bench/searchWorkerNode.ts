import { parentPort } from 'node:worker_threads';
import { serveSearch, type SearchPortLike } from '../../shared/search/searchPort';

/*
 * The search worker of renderer/library/searchWorker.ts, as a Node worker thread for the store
 * benchmark: the same serveSearch behind the same port, so the client's thread only posts and
 * receives messages while the index loads.
 */

if (!parentPort) throw new Error('run as a worker thread');
serveSearch(parentPort as unknown as SearchPortLike);
