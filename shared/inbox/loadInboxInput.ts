import type { FieldwiseClient } from '../client/client';
import { NETWORK_RECORD_ID } from '../records/network';
import { syncStateOf } from '../sync/syncState';
import { entryArrivals } from './entryArrivals';
import type { InboxInput } from './inboxInput';
import { listInboxRecords, type InboxRecords } from './inboxRecords';
import { inboxStateOf } from './inboxState';

export interface InboxLoadOptions {
  readonly now: number;
  readonly silentAfterMs: number;
}

/**
 * Reads what the inbox is computed from out of the device's own store, through the client's
 * views and the owners of its meta (sync state, inbox state): nothing here needs the network.
 * Stamps entries that arrived since the last look (entryArrivals.ts), so call it after every
 * change to the store: a sync, a bundle import. With `records` (kept by a caller that computes the
 * inbox again and again), only the records written since the last call are read again.
 */
export async function loadInboxInput(client: FieldwiseClient, options: InboxLoadOptions, records?: InboxRecords): Promise<InboxInput> {
  const inbox = inboxStateOf(client);
  const [network, lists, orgStatus, followedTopics, markers, arrived, revocations] = await Promise.all([
    client.get<'network'>(NETWORK_RECORD_ID),
    records ? records.read() : listInboxRecords(client),
    syncStateOf(client).orgSyncStatus(),
    inbox.followedTopics(),
    inbox.markers(options.now),
    inbox.entryArrivals(),
    inbox.revocations(),
  ]);
  const { org: orgs, entry: entries, proposal: proposals, ballot: ballots, result: results, comment: comments, offer: offers, interest: interests } = lists;
  const arrivals = entryArrivals(arrived, entries, client.identity.orgId, followedTopics, options.now);
  if (arrivals !== arrived) await inbox.setEntryArrivals(arrivals);
  return {
    me: { orgId: client.identity.orgId, role: client.identity.role },
    now: options.now,
    network: network?.header.type === 'network' ? network.projection : null,
    orgs,
    entries,
    proposals,
    ballots,
    results,
    comments,
    offers,
    interests,
    lastSeenAt: new Map(orgStatus.map((status) => [status.orgId, status.lastSeenAt])),
    revokedDevices: revocations.devices,
    revokedOrgs: revocations.orgs,
    followedTopics,
    entryArrivals: arrivals,
    markers,
    silentAfterMs: options.silentAfterMs,
  };
}
