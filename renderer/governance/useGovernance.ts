import { useEffect, useState } from 'react';
import type { FieldwiseClient, Identity } from '../../shared/client/client';
import { isStewardAuthorized, type NetworkProjection } from '../../shared/records/network';
import { useObservable } from '../app/useObservable';

/**
 * Whether this organization may create and run proposals: the secretariat, and stewards the
 * secretariat authorized for proposals. The hub enforces the same; this only decides what shows.
 */
export function canRunProposals(identity: Pick<Identity, 'orgId' | 'role'>, network: NetworkProjection | null): boolean {
  if (identity.role === 'secretariat') return true;
  return identity.role === 'steward' && network !== null && isStewardAuthorized(network, identity.orgId, 'proposals');
}

/**
 * The current time, re-read at the given moments (a poll opening, closing, its grace ending) and
 * no more often: the screen changes when the proposal's phase does, without a polling loop.
 */
export function useNowAt(moments: readonly number[]): number {
  const [now, setNow] = useState(() => Date.now());
  const key = moments.join(',');
  useEffect(() => {
    const next = moments.filter((moment) => moment > now).sort((a, b) => a - b)[0];
    if (next === undefined) return;
    // setTimeout's delay is a signed 32-bit number of milliseconds; a later moment is reached in steps.
    const timer = window.setTimeout(() => setNow(Date.now()), Math.min(next - now + 50, 2 ** 31 - 1));
    return () => window.clearTimeout(timer);
    // `key` stands for `moments`.
  }, [key, now]);
  return now;
}

/** How many of a record's local changes wait in the outbox (not yet acknowledged by the hub). */
export function useUnsentCount(client: FieldwiseClient, recordId: string): number {
  return useObservable(() => client.observePendingCount(recordId), [client, recordId], 0);
}

