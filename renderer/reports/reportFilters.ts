import { entryKinds, entryStatuses } from '../../shared/records/entry';
import type { ReportData } from '../../shared/reports/reportData';
import { DEFAULT_DIGEST_STATUSES, type DigestGrouping, type DigestOrder } from '../../shared/reports/knowledgeDigest';

/*
 * What the Reports screen's form holds: the filters of every kind at once, so switching kinds and
 * back keeps what was chosen. Each kind's form (reportForms.ts) shows its own part and turns it
 * into that kind's options.
 */

export type EntryKind = (typeof entryKinds)[number];
export type EntryStatus = (typeof entryStatuses)[number];

export interface Filters {
  readonly topics: string[];
  readonly region: string;
  readonly kinds: EntryKind[];
  readonly orgIds: string[];
  readonly statuses: EntryStatus[];
  readonly from: string;
  readonly to: string;
  readonly groupBy: DigestGrouping;
  readonly orderBy: DigestOrder;
  readonly regionDepth: number;
  readonly orgId: string | null;
  readonly proposalId: string | null;
}

export const initialFilters: Filters = {
  topics: [],
  region: '',
  kinds: [],
  orgIds: [],
  statuses: [...DEFAULT_DIGEST_STATUSES],
  from: '',
  to: '',
  groupBy: 'kind',
  orderBy: 'newest',
  regionDepth: 1,
  orgId: null,
  proposalId: null,
};

export type SetFilter = <K extends keyof Filters>(key: K) => (value: Filters[K]) => void;

/** What each kind's filter fields take. */
export interface KindFiltersProps {
  readonly data: ReportData;
  readonly filters: Filters;
  readonly set: SetFilter;
}

const DAY_MS = 86_400_000;

/** A date field's value (YYYY-MM-DD) as the start of that day here; null when empty or invalid. */
function dayStart(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const time = new Date(`${value}T00:00:00`).getTime();
  return Number.isNaN(time) ? null : time;
}

/** The period fields as times; "until" includes its day. */
export function periodOf(filters: Pick<Filters, 'from' | 'to'>): { readonly from: number | null; readonly to: number | null } {
  const until = dayStart(filters.to);
  return { from: dayStart(filters.from), to: until === null ? null : until + DAY_MS };
}
