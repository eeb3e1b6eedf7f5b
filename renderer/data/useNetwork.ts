import type { FieldwiseClient } from '../../shared/client/client';
import { NETWORK_RECORD_ID, type NetworkProjection } from '../../shared/records/network';
import { useObservable } from '../app/useObservable';

/**
 * The network record (name, stages, members and roles, steward grants, the hub's key) as this
 * device has it, following the store; null before the first sync. Every screen asks here: the
 * network is the one record with the fixed id the hub writes it under, never "the first (or the
 * oldest) network row", which would answer differently once a second one arrived.
 */
export function useNetwork(client: FieldwiseClient): NetworkProjection | null {
  const view = useObservable(() => client.observeRecord<'network'>(NETWORK_RECORD_ID), [client], null);
  return view?.header.type === 'network' ? view.projection : null;
}
