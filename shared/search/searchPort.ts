import { portCaller, servePort, type WorkerPortLike } from '../workers/portCalls';
import type { SearchableEntry, SearchFilters, SearchHit } from './entrySearch';
import { SearchIndexHolder, type SavedIndexOps, type SearchBackend } from './searchBackend';

/*
 * The search index in a worker (renderer/library/searchWorker.ts): the client posts its requests
 * through shared/workers/portCalls.ts, so building, loading and saving the index never run on the
 * thread that draws the window.
 */

export type SearchPortLike = WorkerPortLike;

/** Where a worker keeps saved indexes: one value per database name (renderer/library/savedSearchIndex.ts). */
export interface SavedIndexStorage {
  read(database: string): Promise<unknown>;
  write(database: string, value: SavedIndexValue): Promise<void>;
}

export interface SavedIndexValue {
  readonly format: number;
  readonly stamp: unknown;
  readonly index: string;
}

interface SearchOperations {
  [op: string]: (argument: never) => unknown;
  load(json: string): boolean;
  reset(argument: null): void;
  apply(change: { readonly puts: readonly SearchableEntry[]; readonly removed: readonly string[] }): void;
  search(query: { readonly text: string; readonly filters: SearchFilters }): SearchHit[];
  save(argument: null): string;
  loadSaved(argument: { readonly database: string; readonly format: number }): Promise<{ readonly stamp: unknown } | null>;
  saveTo(argument: { readonly database: string; readonly format: number; readonly stamp: unknown }): Promise<void>;
}

/**
 * The worker's side: holds an index and answers every request on `port`, in order. With
 * `storage`, it also loads and saves the index there itself (loadSaved, saveTo).
 */
export function serveSearch(port: SearchPortLike, storage?: SavedIndexStorage): void {
  const holder = new SearchIndexHolder();
  const noStorage = () => Promise.reject(new Error('this search worker keeps no saved index'));
  const operations: SearchOperations = {
    load: (json) => holder.load(json),
    reset: () => holder.reset(),
    apply: ({ puts, removed }) => holder.apply(puts, removed),
    search: ({ text, filters }) => holder.search(text, filters),
    save: () => holder.save(),
    // Answered once read: the client sends nothing else until it is (PersistedEntrySearch.load).
    loadSaved: async ({ database, format }) => {
      if (!storage) return noStorage();
      const value = (await storage.read(database).catch(() => null)) as Partial<SavedIndexValue> | null;
      if (value?.format !== format || typeof value.index !== 'string' || !holder.load(value.index)) {
        holder.reset();
        return null;
      }
      return { stamp: value.stamp };
    },
    saveTo: ({ database, format, stamp }) => (storage ? storage.write(database, { format, stamp, index: holder.save() }) : noStorage()),
  };
  servePort(port, operations);
}

/**
 * The client's side: a backend whose index lives behind `port`; with `savedIn`, the worker keeps
 * the saved index in that database of its storage.
 */
export function portSearchBackend(port: SearchPortLike, savedIn?: string): SearchBackend {
  const worker = portCaller<SearchOperations>(port, 'search worker');
  const saved: SavedIndexOps | undefined = savedIn === undefined ? undefined : {
    load: (format) => worker.call('loadSaved', { database: savedIn, format }),
    save: (format, stamp) => worker.call('saveTo', { database: savedIn, format, stamp }),
  };
  return {
    ...(saved ? { saved } : {}),
    load: (json) => worker.call('load', json),
    reset: () => worker.call('reset', null),
    apply: (puts, removed) => worker.call('apply', { puts, removed }),
    search: (text, filters) => worker.call('search', { text, filters }),
    save: () => worker.call('save', null),
    close: () => worker.close(),
    hasFailed: () => worker.hasFailed(),
  };
}
