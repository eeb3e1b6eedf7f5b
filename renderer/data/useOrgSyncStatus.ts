import type { FieldwiseClient } from '../../shared/client/client';
import type { OrgSyncStatus } from '../../shared/sync/protocol';
import { syncStateOf } from '../../shared/sync/syncState';
import { useObservable } from '../app/useObservable';

/**
 * Each organization's last sync as the hub last reported it (GET /v1/network-status, cached by the
 * sync engine in the store, so it is there offline). Empty until this device has fetched it once.
 */
export function useOrgSyncStatus(client: FieldwiseClient): readonly OrgSyncStatus[] {
  return useObservable(() => syncStateOf(client).observeOrgSyncStatus(), [client], []);
}
