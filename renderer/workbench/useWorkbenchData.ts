import type { FieldwiseClient, RecordView } from '../../shared/client/client';
import type { Candidate } from '../../shared/matching/rankPartners';
import { isStewardAuthorized, type NetworkProjection } from '../../shared/records/network';
import type { OrgProjection } from '../../shared/records/org';
import type { Identity } from '../../shared/client/client';
import { useObservable } from '../app/useObservable';

/*
 * What the workbench screens read from the local store, reactively: the organizations as matching
 * candidates, offers and interests (the network itself, the organizations and the hub's last network
 * status come from renderer/data/).
 * Everything here works offline: it is whatever this device has synced.
 */

export function toCandidates(orgs: readonly RecordView<OrgProjection>[]): Candidate[] {
  return orgs.map((o) => ({ id: o.header.id, projection: { ...o.projection, name: o.projection.name || o.header.id } }));
}

export function useOffers(client: FieldwiseClient) {
  return useObservable(() => client.observe({ type: 'offer' }), [client], []);
}

export function useInterests(client: FieldwiseClient) {
  return useObservable(() => client.observe({ type: 'interest' }), [client], []);
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
