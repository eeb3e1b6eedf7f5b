import type { ReportData } from './reportData';

/*
 * "Last heard from" per organization, derived on this device for when it holds no report from the
 * hub of each organization's last sync (GET /v1/network-status, which the sync engine caches): a
 * device that has never fetched one, e.g. one that only ever synced by USB bundle. Every report
 * takes `lastSyncAt` as an input and says which source it used.
 *
 * The time is the latest hub-set creation time among the organization's own records on this
 * device: the hub stamps a record's header when the organization first pushes it, so it is the
 * hub's clock and the organization's own sync. Content times are not used: a record's last edit
 * may be another organization's (a review note on an entry, the secretariat moving an interest
 * along the pipeline), and a laptop's clock may be wrong. Profiles do not count either, since the
 * secretariat creates one when it invites an organization. Records still in this device's outbox
 * (seq 0) have no hub time yet. An organization that only edited records it had pushed before
 * looks older than it is: the derivation errs towards flagging, never towards freshness.
 */
export function lastHeardFrom(data: ReportData, now: number): ReadonlyMap<string, number | null> {
  const latest = new Map<string, number | null>();
  for (const org of data.orgs) latest.set(org.header.id, null);
  for (const member of data.network?.projection.members ?? []) if (!latest.has(member.orgId)) latest.set(member.orgId, null);
  const groups = [data.entries, data.proposals, data.ballots, data.comments, data.offers, data.interests] as const;
  for (const views of groups) {
    for (const view of views) {
      if (view.seq <= 0) continue;
      const time = Math.min(now, view.header.createdAt);
      const owner = view.header.ownerOrg;
      const seen = latest.get(owner) ?? null;
      if (seen === null || time > seen) latest.set(owner, time);
    }
  }
  return latest;
}

/** One organization's sync status as the hub reports it (GET /v1/network-status, cached by the client). */
export interface HubSyncStatus {
  readonly orgId: string;
  /** When any of its devices was last heard from; null: never. */
  readonly lastSeenAt: number | null;
  /** When the hub said so. */
  readonly asOf: number;
}

export interface LastSyncTimes {
  readonly lastSyncAt: ReadonlyMap<string, number | null>;
  readonly source: 'hub' | 'derived';
  /** When the hub reported the times (the oldest report among them); null for derived times. */
  readonly asOf: number | null;
}

/**
 * The times a report states: the hub's where this device holds its report of them, else derived
 * here. An organization the hub's report does not list is one the hub has never heard from.
 */
export function lastSyncTimes(data: ReportData, now: number, hubStatuses: readonly HubSyncStatus[] | null): LastSyncTimes {
  if (!hubStatuses || hubStatuses.length === 0) return { lastSyncAt: lastHeardFrom(data, now), source: 'derived', asOf: null };
  const lastSyncAt = new Map<string, number | null>();
  for (const status of hubStatuses) lastSyncAt.set(status.orgId, status.lastSeenAt === null ? null : Math.min(now, status.lastSeenAt));
  return { lastSyncAt, source: 'hub', asOf: Math.min(...hubStatuses.map((status) => status.asOf)) };
}
