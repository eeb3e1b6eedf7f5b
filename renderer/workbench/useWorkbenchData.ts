import { useMemo } from 'react';
import type { FieldwiseClient, RecordView } from '../../shared/client/client';
import type { Candidate } from '../../shared/matching/rankPartners';
import { isStewardAuthorized, type NetworkProjection } from '../../shared/records/network';
import type { OrgProjection } from '../../shared/records/org';
import type { Identity } from '../../shared/client/client';
import type { OrgSyncStatus } from '../../shared/sync/protocol';
import { syncStateOf } from '../../shared/sync/syncState';
import { useObservable } from '../app/useObservable';

/*
 * What the workbench screens read from the local store, reactively: the network record, the
 * organizations as matching candidates, offers, interests and the hub's last network status.
 * Everything here works offline: it is whatever this device has synced.
 */

export function useNetwork(client: FieldwiseClient): RecordView<NetworkProjection> | null {
  const networks = useObservable(() => client.observe({ type: 'network' }), [client], []);
  // One network per hub; the demo network has its own id. The oldest is the network's own.
  return useMemo(() => [...networks].sort((a, b) => a.header.createdAt - b.header.createdAt)[0] ?? null, [networks]);
}

export function useOrgs(client: FieldwiseClient): readonly RecordView<OrgProjection>[] {
  return useObservable(() => client.observe({ type: 'org' }), [client], []);
}

export function toCandidates(orgs: readonly RecordView<OrgProjection>[]): Candidate[] {
  return orgs.map((o) => ({ id: o.header.id, projection: { ...o.projection, name: o.projection.name || o.header.id } }));
}

export function useOffers(client: FieldwiseClient) {
  return useObservable(() => client.observe({ type: 'offer' }), [client], []);
}

export function useInterests(client: FieldwiseClient) {
  return useObservable(() => client.observe({ type: 'interest' }), [client], []);
}

export function useOrgSyncStatus(client: FieldwiseClient): readonly OrgSyncStatus[] {
  return useObservable(() => syncStateOf(client).observeOrgSyncStatus(), [client], []);
}

/** The secretariat, or a steward the secretariat authorized to run offers. */
export function canRunOffers(identity: Identity, network: NetworkProjection | null): boolean {
  if (identity.role === 'secretariat') return true;
  return identity.role === 'steward' && network !== null && isStewardAuthorized(network, identity.orgId, 'offers');
}

/** Stage ids in the network's order, falling back to the defaults before the network has synced. */
export function stageIds(network: NetworkProjection | null): string[] {
  return (network?.stages ?? []).map((s) => s.id);
}
