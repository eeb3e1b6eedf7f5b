import type { FieldwiseClient } from '../client/client';
import { NETWORK_RECORD_ID } from '../records/network';
import { syncStateOf } from '../sync/syncState';
import type { InboxInput, RevokedDevice } from './inboxInput';
import { inboxStateOf } from './inboxState';

export interface InboxLoadOptions {
  readonly now: number;
  readonly silentAfterMs: number;
  /** The secretariat's last fetched list of revoked devices; empty elsewhere. */
  readonly revokedDevices?: readonly RevokedDevice[];
}

/**
 * Reads what the inbox is computed from out of the device's own store, through the client's
 * views and the owners of its meta (sync state, inbox state): nothing here needs the network.
 */
export async function loadInboxInput(client: FieldwiseClient, options: InboxLoadOptions): Promise<InboxInput> {
  const inbox = inboxStateOf(client);
  const [network, orgs, entries, proposals, ballots, results, comments, offers, interests, orgStatus, followedTopics, markers] = await Promise.all([
    client.get<'network'>(NETWORK_RECORD_ID),
    client.list({ type: 'org' }),
    client.list({ type: 'entry' }),
    client.list({ type: 'proposal' }),
    client.list({ type: 'ballot', ownerOrg: client.identity.orgId }),
    client.list({ type: 'result' }),
    client.list({ type: 'comment' }),
    client.list({ type: 'offer' }),
    client.list({ type: 'interest', ownerOrg: client.identity.orgId }),
    syncStateOf(client).orgSyncStatus(),
    inbox.followedTopics(),
    inbox.markers(options.now),
  ]);
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
    revokedDevices: options.revokedDevices ?? [],
    followedTopics,
    markers,
    silentAfterMs: options.silentAfterMs,
  };
}
