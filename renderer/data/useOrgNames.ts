import { useMemo } from 'react';
import type { FieldwiseClient } from '../../shared/client/client';
import { useNetwork } from './useNetwork';
import { useOrgs } from './useOrgs';

/**
 * Organization id -> the name to show, for every organization this device knows of: its profile's
 * name, else the name on the network's member list (a member whose profile has not synced yet),
 * else its id. Follows the store.
 */
export function useOrgNames(client: FieldwiseClient): ReadonlyMap<string, string> {
  const network = useNetwork(client);
  const orgs = useOrgs(client);
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const member of network?.members ?? []) names.set(member.orgId, member.name || member.orgId);
    for (const org of orgs) if (org.projection.name || !names.has(org.header.id)) names.set(org.header.id, org.projection.name || org.header.id);
    return names;
  }, [network, orgs]);
}
