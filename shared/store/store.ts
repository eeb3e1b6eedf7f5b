import { addRxPlugin, createRevision, createRxDatabase, getChangedDocumentsSince, now as rxNow, removeRxDatabase, type MangoQuery, type MangoQuerySelector, type RxCollection, type RxDocumentData } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import type { Observable } from 'rxjs';
import { map } from 'rxjs';
import type { RecordHeader, RecordType } from '../records/recordType';
import { regionKey } from '../records/region';
import { groupByRecord } from '../records/yjsUpdates';
import { decodeBytes, encodeBytes, foldIntoDoc, headerOf, toRecordRow } from './recordState';
import { outboxSchema, recordsSchema, type OutboxRow, type RecordRow } from './schemas';
import type { RowStamp } from './rowStamp';
import { rxStorageOf, type StoreStorage } from './storeStorage';

addRxPlugin(RxDBLocalDocumentsPlugin);

/*
 * The local store: RxDB over whatever storage the platform passes in (Dexie in the renderer,
 * memory or Dexie over fake-indexeddb in Node). It knows rows, not editing sessions: the client
 * holds the open Y.Docs and hands the store finished rows and the updates that produced them.
 *
 * Durability: a local change is written to `outbox` first and to `records` second; on open the
 * outbox is folded back into the records. Yjs updates are idempotent, so a crash between the two
 * writes (or a replay of updates already folded in) loses nothing and changes nothing.
 *
 * RxDB stays inside this folder: what the store exports speaks in rows, entries and observables,
 * so the client is the one door to the data and nothing past it depends on RxDB's types.
 */

export type { StoreStorage } from './storeStorage';

export interface StoreOptions {
  readonly storage: StoreStorage;
  /** One database per identity and device, e.g. `fieldwise-<org>-<device>`. */
  readonly name: string;
  /** Cross-tab change events; off in Node (it would hold a BroadcastChannel open). */
  readonly isMultiInstance?: boolean;
  /**
   * Most rows one storage write takes (all of a putRows call when left out). A larger putRows is
   * written as several writes, issued together: IndexedDB runs them one after another, and a
   * window serializes each write's rows in a task of its own, so no task holds more than this many.
   */
  readonly rowsPerWrite?: number;
}

export interface RecordQuery {
  readonly type: RecordType;
  readonly ownerOrg?: string;
  readonly status?: string;
  readonly kind?: string;
  readonly refId?: string;
  readonly tag?: string;
  /** Matches this administrative path and everything inside it. */
  readonly region?: readonly string[];
  readonly sort?: 'updatedAt-desc' | 'updatedAt-asc';
  readonly limit?: number;
  readonly skip?: number;
}

export interface OutboxEntry {
  readonly id: string;
  readonly header: RecordHeader;
  readonly update: Uint8Array;
  readonly order: number;
}

export type { RowStamp } from './rowStamp';

/** Where a row stands in the records' order: findPageAfter reads on from it. */
export interface RowPosition {
  readonly recency: number;
  readonly id: string;
}

/** A row written (inserted or replaced) or removed, after the fact. */
export interface RowChange {
  readonly kind: 'put' | 'removed';
  readonly row: RecordRow;
  readonly stamp: RowStamp;
}

/** One page of the rows written or removed after a stamp, in write order. */
export interface RowChangePage {
  readonly changes: readonly RowChange[];
  /** The stamp of the last write this page covers (null when the store has none yet). */
  readonly stamp: RowStamp | null;
  /** No write after `stamp` remains. */
  readonly isDone: boolean;
}

/** An outbox entry added (a local edit) or removed (acknowledged by the hub), after the fact. */
export interface OutboxChange {
  readonly kind: 'added' | 'removed';
  readonly recordId: string;
}

export interface Store {
  /** The highest outbox order found when the store opened (0 if none): new entries go after it. */
  readonly lastOutboxOrder: number;
  getRow(id: string): Promise<RecordRow | null>;
  getRows(ids: readonly string[]): Promise<Map<string, RecordRow>>;
  find(query: RecordQuery): Promise<RecordRow[]>;
  /**
   * The rows of one type in observe()'s order (recency, then id) that come after `after` (a row
   * that page ended on; from the first when null), at most `limit`: a page read where the last one
   * ended, where `skip` would read every row before it again.
   */
  findPageAfter(type: RecordType, after: RowPosition | null, limit: number): Promise<RecordRow[]>;
  observe(query: RecordQuery): Observable<RecordRow[]>;
  observeRow(id: string): Observable<RecordRow | null>;
  /** Every row write and removal from now on (not the rows already there). */
  observeRowChanges(): Observable<RowChange>;
  /**
   * Rows of one type written or removed after `since` (every row there is, when null), oldest
   * write first, up to `limit` writes of any type per page: how a view kept beside the store (the
   * search index) catches up with writes made while it was not listening.
   */
  rowChangesSince(type: RecordType, since: RowStamp | null, limit: number): Promise<RowChangePage>;
  /** Step one of a local change. Resolves once the updates are durable. */
  appendOutbox(entries: readonly OutboxEntry[]): Promise<void>;
  /** Step two: the records those updates produced. */
  putRows(rows: readonly RecordRow[]): Promise<void>;
  /** Deletes records this device may no longer hold (withdrawn by the hub). */
  removeRows(ids: readonly string[]): Promise<void>;
  outbox(limit?: number): Promise<OutboxEntry[]>;
  outboxCount(): Promise<number>;
  /** How many outbox entries there are (of one record, or all): now, and after every change. */
  observeOutboxCount(recordId?: string): Observable<number>;
  /** Every outbox addition and removal from now on. */
  observeOutboxChanges(): Observable<OutboxChange>;
  /** Drops outbox entries the hub has acknowledged. */
  acknowledge(ids: readonly string[]): Promise<void>;
  /**
   * A meta value as it was stored (null while unset), not checked: its owner validates it
   * (shared/sync/syncState.ts for sync state).
   */
  getMeta(key: string): Promise<unknown>;
  setMeta(key: string, value: object): Promise<void>;
  /** A meta value and every later change of it (null while unset), not checked. */
  observeMeta(key: string): Observable<unknown>;
  close(): Promise<void>;
}

const selectorFor = (query: RecordQuery): MangoQuerySelector<RecordRow> => {
  const selector: MangoQuerySelector<RecordRow> = { type: query.type };
  if (query.ownerOrg !== undefined) selector.ownerOrg = query.ownerOrg;
  if (query.status !== undefined) selector.status = query.status;
  if (query.kind !== undefined) selector.kind = query.kind;
  if (query.refId !== undefined) selector.refId = query.refId;
  if (query.tag !== undefined) selector.tags = { $elemMatch: { $eq: query.tag } };
  if (query.region !== undefined && query.region.length > 0) {
    // Stored paths end in '/', so this one range is the path itself and everything below it
    // ("a/b/" and "a/b/c/" but not "a/bc/"), and the region index serves it.
    const key = `${regionKey(query.region)}/`;
    selector.region = { $gte: key, $lt: `${key}\uffff` };
  }
  return selector;
};

function mangoQuery(query: RecordQuery) {
  // Newest first is recency ascending: the direction RxDB can walk an index in.
  const direction = query.sort === 'updatedAt-asc' ? 'desc' : 'asc';
  return {
    selector: selectorFor(query),
    sort: [{ recency: direction }, { id: direction }] as [{ recency: 'asc' | 'desc' }, { id: 'asc' | 'desc' }],
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
    ...(query.skip !== undefined ? { skip: query.skip } : {}),
  };
}

interface StoredMeta {
  _meta: { lwt: number };
  _deleted: boolean;
}

/** A row as RxDB stores it, without RxDB's own fields. */
function withoutStorageFields(stored: RecordRow & Partial<StoredMeta>): RecordRow {
  const { _meta, _deleted, _rev, _attachments, ...row } = stored as RecordRow & StoredMeta & { _rev?: unknown; _attachments?: unknown };
  void _meta;
  void _deleted;
  void _rev;
  void _attachments;
  return row;
}

function toOutboxRow(entry: OutboxEntry): OutboxRow {
  return {
    id: entry.id,
    recordId: entry.header.id,
    type: entry.header.type,
    ownerOrg: entry.header.ownerOrg,
    createdAt: entry.header.createdAt,
    order: entry.order,
    update: encodeBytes(entry.update),
  };
}

function fromOutboxRow(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    header: { id: row.recordId, type: row.type, ownerOrg: row.ownerOrg, createdAt: row.createdAt },
    update: decodeBytes(row.update),
    order: row.order,
  };
}

/** Conflicting writes retried before giving up: each retry follows another writer's write. */
const MAX_WRITE_ATTEMPTS = 5;

/**
 * Writes rows, replacing any stored under their ids (removed rows' tombstones included), as one
 * storage write: one transaction for the whole page, or one per `rowsPerWrite` rows (a crash
 * between two leaves some rows written: each is whole, and the caller's outbox or checkpoint,
 * written after, still says what is missing). It goes to the collection's storage instance
 * directly, as RxDB's own replication does: `bulkUpsert` inserts first and then rewrites every row
 * that already existed one incremental write at a time, which made a pulled page of updates cost
 * a failed transaction plus a write per row (issue 17). The collection, its document cache and
 * every observed query still hear the write, from the storage's change stream, as one event bulk.
 * A row another writer changed between the read and the write (another window on the store) is
 * written again over that writer's version: last write wins, as with `bulkUpsert`. `known` holds
 * stored documents read a moment ago (getRows' last read): a row found there is not read again,
 * and one changed since is caught the same way, by its revision.
 */
async function upsertRows(records: RxCollection<RecordRow>, token: string, rows: readonly RecordRow[], known: ReadonlyMap<string, RxDocumentData<RecordRow>>, rowsPerWrite: number): Promise<void> {
  const unique = [...new Map(rows.map((row) => [row.id, row])).values()];
  if (unique.length <= rowsPerWrite) return upsertSlice(records, token, unique, known);
  const slices: RecordRow[][] = [];
  for (let i = 0; i < unique.length; i += rowsPerWrite) slices.push(unique.slice(i, i + rowsPerWrite));
  // Every slice is waited for, failed or not, so nothing of this call is still writing once it throws.
  const results = await Promise.allSettled(slices.map((slice) => upsertSlice(records, token, slice, known)));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/** One storage write of rows with distinct ids (upsertRows). */
async function upsertSlice(records: RxCollection<RecordRow>, token: string, rows: readonly RecordRow[], known: ReadonlyMap<string, RxDocumentData<RecordRow>>): Promise<void> {
  const storage = records.storageInstance;
  let pending = [...rows];
  const unknown = pending.filter((row) => !known.has(row.id)).map((row) => row.id);
  const found = unknown.length > 0 ? await storage.findDocumentsById(unknown, true) : [];
  let previous = new Map(found.map((doc) => [doc.id, doc]));
  for (const row of pending) if (known.has(row.id)) previous.set(row.id, known.get(row.id)!);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const writes = pending.map((row) => {
      const before = previous.get(row.id);
      const document: RxDocumentData<RecordRow> = { ...row, _deleted: false, _attachments: {}, _meta: { lwt: rxNow() }, _rev: createRevision(token, before) };
      return before ? { document, previous: before } : { document };
    });
    const { error } = await storage.bulkWrite(writes, 'fieldwise-put-rows');
    if (error.length === 0) return;
    const conflicts = error.flatMap((e) => (e.status === 409 ? [e] : []));
    if (conflicts.length < error.length || attempt === MAX_WRITE_ATTEMPTS) throw new Error(`record write failed: ${error[0]?.status}`);
    const retried = new Set(conflicts.map((e) => e.documentId));
    pending = pending.filter((row) => retried.has(row.id));
    previous = new Map(conflicts.map((e) => [e.documentId, e.documentInDb]));
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const database = await createRxDatabase({
    name: options.name,
    storage: rxStorageOf(options.storage),
    multiInstance: options.isMultiInstance ?? false,
    eventReduce: true,
    localDocuments: true,
  });
  const collections = await database.addCollections({
    records: { schema: recordsSchema },
    outbox: { schema: outboxSchema },
  });
  const records = collections.records as RxCollection<RecordRow>;
  const outbox = collections.outbox as RxCollection<OutboxRow>;

  const rowsPerWrite = options.rowsPerWrite ?? Number.POSITIVE_INFINITY;
  /** The stored documents of getRows' last read (upsertRows' `known`). */
  let lastRead = new Map<string, RxDocumentData<RecordRow>>();
  const store: Store = {
    lastOutboxOrder: 0,
    async getRow(id) {
      const doc = await records.findOne(id).exec();
      return doc ? doc.toMutableJSON() : null;
    },
    async getRows(ids) {
      // Straight from the storage: fresh objects each call, so no RxDocument is made and no copy
      // taken of each row (a quarter of a pulled page's time on the UI thread, issue 17).
      const found = await records.storageInstance.findDocumentsById([...ids], false);
      // A page of pulled records is read, folded, then written: its write needs these again.
      lastRead = new Map(found.map((stored) => [stored.id, stored]));
      return new Map(found.map((stored) => [stored.id, withoutStorageFields(stored)]));
    },
    async find(query) {
      // Straight from the storage, as getRows: a one-off read of thousands of rows (the inbox reads
      // every entry) made an RxDocument and a deep copy of each, in one long task (issue 17).
      const { documents } = await records.storageInstance.query(records.find(mangoQuery(query)).getPreparedQuery());
      return documents.map(withoutStorageFields);
    },
    async findPageAfter(type, after, limit) {
      const sort: [{ recency: 'asc' }, { id: 'asc' }] = [{ recency: 'asc' }, { id: 'asc' }];
      // Two index ranges: the rest of the rows as recent as `after`, then the older ones.
      // Straight from the storage, as find: no RxDocument or copy per row of a page.
      const read = async (query: MangoQuery<RecordRow>) => (await records.storageInstance.query(records.find(query).getPreparedQuery())).documents.map(withoutStorageFields);
      const tied = after ? await read({ selector: { type, recency: after.recency, id: { $gt: after.id } }, sort, limit }) : [];
      const left = limit - tied.length;
      const later = left > 0 ? await read({ selector: after ? { type, recency: { $gt: after.recency } } : { type }, sort, limit: left }) : [];
      return [...tied, ...later];
    },
    observe(query) {
      return records.find(mangoQuery(query)).$.pipe(map((docs) => docs.map((doc) => doc.toMutableJSON())));
    },
    observeRow(id) {
      return records.findOne(id).$.pipe(map((doc) => (doc ? doc.toMutableJSON() : null)));
    },
    observeRowChanges() {
      return records.$.pipe(
        map((event) => ({
          kind: event.operation === 'DELETE' ? 'removed' : 'put',
          row: event.documentData,
          stamp: { lwt: (event.documentData as RecordRow & StoredMeta)._meta.lwt, id: event.documentId },
        })),
      );
    },
    async rowChangesSince(type, since, limit) {
      // Removed rows stay as tombstones (no cleanup plugin runs), so a removal is found here too.
      const page = await getChangedDocumentsSince(records.storageInstance, limit, since ?? undefined);
      const changes: RowChange[] = [];
      for (const stored of page.documents) {
        if (stored.type !== type) continue;
        changes.push({ kind: stored._deleted ? 'removed' : 'put', row: withoutStorageFields(stored), stamp: { lwt: stored._meta.lwt, id: stored.id } });
      }
      const last = page.documents.at(-1);
      return { changes, stamp: last ? { lwt: last._meta.lwt, id: last.id } : since, isDone: page.documents.length < limit };
    },
    async removeRows(ids) {
      if (ids.length > 0) await records.bulkRemove([...ids]);
    },
    async appendOutbox(entries) {
      if (entries.length === 0) return;
      // Straight to the storage, as putRows: the collection's bulkInsert also made an RxDocument of
      // each entry, on the keystroke's path to "saved". The change stream still hears the insert.
      const documents = entries.map((entry): RxDocumentData<OutboxRow> => ({ ...toOutboxRow(entry), _deleted: false, _attachments: {}, _meta: { lwt: rxNow() }, _rev: createRevision(database.token) }));
      const result = await outbox.storageInstance.bulkWrite(documents.map((document) => ({ document })), 'fieldwise-append-outbox');
      if (result.error.length > 0) throw new Error(`outbox write failed: ${result.error[0]?.status}`);
    },
    async putRows(rows) {
      if (rows.length > 0) await upsertRows(records, database.token, rows, lastRead, rowsPerWrite);
    },
    async outbox(limit) {
      const docs = await outbox.find({ selector: {}, sort: [{ order: 'asc' }], ...(limit ? { limit } : {}) }).exec();
      return docs.map((doc) => fromOutboxRow(doc.toMutableJSON()));
    },
    outboxCount: () => outbox.count().exec(),
    observeOutboxCount(recordId) {
      if (recordId === undefined) return outbox.count().$;
      return outbox.find({ selector: { recordId } }).$.pipe(map((rows) => rows.length));
    },
    observeOutboxChanges() {
      return outbox.$.pipe(map((event) => ({ kind: event.operation === 'INSERT' ? 'added' : 'removed', recordId: event.documentData.recordId })));
    },
    async acknowledge(ids) {
      if (ids.length > 0) await outbox.bulkRemove([...ids]);
    },
    async getMeta(key) {
      const doc = await database.getLocal<{ value: unknown }>(key);
      return doc ? (doc.get('value') ?? null) : null;
    },
    async setMeta(key, value) {
      await database.upsertLocal(key, { value });
    },
    observeMeta(key) {
      return database.getLocal$<{ value: unknown }>(key).pipe(map((doc) => (doc ? (doc.get('value') ?? null) : null)));
    },
    async close() {
      await database.close();
    },
  };
  const lastOutboxOrder = await replayOutbox(store);
  return { ...store, lastOutboxOrder };
}

/**
 * Deletes a store's database: every row, the outbox and the meta. The store must be closed;
 * opening the same name afterwards starts empty.
 */
export async function removeStore(options: Pick<StoreOptions, 'storage' | 'name'>): Promise<void> {
  await removeRxDatabase(options.name, rxStorageOf(options.storage));
}

/**
 * Folds every pending outbox update back into its record, and returns the last outbox order (it
 * reads the whole outbox anyway, so the client needs no second pass at start-up). Idempotent: a record that already holds
 * an update is left byte-for-byte as it is (same hash), so this only writes what a crash lost.
 */
async function replayOutbox(store: Store): Promise<number> {
  const pending = await store.outbox();
  if (pending.length === 0) return 0;
  const byRecord = groupByRecord(pending);
  const rows = await store.getRows([...byRecord.keys()]);
  const repaired: RecordRow[] = [];
  for (const [id, entries] of byRecord) {
    const row = rows.get(id);
    const doc = foldIntoDoc(row?.state ?? null, entries.map((e) => e.update));
    // The stored header wins: it is immutable once written.
    const header = row ? headerOf(row) : entries[0]!.header;
    const next = toRecordRow(header, doc, row?.seq ?? 0);
    doc.destroy();
    if (!row || row.hash !== next.hash) repaired.push(next);
  }
  await store.putRows(repaired);
  return pending[pending.length - 1]!.order;
}
