import { useCallback, useEffect, useRef, useState } from 'react';
import type { Session, SessionSync } from '../session/session';
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

/** What the console needs of the session: the network it runs, and the sync engine's word on the hub. */
export type AdminSession = Pick<Session, 'profile' | 'syncState' | 'onDidChangeSync'>;

/**
 * Whether the sync engine has just heard from the hub: a session succeeded or the live socket is
 * open, and nothing since found the hub gone. A console list that could not be fetched asks again
 * then, as the person would have had to with its Refresh.
 */
export function isHubReached(sync: SessionSync): boolean {
  if (sync.kind !== 'engine') return false;
  const { status } = sync;
  return status.unreachableSince === null && (status.state === 'synced' || status.isLive);
}

/**
 * One list of the console: fetched on mount and on reload, kept for offline use, and fetched again
 * by itself when it could not reach the hub and the sync engine reaches it again.
 */
export function useAdminResource<K extends AdminCacheKey>(
  store: Pick<Storage, 'getItem' | 'setItem'>,
  session: AdminSession,
  key: K,
  fetcher: () => Promise<AdminResult<Value<K>>>,
): AdminResource<Value<K>> {
  const { networkId } = session.profile;
  const [state, setState] = useState(() => {
    const cached = readAdminCache(store, networkId)[key];
    return { value: (cached?.value ?? null) as Value<K> | null, fetchedAt: cached?.at ?? null, isStale: cached !== undefined, failure: null as AdminFailure | null, isLoading: true };
  });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const isWaitingForHub = useRef(false);
  isWaitingForHub.current = state.failure?.kind === 'offline' && !state.isLoading;
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
  useEffect(() => {
    let wasReached = isHubReached(session.syncState);
    return session.onDidChangeSync((sync) => {
      const isReached = isHubReached(sync);
      if (isReached && !wasReached && isWaitingForHub.current) void reload();
      wasReached = isReached;
    });
  }, [session, reload]);
  return { ...state, reload, replace: keep };
}
