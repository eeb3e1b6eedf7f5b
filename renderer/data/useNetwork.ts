import { map, type Observable } from 'rxjs';
import type { FieldwiseClient } from '../../shared/client/client';
import { NETWORK_RECORD_ID, type NetworkProjection } from '../../shared/records/network';
import { useObservable } from '../app/useObservable';

/** The network record's projection as the store changes; null while this device has none. */
export function observeNetwork(client: FieldwiseClient): Observable<NetworkProjection | null> {
  return client.observeRecord<'network'>(NETWORK_RECORD_ID).pipe(map((view) => (view?.header.type === 'network' ? view.projection : null)));
}

/**
 * The network record (name, stages, members and roles, steward grants, the hub's key) as this
 * device has it, following the store; null before the first sync. Every screen asks here: the
 * network is the one record with the fixed id the hub writes it under, never "the first (or the
 * oldest) network row", which would answer differently once a second one arrived.
 */
export function useNetwork(client: FieldwiseClient): NetworkProjection | null {
  return useObservable(() => observeNetwork(client), [client], null);
}
