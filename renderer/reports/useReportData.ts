import { startTransition, useEffect, useState } from 'react';
import { combineLatest, map, type Observable } from 'rxjs';
import type { FieldwiseClient } from '../../shared/client/client';
import { NETWORK_RECORD_ID } from '../../shared/records/network';
import type { ReportData } from '../../shared/reports/reportData';
import { lastSyncTimes, type HubSyncStatus, type LastSyncTimes } from '../../shared/reports/lastHeardFrom';

/**
 * The records the reports read, following the store: the preview changes as soon as a sync brings
 * something new (nothing polls). null until every collection answered once. Each answer is taken
 * in a transition: React renders the screen for it in slices, yielding to input between them,
 * where a plain update rendered the whole form in one task (issue 17).
 */
export function useReportData(client: FieldwiseClient): ReportData | null {
  const [data, setData] = useState<ReportData | null>(null);
  useEffect(() => {
    const subscription = reportDataOf(client).subscribe({ next: (next) => startTransition(() => setData(next)), error: () => undefined });
    return () => subscription.unsubscribe();
  }, [client]);
  return data;
}

function reportDataOf(client: FieldwiseClient): Observable<ReportData> {
  return combineLatest([
    client.observeRecord<'network'>(NETWORK_RECORD_ID),
    client.observe({ type: 'org' }),
    // Thousands of entries: read a page at a time, not in one task (issue 17).
    client.observeAllInPages('entry'),
    client.observe({ type: 'proposal' }),
    client.observe({ type: 'ballot' }),
    client.observe({ type: 'comment' }),
    client.observe({ type: 'offer' }),
    client.observe({ type: 'interest' }),
    client.observe({ type: 'result' }),
  ]).pipe(
    map(([network, orgs, entries, proposals, ballots, comments, offers, interests, results]): ReportData => ({
      network: network?.header.type === 'network' ? network : null,
      orgs,
      entries,
      proposals,
      ballots,
      comments,
      offers,
      interests,
      results,
    })),
  );
}

/**
 * Each organization's last sync, as the reports state it: the hub's times where this device has
 * them, else derived on this device (shared/reports/lastHeardFrom.ts); every report says which.
 */
export function lastSyncTimesOf(data: ReportData, now: number, hubStatuses: readonly HubSyncStatus[] | null = null): LastSyncTimes {
  return lastSyncTimes(data, now, hubStatuses);
}
