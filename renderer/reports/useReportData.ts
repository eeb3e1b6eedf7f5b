import { combineLatest, map } from 'rxjs';
import type { FieldwiseClient } from '../../shared/client/client';
import type { ReportData } from '../../shared/reports/reportData';
import { lastHeardFrom } from '../../shared/reports/lastHeardFrom';
import type { LastSyncSource } from '../../shared/reports/reportModel';
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

export interface LastSyncTimes {
  readonly lastSyncAt: ReadonlyMap<string, number | null>;
  readonly source: LastSyncSource;
}

/**
 * Each organization's last sync. Derived on this device for now (shared/reports/lastHeardFrom.ts);
 * when the hub's last-sync times are cached on the client (workbench), return those here with
 * source 'hub' and every report says so.
 */
export function lastSyncTimesOf(data: ReportData, now: number): LastSyncTimes {
  return { lastSyncAt: lastHeardFrom(data, now), source: 'derived' };
}
