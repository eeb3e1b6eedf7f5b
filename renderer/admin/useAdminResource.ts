import { useCallback, useEffect, useRef, useState } from 'react';
import type { AdminFailure, AdminResult } from './adminApi';
import { readAdminCache, writeAdminCache, type AdminCache, type AdminCacheKey } from './adminCache';

type Value<K extends AdminCacheKey> = NonNullable<AdminCache[K]>['value'];

export interface AdminResource<T> {
  /** The latest list: fetched now, or the kept copy when the hub could not be asked. */
  readonly value: T | null;
  /** When `value` was fetched from the hub. */
  readonly fetchedAt: number | null;
  /** Whether `value` is the kept copy because the last request failed. */
  readonly isStale: boolean;
  readonly failure: AdminFailure | null;
  readonly isLoading: boolean;
  readonly reload: () => Promise<void>;
  /** Puts an answer the hub gave another request (e.g. a revoke's) in place without asking again. */
  readonly replace: (value: T) => void;
}

/** One list of the console: fetched on mount and on reload, kept for offline use. */
export function useAdminResource<K extends AdminCacheKey>(
  store: Pick<Storage, 'getItem' | 'setItem'>,
  networkId: string,
  key: K,
  fetcher: () => Promise<AdminResult<Value<K>>>,
): AdminResource<Value<K>> {
  const [state, setState] = useState(() => {
    const cached = readAdminCache(store, networkId)[key];
    return { value: (cached?.value ?? null) as Value<K> | null, fetchedAt: cached?.at ?? null, isStale: cached !== undefined, failure: null as AdminFailure | null, isLoading: true };
  });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const keep = useCallback(
    (value: Value<K>) => {
      const at = Date.now();
      writeAdminCache(store, networkId, key, { at, value } as NonNullable<AdminCache[K]>);
      setState({ value, fetchedAt: at, isStale: false, failure: null, isLoading: false });
    },
    [store, networkId, key],
  );
  const reload = useCallback(async () => {
    setState((current) => ({ ...current, isLoading: true }));
    const result = await fetcherRef.current();
    if (result.ok) keep(result.value);
    else setState((current) => ({ ...current, isStale: current.value !== null, failure: result.failure, isLoading: false }));
  }, [keep]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { ...state, reload, replace: keep };
}
