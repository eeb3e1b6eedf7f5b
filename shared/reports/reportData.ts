import { NETWORK_RECORD_ID } from '../records/network';
import type { ProjectionOf } from '../records/registry';
import type { RecordHeader, RecordType } from '../records/recordType';

/*
 * What the reports read: one snapshot of the records on this device, taken through the client's
 * list API. Builders are pure functions of a snapshot, so the screen loads once and rebuilds the
 * preview on every filter change without touching the store again.
 */

/**
 * A record as the reports read it. The client's RecordView has this shape; reports declare it here
 * rather than import the client, because they sit below it (the layering in eslint.config.js), and
 * the type-checker holds the two together wherever a client is passed as a ReportSource.
 */
export interface ReportRecord<P> {
  readonly header: RecordHeader;
  readonly projection: P;
  /** The hub's sequence number the record was last synced at; 0 if it never was. */
  readonly seq: number;
}

export type ViewOf<T extends RecordType> = ReportRecord<ProjectionOf<T>>;

export interface ReportData {
  readonly network: ViewOf<'network'> | null;
  readonly orgs: readonly ViewOf<'org'>[];
  readonly entries: readonly ViewOf<'entry'>[];
  readonly proposals: readonly ViewOf<'proposal'>[];
  readonly ballots: readonly ViewOf<'ballot'>[];
  readonly comments: readonly ViewOf<'comment'>[];
  readonly offers: readonly ViewOf<'offer'>[];
  readonly interests: readonly ViewOf<'interest'>[];
  /** Sealed decisions written by the hub. */
  readonly results: readonly ViewOf<'result'>[];
}

/** The part of FieldwiseClient the reports need: every record of one type, and one record by id. */
export interface ReportSource {
  list<T extends RecordType>(query: { readonly type: T }): Promise<ReportRecord<ProjectionOf<T>>[]>;
  get<T extends RecordType>(id: string): Promise<ReportRecord<ProjectionOf<T>> | null>;
}

/** The one network record, found by its fixed id like everywhere else (never the first row of its type). */
async function networkOf(source: ReportSource): Promise<ViewOf<'network'> | null> {
  const view = await source.get<'network'>(NETWORK_RECORD_ID);
  return view?.header.type === 'network' ? view : null;
}

export async function loadReportData(source: ReportSource): Promise<ReportData> {
  const [network, orgs, entries, proposals, ballots, comments, offers, interests, results] = await Promise.all([
    networkOf(source),
    source.list({ type: 'org' }),
    source.list({ type: 'entry' }),
    source.list({ type: 'proposal' }),
    source.list({ type: 'ballot' }),
    source.list({ type: 'comment' }),
    source.list({ type: 'offer' }),
    source.list({ type: 'interest' }),
    source.list({ type: 'result' }),
  ]);
  return { network, orgs, entries, proposals, ballots, comments, offers, interests, results };
}

/** Organization id -> display name: the profile's name, else the network's member list, else the id. */
export function orgNamesOf(data: ReportData): ReadonlyMap<string, string> {
  const names = new Map<string, string>();
  for (const member of data.network?.projection.members ?? []) if (member.name) names.set(member.orgId, member.name);
  for (const org of data.orgs) if (org.projection.name) names.set(org.header.id, org.projection.name);
  return names;
}

export const nameOf = (names: ReadonlyMap<string, string>, orgId: string): string => names.get(orgId) ?? orgId;
