import type { Observable } from 'rxjs';
import { map } from 'rxjs';
import { z } from 'zod';
import type { MetaPort } from '../store/metaPort';
import type { EntryArrivals } from './entryArrivals';
import type { InboxMarkers, Revocations } from './inboxInput';

/*
 * The one owner of what the inbox keeps in the store's meta, beside the records and the sync
 * state: the read markers, the topics this device follows, when entries arrived, the secretariat's
 * last list of revocations, and the votes it has already raised a system notification for. Kept in the store (not in the page's settings) so they survive a
 * reload and go when the device's data is erased. Every value is checked on reading: a missing or
 * damaged one reads as "nothing read, nothing followed", which costs a re-read, never a crash.
 */

const MARKERS_KEY = 'inbox.markers';
const FOLLOWS_KEY = 'inbox.follows';
const NOTIFIED_KEY = 'inbox.notified';
const ARRIVALS_KEY = 'inbox.arrivals';
const REVOCATIONS_KEY = 'inbox.revocations';

const markersSchema = z.object({ since: z.number().nonnegative(), read: z.record(z.string(), z.number()) });
const followsSchema = z.object({ topics: z.array(z.string().max(120)).max(200) });
const notifiedSchema = z.object({ keys: z.array(z.string()).max(1000) });
const arrivalsSchema = z.object({ at: z.record(z.string(), z.number().nonnegative()) });
const revocationsSchema = z.object({
  fetchedAt: z.number(),
  devices: z.array(z.object({ credentialId: z.string(), orgId: z.string(), deviceName: z.string(), revokedAt: z.number(), reason: z.string().nullable() })),
  orgs: z.array(z.object({ orgId: z.string(), name: z.string(), revokedAt: z.number(), reason: z.string().nullable() })),
});

export class StoredInboxState {
  constructor(private readonly meta: MetaPort) {}

  /**
   * The read markers; the first call on a device starts its inbox at `now` (see InboxMarkers.since)
   * and keeps that start, so later calls return what is stored.
   */
  async markers(now: number): Promise<InboxMarkers> {
    const stored = await this.meta.get(MARKERS_KEY, markersSchema);
    if (stored) return stored;
    const fresh: InboxMarkers = { since: now, read: {} };
    await this.meta.set(MARKERS_KEY, { since: fresh.since, read: {} });
    return fresh;
  }

  /** The markers now and after every change; null until the inbox first started. */
  observeMarkers(): Observable<InboxMarkers | null> {
    return this.meta.observe(MARKERS_KEY, markersSchema);
  }

  async setMarkers(markers: InboxMarkers): Promise<void> {
    await this.meta.set(MARKERS_KEY, markersSchema.parse(markers));
  }

  async followedTopics(): Promise<string[]> {
    return (await this.meta.get(FOLLOWS_KEY, followsSchema))?.topics ?? [];
  }

  observeFollowedTopics(): Observable<string[]> {
    return this.meta.observe(FOLLOWS_KEY, followsSchema).pipe(map((value) => value?.topics ?? []));
  }

  async setFollowedTopics(topics: readonly string[]): Promise<void> {
    await this.meta.set(FOLLOWS_KEY, followsSchema.parse({ topics: [...new Set(topics)] }));
  }

  /** When entries reached this device (entryArrivals.ts); null before the device kept them. */
  async entryArrivals(): Promise<EntryArrivals | null> {
    return (await this.meta.get(ARRIVALS_KEY, arrivalsSchema))?.at ?? null;
  }

  async setEntryArrivals(arrivals: EntryArrivals): Promise<void> {
    await this.meta.set(ARRIVALS_KEY, arrivalsSchema.parse({ at: arrivals }));
  }

  /**
   * The secretariat's last list of revoked devices and organizations, fetched from the hub's
   * administration after a sync (renderer/inbox/revocationWatch.ts); empty until then, and on every
   * other device.
   */
  async revocations(): Promise<Revocations> {
    return (await this.meta.get(REVOCATIONS_KEY, revocationsSchema)) ?? { fetchedAt: 0, devices: [], orgs: [] };
  }

  observeRevocations(): Observable<Revocations | null> {
    return this.meta.observe(REVOCATIONS_KEY, revocationsSchema);
  }

  async setRevocations(revocations: Revocations): Promise<void> {
    await this.meta.set(REVOCATIONS_KEY, revocationsSchema.parse(revocations));
  }

  /** The reminder keys a system notification was already raised for on this device. */
  async notifiedKeys(): Promise<string[]> {
    return (await this.meta.get(NOTIFIED_KEY, notifiedSchema))?.keys ?? [];
  }

  async setNotifiedKeys(keys: readonly string[]): Promise<void> {
    await this.meta.set(NOTIFIED_KEY, notifiedSchema.parse({ keys: keys.slice(-1000) }));
  }
}

/** The inbox state of a client's store. */
export function inboxStateOf(client: { readonly meta: MetaPort }): StoredInboxState {
  return new StoredInboxState(client.meta);
}
