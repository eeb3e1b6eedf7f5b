import type { FieldwiseClient, RecordView } from '../../shared/client/client';
import type { OrgProjection } from '../../shared/records/org';
import { useObservable } from '../app/useObservable';

/** The organization profiles this device holds, following the store. */
export function useOrgs(client: FieldwiseClient): readonly RecordView<OrgProjection>[] {
  return useObservable(() => client.observe({ type: 'org' }), [client], []);
}
