import { useMemo } from 'react';
import { useObservable } from '../app/useObservable';
import type { FieldwiseClient } from '../../shared/client/client';

/** Organization id -> name, following the org records in the store. */
export function useOrgNames(client: FieldwiseClient): ReadonlyMap<string, string> {
  const orgs = useObservable(() => client.observe({ type: 'org' }), [client], []);
  return useMemo(() => new Map(orgs.map((org) => [org.header.id, org.projection.name || org.header.id])), [orgs]);
}
