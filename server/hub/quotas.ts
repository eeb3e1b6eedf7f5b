import type { Actor } from '../../shared/rules/rules';
import type { OrgUsage, RecordWrite, StoredRecord } from '../storage/hubStorage';
import { HubError } from './hubError';

/*
 * Per-organization quotas, checked in the commit step with the prepared writes: how many new
 * records an organization may create per minute, and how many bytes its records may take at the
 * hub. Both are read from storage (the records' creation times and sizes), so they hold across
 * all of an organization's devices and every hub process on one database. The secretariat's own
 * writes and the hub's system writes (seals, which do not come through here) are not limited.
 *
 * Two writers of one organization committing at the same moment may each pass the check: the
 * quota can be exceeded by what concurrent requests carry (at most a batch each), never more.
 */

export interface OrgQuotas {
  /**
   * New records an organization may create in any minute (sliding window). A batch larger than
   * this (a big field bundle) is still taken when the organization created nothing in the last
   * minute, so no single upload is refused forever.
   */
  readonly newRecordsPerMinute: number;
  /** Bytes an organization's records may take: their states and their logged updates. */
  readonly storedBytes: number;
}

/**
 * Generous for real use: a workshop's bundle of 500 entries and a device back from weeks offline
 * with hundreds of records pass at once; a member creating records in a loop does not.
 */
export const defaultOrgQuotas: OrgQuotas = { newRecordsPerMinute: 2000, storedBytes: 512 * 1024 * 1024 };

const WINDOW_MS = 60_000;

/** How long a stored-bytes figure read from storage is trusted while an organization is well below its quota. */
const USAGE_TRUST_MS = 5_000;
/** Above this share of the quota, every growing write reads the exact figure from storage. */
const EXACT_ABOVE_SHARE = 0.9;

/**
 * The quota check one hub process runs at each commit. Summing an organization's bytes is a scan
 * of its records and log (about 0.1 s for 10,000 records with 50,000 logged updates on SQLite), so
 * a figure read from storage is reused for 5 s, with this process's own growth added, while the
 * organization is below 90% of its quota; nearer the quota every growing write reads it afresh.
 * One process alone is exact. With several, what the others wrote for the organization in those
 * 5 s is not in the figure: the quota can be passed by that much (a maintained counter in the
 * commit transaction would close this; see docs/SECURITY.md).
 */
export class OrgQuotaGuard {
  private readonly usage = new Map<string, { bytes: number; readAt: number }>();

  constructor(readonly quotas: OrgQuotas) {}

  /**
   * Refuses the batch (nothing is written) when it would take an organization over a quota:
   * `quota-records` (429, Retry-After: when enough of the minute's records age out) or
   * `quota-bytes` (413). A write that does not grow its record's state (a deletion, a status
   * change) is never refused.
   */
  async check(storage: OrgUsage, actor: Actor, writes: readonly RecordWrite[], stored: ReadonlyMap<string, StoredRecord | null>, now: number): Promise<void> {
    if (actor.role === 'secretariat') return;
    const byOwner = new Map<string, RecordWrite[]>();
    for (const write of writes) byOwner.set(write.header.ownerOrg, [...(byOwner.get(write.header.ownerOrg) ?? []), write]);
    for (const [orgId, owned] of byOwner) {
      const created = owned.filter((write) => write.expectedSeq === null);
      if (created.length > 0) await checkNewRecords(storage, orgId, created, now, this.quotas.newRecordsPerMinute);
    }
    for (const [orgId, owned] of byOwner) {
      const growth = checkStoredBytes(owned, stored, await this.storedBytes(storage, orgId, owned, stored, now), this.quotas.storedBytes);
      const known = this.usage.get(orgId);
      if (known) known.bytes += growth;
    }
  }

  private async storedBytes(storage: OrgUsage, orgId: string, owned: readonly RecordWrite[], stored: ReadonlyMap<string, StoredRecord | null>, now: number): Promise<number> {
    const known = this.usage.get(orgId);
    const growth = owned.reduce((sum, write) => sum + bytesAdded(write, stored), 0);
    if (known && known.readAt + USAGE_TRUST_MS > now && known.bytes + growth <= this.quotas.storedBytes * EXACT_ABOVE_SHARE) return known.bytes;
    const bytes = await storage.storedBytes(orgId);
    this.usage.set(orgId, { bytes, readAt: now });
    return bytes;
  }
}

/** What a write adds: its new state over the old one, and its update to the log. */
function bytesAdded(write: RecordWrite, stored: ReadonlyMap<string, StoredRecord | null>): number {
  return write.state.length - (stored.get(write.header.id)?.state.length ?? 0) + write.update.length;
}

async function checkNewRecords(storage: OrgUsage, orgId: string, created: readonly RecordWrite[], now: number, limit: number): Promise<void> {
  const since = now - WINDOW_MS;
  const inWindow = await storage.recordsCreatedSince(orgId, since);
  if (inWindow === 0 || inWindow + created.length <= limit) return;
  // The oldest records of the minute that must age out before this batch fits (all of them for a
  // batch above the limit on its own).
  const mustAgeOut = Math.min(inWindow, inWindow + created.length - limit);
  const freedAt = ((await storage.nthRecordCreatedSince(orgId, since, mustAgeOut)) ?? now) + WINDOW_MS;
  const retryAfterSeconds = Math.max(1, Math.ceil((freedAt - now) / 1000));
  throw new HubError(
    'quota-records',
    `this organization created ${inWindow} records in the last minute; at most ${limit} new records a minute are taken`,
    created[0]!.header.id,
    retryAfterSeconds,
  );
}

/** Refuses the first growing write that does not fit; returns the bytes the writes add. */
function checkStoredBytes(owned: readonly RecordWrite[], stored: ReadonlyMap<string, StoredRecord | null>, used: number, limit: number): number {
  const grows = (write: RecordWrite) => write.expectedSeq === null || write.state.length > (stored.get(write.header.id)?.state.length ?? 0);
  // Named, so a client that sets that record aside (quarantine) can send the rest.
  let total = used;
  for (const write of owned) {
    total += bytesAdded(write, stored);
    if (total <= limit || !grows(write)) continue;
    throw new HubError(
      'quota-bytes',
      `this organization's records take ${used} bytes at the hub; with this change they would pass the ${limit} bytes it keeps per organization`,
      write.header.id,
    );
  }
  return total - used;
}
