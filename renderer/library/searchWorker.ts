import { serveSearch, type SearchPortLike } from '../../shared/search/searchPort';

/*
 * The search index's worker: building, loading and saving the entry index (seconds of work at
 * 10,000 entries) happen here, never on the thread that draws the window. The client talks to it
 * through shared/search/searchPort.ts; the store stays with the client on the window's thread.
 */

serveSearch(self as unknown as SearchPortLike);
