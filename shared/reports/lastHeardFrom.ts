import type { ReportData } from './reportData';

/*
 * "Last heard from" per organization, derived on this device until the hub's record of each
 * organization's last sync reaches the client (the workbench's last-sync cache). Swap this
 * function's result for that map: every report takes `lastSyncAt` as an input and says which
 * source it used (`LastSyncSource`).
 *
 * Only records that came through the hub count (seq > 0): an edit still in this device's outbox
 * says nothing about when its organization last synced. For those, the latest of the hub-set
 * creation time and the record's own last-edit time is taken, capped at `now` so a laptop whose
 * clock runs ahead cannot make an organization look fresher than the present.
 */
export function lastHeardFrom(data: ReportData, now: number): ReadonlyMap<string, number | null> {
  const latest = new Map<string, number | null>();
  for (const org of data.orgs) latest.set(org.header.id, null);
  for (const member of data.network?.projection.members ?? []) if (!latest.has(member.orgId)) latest.set(member.orgId, null);
  const groups = [data.orgs, data.entries, data.proposals, data.ballots, data.comments, data.offers, data.interests] as const;
  for (const views of groups) {
    for (const view of views) {
      if (view.seq <= 0) continue;
      const time = Math.min(now, Math.max(view.header.createdAt, view.projection.updatedAt));
      const owner = view.header.ownerOrg;
      const seen = latest.get(owner) ?? null;
      if (seen === null || time > seen) latest.set(owner, time);
    }
  }
  return latest;
}
