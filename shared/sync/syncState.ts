import type { Observable } from 'rxjs';
import { map } from 'rxjs';
import { z } from 'zod';
import type { MetaPort } from '../store/metaPort';
import { networkStatusResponseSchema, type NetworkStatusResponse, type OrgSyncStatus } from './protocol';
import { syncLogEventSchema, type SyncLogEvent } from './syncLog';

/*
 * The one owner of what sync keeps on the device beside the records: the pull checkpoint, the
 * quarantine (outbox entries the hub refused), the last network status and when it was fetched,
 * and the sync log. The sync engine, bundle transfer and the screens all go through here, so a
 * key or a stored shape is written down once. Every value is checked on reading: a missing or
 * damaged one reads as its default (checkpoint 0, nothing quarantined, no status), so a corrupt
 * meta value costs a re-pull, never a crash.
 *
 * The keys and shapes are the ones devices already have on disk; changing one strands that data.
 */

const CHECKPOINT_KEY = 'sync.checkpoint';
const QUARANTINE_KEY = 'sync.quarantine';
const NETWORK_STATUS_KEY = 'sync.networkStatus';
/** When this device last fetched the network status, by its own clock. */
const NETWORK_STATUS_FETCHED_KEY = 'sync.networkStatusFetchedAt';
const SYNC_LOG_KEY = 'sync.log';
/** Which media the blob sync moves on this device (blobSync.ts). */
const BLOB_POLICY_KEY = 'sync.blobPolicy';

const checkpointSchema = z.object({ seq: z.number().int().nonnegative() });

export const quarantinedEntrySchema = z.object({
  /** The outbox entry's id. */
  id: z.string(),
  recordId: z.string(),
  code: z.string(),
  message: z.string(),
  at: z.number(),
});
export type QuarantinedEntry = Readonly<z.infer<typeof quarantinedEntrySchema>>;

const quarantineSchema = z.object({ entries: z.array(quarantinedEntrySchema) });
const fetchedAtSchema = z.object({ at: z.number() });
/**
 * A device's media policies (shared/sync/blobSync.ts says what each moves). Here, with their stored
 * form, so a screen can offer them without importing the engine.
 */
export const blobPolicies = ['full', 'previews', 'none'] as const;
const blobPolicySchema = z.object({ policy: z.enum(blobPolicies) });
export type StoredBlobPolicy = z.infer<typeof blobPolicySchema>['policy'];
// Events are checked one by one below: one event of a kind this version does not know costs that
// line, not the whole log.
const syncLogSchema = z.object({ events: z.array(z.unknown()) });

export class StoredSyncState {
  constructor(private readonly meta: MetaPort) {}

  /** The last hub sequence number this device has pulled everything up to; 0 before any. */
  async checkpoint(): Promise<number> {
    return (await this.meta.get(CHECKPOINT_KEY, checkpointSchema))?.seq ?? 0;
  }

  async setCheckpoint(seq: number): Promise<void> {
    await this.meta.set(CHECKPOINT_KEY, checkpointSchema.parse({ seq }));
  }

  /** Outbox entries the hub refused, oldest first. */
  async quarantine(): Promise<QuarantinedEntry[]> {
    return (await this.meta.get(QUARANTINE_KEY, quarantineSchema))?.entries ?? [];
  }

  async setQuarantine(entries: readonly QuarantinedEntry[]): Promise<void> {
    await this.meta.set(QUARANTINE_KEY, { entries: [...entries] });
  }

  /** The hub's last answer to a network-status request; null before the first. */
  networkStatus(): Promise<NetworkStatusResponse | null> {
    return this.meta.get(NETWORK_STATUS_KEY, networkStatusResponseSchema);
  }

  observeNetworkStatus(): Observable<NetworkStatusResponse | null> {
    return this.meta.observe(NETWORK_STATUS_KEY, networkStatusResponseSchema);
  }

  /**
   * Each organization's sync status as the hub last reported it (empty before the first fetch):
   * kept in the store, so it is there offline, with `asOf` saying how old it is.
   */
  async orgSyncStatus(): Promise<OrgSyncStatus[]> {
    return (await this.networkStatus())?.orgs ?? [];
  }

  observeOrgSyncStatus(): Observable<OrgSyncStatus[]> {
    return this.observeNetworkStatus().pipe(map((status) => status?.orgs ?? []));
  }

  /** When this device last stored a fetched network status (its own clock); null if never. */
  async networkStatusFetchedAt(): Promise<number | null> {
    return (await this.meta.get(NETWORK_STATUS_FETCHED_KEY, fetchedAtSchema))?.at ?? null;
  }

  /** Keeps a fetched network status and the time it was fetched. */
  async setNetworkStatus(status: NetworkStatusResponse, fetchedAt: number): Promise<void> {
    await this.meta.set(NETWORK_STATUS_KEY, status);
    await this.meta.set(NETWORK_STATUS_FETCHED_KEY, { at: fetchedAt });
  }

  /** The media policy this device keeps (`full` until someone chooses another). */
  async blobPolicy(): Promise<StoredBlobPolicy> {
    return (await this.meta.get(BLOB_POLICY_KEY, blobPolicySchema))?.policy ?? 'full';
  }

  async setBlobPolicy(policy: StoredBlobPolicy): Promise<void> {
    await this.meta.set(BLOB_POLICY_KEY, blobPolicySchema.parse({ policy }));
  }

  observeBlobPolicy(): Observable<StoredBlobPolicy> {
    return this.meta.observe(BLOB_POLICY_KEY, blobPolicySchema).pipe(map((value) => value?.policy ?? 'full'));
  }

  /** The kept sync log, oldest first, without events that do not read back as one. */
  async readLog(): Promise<SyncLogEvent[]> {
    const saved = await this.meta.get(SYNC_LOG_KEY, syncLogSchema);
    return (saved?.events ?? []).flatMap((event) => {
      const parsed = syncLogEventSchema.safeParse(event);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async writeLog(events: readonly SyncLogEvent[]): Promise<void> {
    await this.meta.set(SYNC_LOG_KEY, { events: [...events] });
  }
}

/** The sync state of a client's store. */
export function syncStateOf(client: { readonly meta: MetaPort }): StoredSyncState {
  return new StoredSyncState(client.meta);
}
