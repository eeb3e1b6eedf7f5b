import { canRead, type Actor } from '../../shared/rules/rules';
import type { OrgSyncStatus, PullFrame } from '../../shared/sync/protocol';
import type { Directory, PullCheckpoints, RecordLog } from '../storage/hubStorage';

/*
 * Network status (docs/PROTOCOL.md, Network status): per organization, when the hub last heard
 * from it and, for the secretariat, how many records it may read changed after the checkpoint of
 * its most advanced device's last complete pull. Only the secretariat sees the counts: how far
 * behind another organization is says which records it cannot yet have, which is not a member's
 * business.
 */

/** Records read per page while counting; the count never holds states or projections in memory. */
const SUMMARY_PAGE = 1_000;

export async function networkStatus(storage: Directory & PullCheckpoints & RecordLog, actor: Actor, now: number): Promise<OrgSyncStatus[]> {
  const orgs = await storage.listOrgs();
  if (actor.role !== 'secretariat') return orgs.map((org) => ({ orgId: org.id, lastSeenAt: org.lastSeenAt, waitingChanges: null, asOf: now }));

  // An organization is as far as its most advanced device; one that never completed a pull has
  // everything it may read waiting.
  const checkpoints = new Map<string, number>();
  for (const row of await storage.pullCheckpoints()) checkpoints.set(row.orgId, Math.max(checkpoints.get(row.orgId) ?? 0, row.seq));
  const counted = orgs.map((org) => ({ org, actor: { orgId: org.id, role: org.role } satisfies Actor, since: checkpoints.get(org.id) ?? 0, waiting: 0 }));

  let cursor = Math.min(...counted.map((c) => c.since), Number.POSITIVE_INFINITY);
  if (Number.isFinite(cursor)) {
    for (;;) {
      const page = await storage.changedSummariesSince(cursor, SUMMARY_PAGE);
      for (const record of page) {
        for (const c of counted) if (record.seq > c.since && canRead(c.actor, record.header, record.facts)) c.waiting += 1;
      }
      if (page.length < SUMMARY_PAGE) break;
      cursor = page[page.length - 1]!.seq;
    }
  }
  return counted.map((c) => ({ orgId: c.org.id, lastSeenAt: c.org.lastSeenAt, waitingChanges: c.waiting, asOf: now }));
}

/**
 * Passes a pull stream through and, once its last page has been handed on (the HTTP layer asks
 * for the next frame only after writing the previous one), stores the checkpoint it reached for
 * this device. A stream broken off earlier stores nothing: the next pull's checkpoint says more.
 */
export async function* recordingPullCheckpoint(
  frames: AsyncGenerator<PullFrame>,
  record: (checkpoint: number) => Promise<void>,
): AsyncGenerator<PullFrame> {
  for await (const frame of frames) {
    yield frame;
    if (frame.kind === 'page' && frame.isLast) {
      await record(frame.checkpoint);
      return;
    }
  }
}
