import { EntrySearch, type SearchableEntry, type SearchFilters, type SearchHit } from './entrySearch';

/*
 * Where the entry index lives: in this thread (Node, tests, the headless client) or behind a
 * message port in a worker (the renderer, shared/search/searchPort.ts), so that building,
 * loading and saving it never block the thread that draws the window. Calls are answered in the
 * order they were made: a search made after an `apply` sees what it applied.
 */

export interface SearchBackend {
  /** Replaces the index with a stored one (EntrySearch.toJSON); false when it cannot be read. */
  load(json: string): Promise<boolean>;
  /** Replaces the index with an empty one. */
  reset(): Promise<void>;
  /** Adds or replaces `puts` and removes the entries with the ids `removed`. */
  apply(puts: readonly SearchableEntry[], removed: readonly string[]): Promise<void>;
  search(text: string, filters: SearchFilters): Promise<SearchHit[]>;
  /** The whole index as text, for `load` in a later session. */
  save(): Promise<string>;
  /** Lets go of the index (and the worker's port). */
  close(): void;
  /** A worker's backend whose worker failed: every call fails, and a fresh backend is needed. */
  hasFailed?(): boolean;
  /** Present where the backend keeps the saved index itself (SavedIndexOps); else the caller keeps `save`'s text. */
  readonly saved?: SavedIndexOps;
}

/**
 * The saved index kept where the index lives: the renderer's search worker keeps it in its own
 * IndexedDB database, so the index's text (20 MB at 10,000 entries with bodies, five times that at
 * 50,000) is never read, copied or written on the thread that draws the window (issue 17).
 */
export interface SavedIndexOps {
  /** Replaces the index with the saved one of `format`; its stamp (unchecked), or null when none is saved or it cannot be read (the index is then empty). */
  load(format: number): Promise<{ readonly stamp: unknown } | null>;
  /** Saves the index as it is now, with the stamp of the last row write it holds. */
  save(format: number, stamp: unknown): Promise<void>;
}

/** The operations an index answers, one at a time: shared by the in-thread backend and the worker. */
export class SearchIndexHolder {
  private index = EntrySearch.empty();

  load(json: string): boolean {
    try {
      this.index = EntrySearch.fromJSON(json);
      return true;
    } catch {
      this.index = EntrySearch.empty();
      return false;
    }
  }

  reset(): void {
    this.index = EntrySearch.empty();
  }

  apply(puts: readonly SearchableEntry[], removed: readonly string[]): void {
    for (const id of removed) this.index.remove(id);
    if (puts.length > 0) this.index.putAll(puts);
  }

  search(text: string, filters: SearchFilters): SearchHit[] {
    return this.index.search(text, filters);
  }

  save(): string {
    return this.index.toJSON();
  }
}

/** The index in this thread. */
export function localSearchBackend(): SearchBackend {
  const holder = new SearchIndexHolder();
  return {
    load: async (json) => holder.load(json),
    reset: async () => holder.reset(),
    apply: async (puts, removed) => holder.apply(puts, removed),
    search: async (text, filters) => holder.search(text, filters),
    save: async () => holder.save(),
    close: () => holder.reset(),
  };
}
