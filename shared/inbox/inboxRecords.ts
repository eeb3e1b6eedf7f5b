import type { FieldwiseClient, RecordView } from '../client/client';
import type { ProjectionOf } from '../records/registry';
import type { RecordType } from '../records/recordType';

/*
 * The records the inbox is worked out from, kept between computations: listed once, then only the
 * records written or removed since are read again. Every record write wakes the inbox (a local
 * edit's row, a pulled page), and listing every record each time cost a read and a copy of all
 * 10,000 entries per wake, a long task every time a typed entry's row was written (issue 17).
 */

/** The types the inbox reads, each with the query that lists what it reads of it. */
const INBOX_TYPES = ['org', 'entry', 'proposal', 'ballot', 'result', 'comment', 'offer', 'interest'] as const satisfies readonly RecordType[];
export type InboxRecordType = (typeof INBOX_TYPES)[number];

/** Ballots and interests: only this organization's own. */
const isOwnOnly = (type: InboxRecordType) => type === 'ballot' || type === 'interest';

export type InboxRecordLists = { readonly [T in InboxRecordType]: readonly RecordView<ProjectionOf<T>>[] };

/** The store's order for a type's list: newest first by the row's time, then id (store.ts mangoQuery). */
function rowTimeOf(view: RecordView): number {
  const updatedAt = (view.projection as { readonly updatedAt?: number }).updatedAt ?? 0;
  return updatedAt > 0 ? updatedAt : view.header.createdAt;
}
const byStoreOrder = (a: RecordView, b: RecordView) => rowTimeOf(b) - rowTimeOf(a) || (a.header.id < b.header.id ? -1 : a.header.id > b.header.id ? 1 : 0);

/** Every inbox type's records, read from the store now. */
export async function listInboxRecords(client: FieldwiseClient): Promise<InboxRecordLists> {
  const own = client.identity.orgId;
  const [org, entry, proposal, ballot, result, comment, offer, interest] = await Promise.all([
    client.list({ type: 'org' }),
    // Every entry, ten thousand and more: a page at a time.
    client.listInPages('entry'),
    client.list({ type: 'proposal' }),
    client.list({ type: 'ballot', ownerOrg: own }),
    client.list({ type: 'result' }),
    client.list({ type: 'comment' }),
    client.list({ type: 'offer' }),
    client.list({ type: 'interest', ownerOrg: own }),
  ]);
  return { org, entry, proposal, ballot, result, comment, offer, interest };
}

export class InboxRecords {
  private byType: Map<InboxRecordType, Map<string, RecordView>> | null = null;
  private lists: InboxRecordLists | null = null;
  /** Written or removed since the last read; filled from the moment this exists. */
  private readonly changed = new Set<string>();
  private readonly subscription: { unsubscribe(): void };

  constructor(private readonly client: FieldwiseClient) {
    this.subscription = client.observeRecordChanges().subscribe((change) => this.changed.add(change.header.id));
  }

  private reading: Promise<unknown> = Promise.resolve();

  /** The lists as the store holds them now, in the store's order. */
  read(): Promise<InboxRecordLists> {
    // One read at a time: a second one started meanwhile would answer lists the first is updating.
    const run = this.reading.then(() => this.readNow());
    this.reading = run.catch(() => undefined);
    return run;
  }

  private async readNow(): Promise<InboxRecordLists> {
    if (this.byType === null || this.lists === null) {
      // Writes during this listing are in `changed` and are read again next time (idempotent).
      this.changed.clear();
      const lists = await listInboxRecords(this.client);
      this.lists = lists;
      this.byType = new Map(INBOX_TYPES.map((type) => [type, new Map<string, RecordView>(lists[type].map((view) => [view.header.id, view]))]));
      return lists;
    }
    if (this.changed.size === 0) return this.lists;
    const ids = [...this.changed];
    this.changed.clear();
    const views = await this.client.getMany(ids);
    const touched = new Set<InboxRecordType>();
    // A record gone, or one whose id now holds another type (a squatter replaced), leaves its list.
    for (const id of ids) {
      for (const [type, records] of this.byType) if (records.delete(id)) touched.add(type);
    }
    for (const view of views) {
      const type = view.header.type as InboxRecordType;
      const records = this.byType.get(type);
      if (!records || (isOwnOnly(type) && view.header.ownerOrg !== this.client.identity.orgId)) continue;
      records.set(view.header.id, view);
      touched.add(type);
    }
    const next: Record<InboxRecordType, readonly RecordView[]> = { ...this.lists };
    for (const type of touched) next[type] = [...this.byType.get(type)!.values()].sort(byStoreOrder);
    // Each list holds only views whose header has its type, as client.list's do.
    this.lists = next as InboxRecordLists;
    return this.lists;
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}
