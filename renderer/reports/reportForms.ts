import type { ComponentType } from 'react';
import type { Role } from '../../shared/records/recordType';
import type { ReportKind, ReportRequest } from '../../shared/reports/reportKinds';
import { parseRegion } from '../../shared/records/region';
import { ContributionsFilters } from './ContributionsFilters';
import { DecisionRecordFilters } from './DecisionRecordFilters';
import { DigestFilters } from './DigestFilters';
import { OrgProfileFilters } from './OrgProfileFilters';
import { periodOf, type Filters, type KindFiltersProps } from './reportFilters';

/*
 * Each report kind's part of the Reports screen, keyed like shared/reports/reportKinds.ts: its
 * filter fields and how they become the kind's options (null while a required choice is missing).
 */

type Viewer = { readonly orgId: string; readonly role: Role };

export interface ReportForm<K extends ReportKind> {
  readonly Filters: ComponentType<KindFiltersProps>;
  readonly request: (filters: Filters, viewer: Viewer) => Extract<ReportRequest, { kind: K }> | null;
}

export const reportForms: { readonly [K in ReportKind]: ReportForm<K> } = {
  digest: {
    Filters: DigestFilters,
    request: (filters) => ({
      kind: 'digest',
      options: {
        topics: filters.topics,
        region: parseRegion(filters.region),
        kinds: filters.kinds,
        orgIds: filters.orgIds,
        statuses: filters.statuses,
        ...periodOf(filters),
        groupBy: filters.groupBy,
        orderBy: filters.orderBy,
      },
    }),
  },
  contributions: {
    Filters: ContributionsFilters,
    request: (filters) => ({ kind: 'contributions', options: { ...periodOf(filters), regionDepth: filters.regionDepth } }),
  },
  'org-profile': {
    Filters: OrgProfileFilters,
    request: (filters) => (filters.orgId ? { kind: 'org-profile', options: { orgId: filters.orgId } } : null),
  },
  'decision-record': {
    Filters: DecisionRecordFilters,
    request: (filters, viewer) => (filters.proposalId ? { kind: 'decision-record', options: { proposalId: filters.proposalId, viewer } } : null),
  },
};
