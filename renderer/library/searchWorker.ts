import { serveSearch, type SearchPortLike } from '../../shared/search/searchPort';
import { indexedDbSavedIndexes } from './savedSearchIndex';

/*
 * The search index's worker: building, loading and saving the entry index (seconds of work at
 * 10,000 entries) happen here, never on the thread that draws the window. The client talks to it
 * through shared/search/searchPort.ts; the store stays with the client on the window's thread,
 * and the saved index is this worker's own (savedSearchIndex.ts).
 */

serveSearch(self as unknown as SearchPortLike, indexedDbSavedIndexes);
