import { useEffect, useState } from 'react';
import { debounceTime } from 'rxjs';
import type { FieldwiseClient, RecordView } from '../../shared/client/client';
import type { EntryProjection } from '../../shared/records/entry';
import type { RecordQuery } from '../../shared/store/store';
import { coalescedRows } from './coalescedRows';

/*
 * The library's rows. Without search text they come from one store query, newest first, with a
 * limit that grows as the list scrolls: the first screen costs one indexed query of a page of
 * rows, whatever the size of the library. With search text, the local full-text index answers
 * (Chinese included), and the hits are read from the store by id, a page at a time as the list
 * scrolls.
 */

export interface EntryFilters {
  readonly kind?: string;
  readonly status?: string;
  readonly tag?: string;
  readonly region?: readonly string[];
  readonly ownerOrg?: string;
}

export interface EntryRows {
  readonly rows: readonly RecordView<EntryProjection>[];
  /** More rows exist past the loaded ones. */
  readonly hasMore: boolean;
  readonly isLoading: boolean;
  /** Search only: how many entries matched. */
  readonly hitCount: number | null;
  /** Search only: why the last search gave no answer (it is asked again as records change or the text does). */
  readonly searchError: string | null;
}

interface SearchedIds {
  readonly query: string;
  readonly filterKey: string;
  /** The hits' ids, best first (at most SEARCH_LIMIT). */
  readonly ids: readonly string[];
  readonly hitCount: number;
}

/** A search with no answer: no rows (the ones shown before were not its hits), and why. */
const searchFailed = (error: unknown): EntryRows => ({ rows: [], hasMore: false, isLoading: false, hitCount: null, searchError: error instanceof Error ? error.message : String(error) });

export const FIRST_PAGE = 40;
export const NEXT_PAGE = 200;
const SEARCH_LIMIT = 2000;

export function useEntryRows(client: FieldwiseClient, filters: EntryFilters, text: string, limit: number): EntryRows {
  const [state, setState] = useState<EntryRows>({ rows: [], hasMore: false, isLoading: true, hitCount: null, searchError: null });
  const query = text.trim();
  const filterKey = JSON.stringify(filters);

  useEffect(() => {
    if (query) return;
    const recordQuery: RecordQuery & { type: 'entry' } = {
      type: 'entry',
      sort: 'updatedAt-desc',
      // One more than shown tells whether there is more.
      limit: limit + 1,
      ...(filters.kind ? { kind: filters.kind } : {}),
      ...(filters.status ? { status: filters.status } : {}),
      ...(filters.tag ? { tag: filters.tag } : {}),
      ...(filters.region && filters.region.length > 0 ? { region: filters.region } : {}),
      ...(filters.ownerOrg ? { ownerOrg: filters.ownerOrg } : {}),
    };
    const subscription = client.observe(recordQuery).pipe(coalescedRows()).subscribe({
      next: (views) => setState({ rows: views.slice(0, limit), hasMore: views.length > limit, isLoading: false, hitCount: null, searchError: null }),
      error: () => setState((previous) => ({ ...previous, isLoading: false })),
    });
    return () => subscription.unsubscribe();
    // filterKey stands for the filters object, which is new on every render.
  }, [client, query, filterKey, limit]);

  // Search: the worker's hits for the text and filters (re-asked when records change), then the
  // rows of as many of them as the list shows, read by id as it scrolls: reading every hit's row
  // (up to 2,000, each with its Yjs state) was most of a first search's work on the UI thread.
  const [searched, setSearched] = useState<SearchedIds | null>(null);
  useEffect(() => {
    if (!query) return;
    let isCurrent = true;
    const run = async () => {
      const hits = await client.searchEntries(query, {
        ...(filters.kind ? { kind: filters.kind } : {}),
        ...(filters.status ? { status: filters.status } : {}),
        ...(filters.tag ? { tag: filters.tag } : {}),
        ...(filters.region && filters.region.length > 0 ? { region: filters.region } : {}),
        ...(filters.ownerOrg ? { ownerOrg: filters.ownerOrg } : {}),
      });
      if (isCurrent) setSearched({ query, filterKey, ids: hits.slice(0, SEARCH_LIMIT).map((hit) => hit.id), hitCount: hits.length });
    };
    // A search that fails says so and stops being busy: a list left busy would look like a hang.
    const ask = () =>
      run().catch((error: unknown) => {
        if (isCurrent) setState(searchFailed(error));
      });
    // A new search is not shown the last one's failure.
    setState((previous) => ({ ...previous, isLoading: true, searchError: null }));
    void ask();
    // Results follow the store: an entry that arrives or changes while searching shows up.
    const subscription = client.observeRecordChanges().pipe(debounceTime(300)).subscribe(() => void ask());
    return () => {
      isCurrent = false;
      subscription.unsubscribe();
    };
  }, [client, query, filterKey]);

  useEffect(() => {
    if (!query || !searched || searched.query !== query || searched.filterKey !== filterKey) return;
    let isCurrent = true;
    const shown = searched.ids.slice(0, limit);
    client
      .getMany<EntryProjection>(shown)
      .then((rows) => {
        if (isCurrent) setState({ rows, hasMore: searched.ids.length > shown.length, isLoading: false, hitCount: searched.hitCount, searchError: null });
      })
      .catch((error: unknown) => {
        if (isCurrent) setState(searchFailed(error));
      });
    return () => {
      isCurrent = false;
    };
  }, [client, query, filterKey, searched, limit]);

  return state;
}
