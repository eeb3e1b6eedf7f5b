import { combineLatest, map } from 'rxjs';
import type { FieldwiseClient } from '../../shared/client/client';
import type { ReportData } from '../../shared/reports/reportData';
import { lastSyncTimes, type HubSyncStatus, type LastSyncTimes } from '../../shared/reports/lastHeardFrom';
import { syncStateOf } from '../../shared/sync/syncState';
import { useObservable } from '../app/useObservable';

/**
 * The records the reports read, following the store: the preview changes as soon as a sync brings
 * something new (nothing polls). null until every collection answered once.
 */
export function useReportData(client: FieldwiseClient): ReportData | null {
  return useObservable(
    () =>
      combineLatest([
        client.observe({ type: 'network' }),
        client.observe({ type: 'org' }),
        client.observe({ type: 'entry' }),
        client.observe({ type: 'proposal' }),
        client.observe({ type: 'ballot' }),
        client.observe({ type: 'comment' }),
        client.observe({ type: 'offer' }),
        client.observe({ type: 'interest' }),
        client.observe({ type: 'result' }),
      ]).pipe(
        map(([networks, orgs, entries, proposals, ballots, comments, offers, interests, results]): ReportData => ({
          network: networks[0] ?? null,
          orgs,
          entries,
          proposals,
          ballots,
          comments,
          offers,
          interests,
          results,
        })),
      ),
    [client],
    null,
  );
}

/**
 * The hub's last report of each organization's sync (GET /v1/network-status, cached by the sync
 * engine in the store, so it is there offline). Empty until this device has fetched it once.
 */
export function useHubSyncStatus(client: FieldwiseClient): readonly HubSyncStatus[] {
  return useObservable(() => syncStateOf(client).observeOrgSyncStatus(), [client], []);
}

/**
 * Each organization's last sync, as the reports state it: the hub's times where this device has
 * them, else derived on this device (shared/reports/lastHeardFrom.ts); every report says which.
 */
export function lastSyncTimesOf(data: ReportData, now: number, hubStatuses: readonly HubSyncStatus[] | null = null): LastSyncTimes {
  return lastSyncTimes(data, now, hubStatuses);
}
