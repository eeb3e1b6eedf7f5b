import { portCaller, servePort, type WorkerPortLike } from '../workers/portCalls';
import type { SearchableEntry, SearchFilters, SearchHit } from './entrySearch';
import { SearchIndexHolder, type SearchBackend } from './searchBackend';

/*
 * The search index in a worker (renderer/library/searchWorker.ts): the client posts its requests
 * through shared/workers/portCalls.ts, so building, loading and saving the index never run on the
 * thread that draws the window.
 */

export type SearchPortLike = WorkerPortLike;

interface SearchOperations {
  [op: string]: (argument: never) => unknown;
  load(json: string): boolean;
  reset(argument: null): void;
  apply(change: { readonly puts: readonly SearchableEntry[]; readonly removed: readonly string[] }): void;
  search(query: { readonly text: string; readonly filters: SearchFilters }): SearchHit[];
  save(argument: null): string;
}

/** The worker's side: holds an index and answers every request on `port`, in order. */
export function serveSearch(port: SearchPortLike): void {
  const holder = new SearchIndexHolder();
  const operations: SearchOperations = {
    load: (json) => holder.load(json),
    reset: () => holder.reset(),
    apply: ({ puts, removed }) => holder.apply(puts, removed),
    search: ({ text, filters }) => holder.search(text, filters),
    save: () => holder.save(),
  };
  servePort(port, operations);
}

/** The client's side: a backend whose index lives behind `port`. */
export function portSearchBackend(port: SearchPortLike): SearchBackend {
  const worker = portCaller<SearchOperations>(port, 'search worker');
  return {
    load: (json) => worker.call('load', json),
    reset: () => worker.call('reset', null),
    apply: (puts, removed) => worker.call('apply', { puts, removed }),
    search: (text, filters) => worker.call('search', { text, filters }),
    save: () => worker.call('save', null),
    close: () => worker.close(),
  };
}
