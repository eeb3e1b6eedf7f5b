import { randomBytes, bytesToHex } from '@noble/hashes/utils.js';
import { defer, map, Observable } from 'rxjs';
import * as Y from 'yjs';
import type { EditContext, Mutator, RecordModule, Timestamps } from '../records/recordModule';
import { moduleFor, type InputTypes, type ProjectionOf } from '../records/registry';
import type { RecordHeader, RecordType, Role } from '../records/recordType';
import { reservedIdRefusal } from '../records/reservedIds';
import { groupByRecord, mergeUpdates } from '../records/yjsUpdates';
import { canChange, isAllowed, ownershipOf } from '../rules/rules';
import type { SearchFilters, SearchHit } from '../search/entrySearch';
import { PersistedEntrySearch, SEARCH_INDEX_META_KEY, type SearchStartReport } from '../search/persistedSearch';
import { localSearchBackend, type SearchBackend } from '../search/searchBackend';
import { portSearchBackend, type SearchPortLike } from '../search/searchPort';
import type { WorkerPortLike } from '../workers/portCalls';
import { lazyRowFolder, localRowFolder, type RowFolder } from './rowFolding';
import { metaPortOf, type MetaPort } from '../store/metaPort';
import { foldIntoDoc, headerOf, toRecordRow } from '../store/recordState';
import type { RecordRow } from '../store/schemas';
import { openStore, removeStore, type OutboxChange, type OutboxEntry, type RecordQuery, type RowChange, type RowPosition, type Store, type StoreStorage } from '../store/store';
import { PermissionError } from './permissionError';

/*
 * The headless client: one object that the renderer, the tests and the sync engine use to work
 * with a network's records offline. It holds one Y.Doc per open record for the whole session (a
 * fresh doc per edit would add a clientID to the record forever), turns every local Yjs update
 * into an outbox entry and a new record row, and folds in updates that arrive from elsewhere.
 *
 * It is the only door to the local store: callers get views, rows and counts from it, never the
 * store itself, so how the store keeps them (RxDB today) stays behind this class.
 */

export interface Identity {
  readonly orgId: string;
  readonly deviceId: string;
  readonly role: Role;
}

export interface ClientOptions {
  readonly storage: StoreStorage;
  readonly identity: Identity;
  /** Database name; defaults to one per organization and device. */
  readonly name?: string;
  readonly now?: () => number;
  /** Replaces the store, e.g. to wrap it in a test that simulates a crash. */
  readonly wrapStore?: (store: Store) => Store;
  /** Told when saving an edit made directly on an open doc (an editor's) fails; the UI shows it. */
  readonly onDidFailWrite?: (error: unknown) => void;
  /**
   * Where the search index lives: a worker, started on the first search or warmSearch (the
   * renderer's, so indexing never blocks the window; shared/search/searchPort.ts), or, when left
   * out or when it cannot start, this thread. A worker that fails (it could not load, or it threw)
   * is replaced by a fresh one, once; after that the index is kept on this thread.
   */
  readonly startSearchWorker?: () => SearchPortLike | undefined;
  /**
   * With startSearchWorker: the database in which the worker keeps the saved index itself
   * (SearchBackend.saved), so its text never crosses to this thread; left out, it is kept in the
   * store's meta. Erasing the device must delete that database too.
   */
  readonly searchIndexDatabase?: string;
  /**
   * Where records that arrive from elsewhere are folded into rows: a worker, started on the first
   * records to fold (the renderer's, so an initial sync or a bundle import does not hold the
   * window; rowFolding.ts), or, when left out or when it cannot start, this thread in slices.
   */
  readonly startFoldWorker?: () => WorkerPortLike | undefined;
  /**
   * Records per page of applyRemote (APPLY_PAGE_RECORDS when left out): one read, one fold and one
   * storage write each (several with rowsPerWrite).
   */
  readonly applyPageRecords?: number;
  /**
   * Most rows one storage write takes (the store's rowsPerWrite; all of a page when left out).
   * Where the storage serializes rows on the caller's thread (IndexedDB in a window), this keeps
   * each write's task inside the 50 ms budget without smaller pages' extra reads and folds.
   */
  readonly rowsPerWrite?: number;
}

export interface RecordView<P = unknown> {
  readonly header: RecordHeader;
  readonly projection: P;
  /** The hub's sequence number this record was last synced at; 0 if never. */
  readonly seq: number;
}

/** A record written (created, edited, or updated from elsewhere) or removed, after the fact. */
export interface RecordChange {
  readonly kind: 'put' | 'removed';
  readonly header: RecordHeader;
}

/** An update that arrived from another replica (through the hub, a bundle, or a test). */
export interface RemoteUpdate {
  readonly header: RecordHeader;
  readonly update: Uint8Array;
  readonly seq?: number;
}

/** Marks updates that came from elsewhere, so they are not sent back out through the outbox. */
const REMOTE_ORIGIN = Symbol('fieldwise-remote');

function toView<P>(row: RecordRow): RecordView<P> {
  return { header: headerOf(row), projection: row.projection as P, seq: row.seq };
}

/**
 * A new record's first state written under a fixed client id (RecordModule.seed), in a doc of its
 * own: the session's doc for the record keeps its own client id for every later edit, since two
 * devices writing under one client id would corrupt the record.
 */
function seededState<I>(module: RecordModule<Timestamps, I>, input: I, ctx: EditContext, clientId: number): Uint8Array {
  const seedDoc = new Y.Doc();
  try {
    seedDoc.clientID = clientId;
    module.create(seedDoc, input, ctx);
    return Y.encodeStateAsUpdate(seedDoc);
  } finally {
    seedDoc.destroy();
  }
}

function newRecordId(type: RecordType): string {
  return `${type}-${bytesToHex(randomBytes(12))}`;
}

/** Records per page of applyRemote, unless the client is told otherwise: one read and one storage write each. */
const APPLY_PAGE_RECORDS = 500;
/** Rows read per page by observeAllInPages: a stored row holds its Yjs state, so 500 took 100 ms to read on a loaded two-core laptop. */
const OBSERVE_PAGE_ROWS = 100;
/** Search workers started before the index stays on this thread: the first, and one fresh one if it fails. */
const SEARCH_WORKER_STARTS = 2;

/** observe()'s order (the store's records sort: recency, then id, both ascending). */
const byRecencyThenId = (a: RecordRow, b: RecordRow): number => a.recency - b.recency || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Docs kept open beyond those an editor holds; the least recently used are closed past this. */
const MAX_OPEN_DOCS = 500;

/**
 * Typing on an open doc writes its outbox entry at once and its record row once the typing pauses
 * for ROW_WRITE_IDLE_MS, or ROW_WRITE_MAX_MS after the first unwritten keystroke at the latest. A
 * row write re-reads the projection, re-encodes and hashes the whole state, and wakes every query
 * and the search index that follow the records: per keystroke that cost far more than the write
 * that makes the change durable (the outbox entry, which the store folds back into the record on
 * open after a crash).
 */
export const ROW_WRITE_IDLE_MS = 400;
export const ROW_WRITE_MAX_MS = 2_000;

interface OpenRecord {
  readonly doc: Y.Doc;
  header: RecordHeader;
  /** The hub sequence number of the stored row, kept here so a write needs no read first. */
  seq: number;
  /** Held by an editor (openDoc) until releaseDoc: never closed to save memory. */
  isPinned: boolean;
}

export class FieldwiseClient {
  /** Open records in least-recently-used order (a Map keeps insertion order). */
  private readonly docs = new Map<string, OpenRecord>();
  /** Local updates waiting for the next write, per record. */
  private readonly pending = new Map<string, Uint8Array[]>();
  /** While set, a mutator's updates are held here until its permission check passes. */
  private captured: { id: string; updates: Uint8Array[] } | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Records whose outbox holds updates their stored row does not yet (edits on an open doc). */
  private readonly rowsDue = new Set<string>();
  private rowWrite: { timer: ReturnType<typeof setTimeout>; readonly firstAt: number } | null = null;
  private outboxOrder: number;
  private readonly outboxTag = bytesToHex(randomBytes(6));
  /** The end of the remote work queued so far (inRemoteTurn). */
  private remoteTurn: Promise<unknown> = Promise.resolve();
  private search: PersistedEntrySearch | null = null;
  private searchWorkerStarts = 0;
  /** The remote pages being applied (updates by record), each until its rows are written. */
  private readonly arriving = new Set<ReadonlyMap<string, readonly RemoteUpdate[]>>();
  private isClosed = false;
  /**
   * Typed access to the store's meta, for its owners alone (sync state in shared/sync/syncState.ts,
   * the inbox's markers in shared/inbox/inboxState.ts): everything else reads and writes records
   * through the methods below.
   */
  readonly meta: MetaPort;

  private constructor(
    private readonly store: Store,
    private readonly location: { readonly storage: StoreStorage; readonly name: string },
    private currentIdentity: Identity,
    private readonly now: () => number,
    lastOrder: number,
    private readonly onDidFailWrite: (error: unknown) => void,
    private readonly startSearchWorker: (() => SearchPortLike | undefined) | undefined,
    private readonly folder: RowFolder,
    private readonly applyPageRecords: number,
    private readonly searchIndexDatabase: string | undefined,
  ) {
    this.outboxOrder = lastOrder;
    this.meta = metaPortOf(store);
  }

  get identity(): Identity {
    return this.currentIdentity;
  }

  /**
   * Takes the role the hub now gives this organization (the network record's members list, which
   * the secretariat's role change rewrites). The hub checks every request against its own store
   * anyway: this only keeps the local checks and the screens in step with it.
   */
  adoptRole(role: Role): void {
    if (role !== this.currentIdentity.role) this.currentIdentity = { ...this.currentIdentity, role };
  }

  static async open(options: ClientOptions): Promise<FieldwiseClient> {
    const { orgId, deviceId } = options.identity;
    const name = options.name ?? `fieldwise-${orgId}-${deviceId}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const opened = await openStore({ storage: options.storage, name, rowsPerWrite: options.rowsPerWrite });
    const store = options.wrapStore ? options.wrapStore(opened) : opened;
    const lastOrder = Math.max(options.now?.() ?? Date.now(), store.lastOutboxOrder);
    return new FieldwiseClient(
      store,
      { storage: options.storage, name },
      options.identity,
      options.now ?? Date.now,
      lastOrder,
      options.onDidFailWrite ?? (() => undefined),
      options.startSearchWorker,
      options.startFoldWorker ? lazyRowFolder(options.startFoldWorker) : localRowFolder(),
      options.applyPageRecords ?? APPLY_PAGE_RECORDS,
      options.startSearchWorker ? options.searchIndexDatabase : undefined,
    );
  }

  private context(): EditContext {
    return { ...this.identity, now: this.now() };
  }

  // ---- creating and editing ---------------------------------------------------------------

  /**
   * Creates a record owned by this organization (or, for the secretariat creating a profile when
   * it invites an organization, by `ownerOrg`). Records whose id is derived (a ballot) are created
   * once: creating again returns the existing id.
   */
  async create<T extends RecordType>(type: T, input: InputTypes[T], options: { ownerOrg?: string } = {}): Promise<string> {
    const module = moduleFor(type);
    const parsed = module.parseInput(input);
    const ownerOrg = options.ownerOrg ?? this.identity.orgId;
    const ownership = ownershipOf(this.identity, ownerOrg);
    if (!isAllowed({ role: this.identity.role, type, ownership, action: 'create' })) {
      throw new PermissionError(type, 'create', this.identity.role, ownership);
    }
    const derived = module.deriveId(parsed, ownerOrg);
    if (derived !== null) {
      const row = this.docs.has(derived) ? null : await this.store.getRow(derived);
      const existing = this.docs.get(derived)?.header ?? (row ? headerOf(row) : null);
      // Created once; a copy of another type there (a squatter pulled before ids were reserved) is replaced.
      if (existing?.type === type) return derived;
      if (existing) this.forget(derived);
    }
    const ctx = this.context();
    const header: RecordHeader = { id: derived ?? newRecordId(type), type, ownerOrg, createdAt: ctx.now };
    const idRefusal = reservedIdRefusal(header);
    if (idRefusal !== null) throw new TypeError(idRefusal);
    const doc = this.track(new Y.Doc(), header, 0);
    const seed = module.seed(parsed);
    const updates = this.capture(header.id, () => (seed ? Y.applyUpdate(doc, seededState(module, parsed, { ...ctx, now: seed.now }, seed.clientId)) : module.create(doc, parsed, ctx)));
    for (const update of updates) this.queueLocal(header.id, update);
    await this.flush();
    return header.id;
  }

  /** Applies a typed mutator after checking the rules; resolves once the change is durable. */
  async mutate<A>(id: string, mutator: Mutator<A>, arg: A): Promise<void> {
    // A refused change drops the doc (below); its typed updates must be in the row before that.
    if (this.rowsDue.has(id)) await this.flush();
    const { doc, header } = await this.openTracked(id);
    if (header.type !== mutator.type) throw new TypeError(`${mutator.name} edits ${mutator.type} records, not ${header.type}`);
    const module = moduleFor(header.type);
    const ownership = ownershipOf(this.identity, header.ownerOrg);
    const before = module.read(doc);
    const factsBefore = module.facts(before);
    if (!isAllowed({ role: this.identity.role, type: header.type, ownership, action: mutator.action }, factsBefore)) {
      throw new PermissionError(header.type, mutator.action, this.identity.role, ownership);
    }
    const updates: Uint8Array[] = [];
    try {
      this.capture(id, () => doc.transact(() => mutator.apply(doc, arg, this.context())), updates);
    } catch (error) {
      // A doc holding half a change is reloaded from the store next time. One the mutator left
      // untouched (it refused the input first) is kept: an editor may be bound to it, and dropping
      // it would also drop that editor's queued updates.
      if (updates.length > 0) this.forget(id);
      throw error;
    }
    // Belt and braces: the change must need no more than the mutator declared (the hub checks the same).
    const verdict = canChange(this.identity, header, module.changeActions(before, module.read(doc)), factsBefore);
    if (!verdict.isAllowed) {
      this.forget(id);
      throw new PermissionError(header.type, verdict.action, this.identity.role, ownership);
    }
    for (const update of updates) this.queueLocal(id, update);
    await this.flush();
  }

  /** Runs a change and returns its updates instead of queueing them, so the caller decides. */
  private capture(id: string, change: () => void, into: Uint8Array[] = []): Uint8Array[] {
    const captured = { id, updates: into };
    this.captured = captured;
    try {
      change();
    } finally {
      this.captured = null;
    }
    return captured.updates;
  }

  /**
   * The session's Y.Doc for a record, for an editor to bind to, held open until `releaseDoc`.
   * Edits made on it directly are saved like any other (the caller checks the rules before
   * offering an editor).
   */
  async openDoc(id: string): Promise<Y.Doc> {
    const open = await this.openTracked(id);
    open.isPinned = true;
    return open.doc;
  }

  /**
   * `read` of the record's session doc as it is now, typing not yet in its row included, without
   * holding the doc (an editor's hold on it stays as it was): what a change to another record is
   * built from (a draft's text submitted into its entry, shared/client/authorText.ts).
   */
  async readDoc<T>(id: string, read: (doc: Y.Doc) => T): Promise<T> {
    return read((await this.openTracked(id)).doc);
  }

  /** The editor is done with the doc; it may be closed when memory is needed. */
  releaseDoc(id: string): void {
    const open = this.docs.get(id);
    if (open) open.isPinned = false;
  }

  private async openTracked(id: string): Promise<OpenRecord> {
    const open = this.docs.get(id);
    if (open) {
      this.docs.delete(id); // most recently used goes last
      this.docs.set(id, open);
      return open;
    }
    const row = await this.store.getRow(id);
    if (!row) throw new RangeError(`no record ${id} in this store`);
    // Another call may have opened it while we were reading.
    const raced = this.docs.get(id);
    if (raced) return raced;
    // Updates of a page being applied now may not be in the row read above; they are idempotent.
    const arriving = [...this.arriving].flatMap((page) =>
      (page.get(id) ?? []).filter((u) => u.header.type === row.type && u.header.ownerOrg === row.ownerOrg).map((u) => u.update),
    );
    this.track(foldIntoDoc(row.state, arriving), headerOf(row), row.seq);
    return this.docs.get(id)!;
  }

  /**
   * Closes the least recently used docs past MAX_OPEN_DOCS that no editor holds and that have no
   * unsaved updates. Reopening one later costs a fresh clientID in that record, once per reopening,
   * which is why the limit is generous.
   */
  private evictIdleDocs(): void {
    let excess = this.docs.size - MAX_OPEN_DOCS;
    for (const [id, open] of this.docs) {
      if (excess <= 0) break;
      if (open.isPinned || this.pending.has(id) || this.rowsDue.has(id)) continue;
      open.doc.destroy();
      this.docs.delete(id);
      excess -= 1;
    }
  }

  private track(doc: Y.Doc, header: RecordHeader, seq: number): Y.Doc {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE_ORIGIN) return;
      if (this.captured?.id === header.id) this.captured.updates.push(update);
      else {
        this.queueLocal(header.id, update);
        this.flushOutbox().catch(this.onDidFailWrite);
      }
    });
    this.docs.set(header.id, { doc, header, seq, isPinned: false });
    return doc;
  }

  private forget(id: string): void {
    this.docs.get(id)?.doc.destroy();
    this.docs.delete(id);
    this.pending.delete(id);
    this.rowsDue.delete(id);
  }

  private queueLocal(id: string, update: Uint8Array): void {
    const list = this.pending.get(id) ?? [];
    list.push(update);
    this.pending.set(id, list);
  }

  /**
   * Writes everything queued: outbox first, rows second (every row due, typed ones included), in
   * one serialized step so writes never interleave. Resolves when what was queued before the call
   * is in the outbox and its records are up to date.
   */
  flush(): Promise<void> {
    return this.write(true);
  }

  /**
   * Writes what is queued to the outbox; resolves when it is durable there, which is what an
   * editor's "saved" waits for. The rows of docs edited directly follow within ROW_WRITE_MAX_MS;
   * if the app dies first, the store folds the outbox into them when it opens again.
   */
  flushOutbox(): Promise<void> {
    return this.write(false);
  }

  private write(isRowWrite: boolean): Promise<void> {
    const run = this.writing.then(() => this.writeQueued(isRowWrite));
    // A failed write must not wedge every later one; the caller of this flush still sees the error.
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async writeQueued(isRowWrite: boolean): Promise<void> {
    if (this.pending.size === 0 && !(isRowWrite && this.rowsDue.size > 0)) return;
    const entries: OutboxEntry[] = [];
    for (const [id, updates] of this.pending) {
      const { header } = this.docs.get(id)!;
      // Many keystrokes become one outbox entry: merged updates are equivalent and smaller.
      const update = mergeUpdates(updates);
      // The outbox key stays short (record ids run to 200 characters, the key's index to 64); the
      // session tag keeps two windows on one store from minting the same key.
      entries.push({ id: `${++this.outboxOrder}~${this.outboxTag}`, header, update, order: this.outboxOrder });
    }
    for (const id of this.pending.keys()) this.rowsDue.add(id);
    this.pending.clear();
    // Rows are read from the docs now, in the same step that emptied `pending`: a row never holds
    // an update that is not in the outbox (written first), or a crash could keep it from the hub.
    const ids = isRowWrite ? [...this.rowsDue] : [];
    const rows = ids.flatMap((id) => {
      const open = this.docs.get(id);
      return open ? [toRecordRow(open.header, open.doc, open.seq)] : [];
    });
    if (isRowWrite) {
      this.rowsDue.clear();
      this.cancelRowWrite();
    }
    await this.store.appendOutbox(entries);
    try {
      await this.store.putRows(rows);
    } catch (error) {
      for (const id of ids) this.rowsDue.add(id);
      throw error;
    }
    if (this.rowsDue.size > 0) this.scheduleRowWrite();
    this.evictIdleDocs();
  }

  /** Debounced row write for typed edits: after a pause, or at the latest ROW_WRITE_MAX_MS after the first. */
  private scheduleRowWrite(): void {
    if (this.isClosed) return;
    const now = Date.now();
    const firstAt = this.rowWrite?.firstAt ?? now;
    if (this.rowWrite) clearTimeout(this.rowWrite.timer);
    const delayMs = Math.max(0, Math.min(ROW_WRITE_IDLE_MS, firstAt + ROW_WRITE_MAX_MS - now));
    this.rowWrite = { timer: setTimeout(() => this.flush().catch(this.onDidFailWrite), delayMs), firstAt };
  }

  private cancelRowWrite(): void {
    if (this.rowWrite) clearTimeout(this.rowWrite.timer);
    this.rowWrite = null;
  }

  // ---- updates from elsewhere ------------------------------------------------------------

  /**
   * Folds in updates from other replicas: into the open doc where the record is open (an editor
   * sees them at once), otherwise straight into the stored state. Never queued to the outbox.
   * An update whose header disagrees with the stored header is refused: headers are immutable.
   *
   * The bulk path of pulled pages and bundle imports (issue 17): records go in pages of
   * APPLY_PAGE_RECORDS, each page one read and one storage write, or one per rowsPerWrite rows (so
   * observed queries hear one change per write, not per record), and the folding in between gives
   * the thread back every few milliseconds.
   */
  async applyRemote(updates: readonly RemoteUpdate[]): Promise<void> {
    const byRecord = groupByRecord(updates);
    const ids = [...byRecord.keys()];
    const page = this.applyPageRecords;
    for (let i = 0; i < ids.length; i += page) {
      await this.inRemoteTurn(() => this.applyRemotePage(new Map(ids.slice(i, i + page).map((id) => [id, byRecord.get(id)!]))));
    }
  }

  /**
   * Runs `work` once the remote work before it has ended: pages of records from elsewhere and
   * withdrawals, one at a time across callers. A page reads its rows, folds, then writes them: two
   * pages with one record, applied at once (a bundle imported while a pull runs), both read it
   * before either wrote, and the second's row, folded without the first's update, won on disk.
   */
  private inRemoteTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.remoteTurn.then(work);
    this.remoteTurn = run.catch(() => undefined);
    return run;
  }

  private async applyRemotePage(byRecord: Map<string, RemoteUpdate[]>): Promise<void> {
    // A record opened while this page is folded (between slices) folds these updates in as it
    // opens, so its doc never misses what this page writes to its row.
    this.arriving.add(byRecord);
    try {
      const rows = await this.store.getRows([...byRecord.keys()]);
      // A copy pulled before ids were reserved (a comment at `result~P`) gives way to the record the
      // hub now has at that id, which would otherwise be dropped as inconsistent with it forever.
      const squatted = [...byRecord].filter(([id, mine]) => {
        const row = rows.get(id);
        return row !== undefined && reservedIdRefusal(headerOf(row)) !== null && mine.some((u) => u.seq !== undefined && reservedIdRefusal(u.header) === null);
      });
      for (const [id] of squatted) {
        this.forget(id);
        rows.delete(id);
      }
      const accepted: { id: string; header: RecordHeader; seq: number; updates: RemoteUpdate[] }[] = [];
      for (const [id, mine] of byRecord) {
        const row = rows.get(id);
        const stored = row ? headerOf(row) : mine[0]!.header;
        const consistent = mine.filter((u) => u.header.type === stored.type && u.header.ownerOrg === stored.ownerOrg);
        if (consistent.length === 0) continue;
        // The hub's header is authoritative: it set it on first push. Between replicas without a
        // hub (two laptops that each created the same derived-id ballot), the earliest creation time
        // wins everywhere, whatever order the copies arrive in.
        const fromHub = consistent.find((u) => u.seq !== undefined);
        const createdAt = fromHub ? fromHub.header.createdAt : Math.min(stored.createdAt, ...consistent.map((u) => u.header.createdAt));
        const header: RecordHeader = { ...stored, createdAt };
        const seq = Math.max(row?.seq ?? 0, ...consistent.map((u) => u.seq ?? 0));
        accepted.push({ id, header, seq, updates: consistent });
      }
      // Open records are folded at write time below, from their doc as it is then.
      const closed = accepted.filter(({ id }) => !this.docs.has(id));
      const results = await this.folder.fold(closed.map(({ id, header, seq, updates: mine }) => ({ header, seq, state: rows.get(id)?.state ?? null, updates: mine.map((u) => u.update) })));
      const folded = new Map<string, RecordRow>();
      results.forEach((result, i) => {
        if ('error' in result) throw new Error(`could not fold the updates of ${closed[i]!.id}: ${result.error}`);
        const row = rows.get(result.row.id);
        const next = result.row;
        if (!row || row.hash !== next.hash || row.seq !== next.seq || row.createdAt !== next.createdAt) folded.set(next.id, next);
      });
      // Serialized behind local writes so a row written from an older doc state never lands last.
      const run = this.writing.then(() => {
        for (const { id, header, seq, updates: mine } of accepted) {
          const open = this.docs.get(id);
          if (!open) continue;
          open.header = header;
          open.seq = seq;
          open.doc.transact(() => {
            for (const u of mine) Y.applyUpdate(open.doc, u.update);
          }, REMOTE_ORIGIN);
          folded.set(id, toRecordRow(header, open.doc, seq));
        }
        return this.store.putRows([...folded.values()]);
      });
      this.writing = run.catch(() => undefined);
      await run;
    } finally {
      this.arriving.delete(byRecord);
    }
  }

  /**
   * Deletes this device's copies of records it may no longer read (the hub withdrew them: made
   * private again, a comment hidden). Open docs are closed; the search index follows the deletion.
   * Never used for records this organization owns, which it can always read.
   */
  forgetRecords(ids: readonly string[]): Promise<void> {
    // In turn with pulled pages: one folding a record while it is forgotten would write it back.
    return this.inRemoteTurn(() => this.forgetRecordsNow(ids));
  }

  private async forgetRecordsNow(ids: readonly string[]): Promise<void> {
    const rows = await this.store.getRows(ids);
    const own = new Set([...rows.values()].filter((row) => row.ownerOrg === this.identity.orgId).map((row) => row.id));
    const gone = ids.filter((id) => !own.has(id));
    for (const id of gone) {
      this.pending.delete(id);
      this.rowsDue.delete(id);
      this.docs.get(id)?.doc.destroy();
      this.docs.delete(id);
    }
    const run = this.writing.then(() => this.store.removeRows(gone));
    this.writing = run.catch(() => undefined);
    await run;
  }

  /** Local updates not yet acknowledged, oldest first: what sync pushes. */
  pendingUpdates(limit?: number): Promise<OutboxEntry[]> {
    return this.store.outbox(limit);
  }

  pendingCount(): Promise<number> {
    return this.store.outboxCount();
  }

  /** How many local changes (of one record, or all) wait for the hub: now, and after every change. */
  observePendingCount(recordId?: string): Observable<number> {
    return this.store.observeOutboxCount(recordId);
  }

  /** Every outbox addition (a local change) and removal (acknowledged) from now on. */
  observeOutboxChanges(): Observable<OutboxChange> {
    return this.store.observeOutboxChanges();
  }

  /** Drops acknowledged outbox entries, once the rows hold every update in them (the outbox is their only other copy here). */
  async acknowledge(ids: readonly string[]): Promise<void> {
    if (this.rowsDue.size > 0) await this.flush();
    await this.store.acknowledge(ids);
  }

  // ---- reading ---------------------------------------------------------------------------

  async get<T extends RecordType>(id: string): Promise<RecordView<ProjectionOf<T>> | null> {
    const row = await this.store.getRow(id);
    return row ? toView(row) : null;
  }

  /**
   * The views of these records in the order asked for; ids this device does not hold are left out.
   * Read OBSERVE_PAGE_ROWS at a time: the inbox reads every record written since it last looked,
   * a thousand and more while a bundle is imported, and one read of them all was one long task.
   */
  async getMany<P = unknown>(ids: readonly string[]): Promise<RecordView<P>[]> {
    const views: RecordView<P>[] = [];
    for (let i = 0; i < ids.length; i += OBSERVE_PAGE_ROWS) {
      const page = ids.slice(i, i + OBSERVE_PAGE_ROWS);
      const rows = await this.store.getRows(page);
      for (const id of page) {
        const row = rows.get(id);
        if (row) views.push(toView<P>(row));
      }
    }
    return views;
  }

  /**
   * A record as stored: the view's fields plus its compacted Yjs state (base64) and that state's
   * hash. For exporting whole states (bundles) and for tests that check what reached the disk.
   */
  getRow(id: string): Promise<RecordRow | null> {
    return this.store.getRow(id);
  }

  /** The stored rows a query matches (see getRow). */
  listRows(query: RecordQuery): Promise<RecordRow[]> {
    return this.store.find(query);
  }

  async list<T extends RecordType>(query: RecordQuery & { type: T }): Promise<RecordView<ProjectionOf<T>>[]> {
    return (await this.store.find(query)).map((row) => toView(row));
  }

  observe<T extends RecordType>(query: RecordQuery & { type: T }): Observable<RecordView<ProjectionOf<T>>[]> {
    return defer(() => {
      // An unchanged record keeps its view object from one answer to the next, so a list row
      // drawn from it (React.memo) is not drawn again each time another record is written: while
      // 10,000 records arrived the library redrew every row it showed once a second (issue 17).
      let previous = new Map<string, { readonly hash: string; readonly view: RecordView<ProjectionOf<T>> }>();
      return this.store.observe(query).pipe(
        map((rows) => {
          const next = new Map<string, { readonly hash: string; readonly view: RecordView<ProjectionOf<T>> }>();
          const views = rows.map((row) => {
            const kept = previous.get(row.id);
            // createdAt too: the earliest creation time wins when copies meet, with the state unchanged.
            const view = kept && kept.hash === row.hash && kept.view.seq === row.seq && kept.view.header.createdAt === row.createdAt ? kept.view : toView<ProjectionOf<T>>(row);
            next.set(row.id, { hash: row.hash, view });
            return view;
          });
          previous = next;
          return views;
        }),
      );
    });
  }

  /**
   * Every record of a type, as list({ type }) gives them (newest first), read pageSize rows at a
   * time: one read of 10,000 entries and more was one long task on the UI thread (issue 17). A
   * row written during the read may be missed (it moved ahead of the page being read) or be met
   * again (kept once); a caller follows observeRecordChanges for those.
   */
  async listInPages<T extends RecordType>(type: T, pageSize = OBSERVE_PAGE_ROWS): Promise<RecordView<ProjectionOf<T>>[]> {
    const views: RecordView<ProjectionOf<T>>[] = [];
    const seen = new Set<string>();
    let after: RowPosition | null = null;
    for (;;) {
      const page = await this.store.findPageAfter(type, after, pageSize);
      for (const row of page) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        views.push(toView<ProjectionOf<T>>(row));
      }
      const last = page.at(-1);
      if (!last || page.length < pageSize) return views;
      after = { recency: last.recency, id: last.id };
    }
  }

  /**
   * Every record of one type, as observe({ type }) gives them (the same rows, by recency then
   * id), for a type with thousands of records: the first answer is read from the store a page at a
   * time, each page where the last ended, so no one task turns 10,000 stored rows into views
   * (issue 17: the Reports screen froze on it); then every write of the type changes it, a burst
   * of writes (a pulled page) once. Listening starts before the first page, so nothing written
   * meanwhile is missed (a row written during the read may be read too: the write heard wins).
   */
  observeAllInPages<T extends RecordType>(type: T, pageSize = OBSERVE_PAGE_ROWS): Observable<RecordView<ProjectionOf<T>>[]> {
    return new Observable<RecordView<ProjectionOf<T>>[]>((subscriber) => {
      const rows = new Map<string, RecordRow>();
      const apply = (change: RowChange) => {
        if (change.kind === 'removed') rows.delete(change.row.id);
        else rows.set(change.row.id, change.row);
      };
      const emit = () => subscriber.next([...rows.values()].sort(byRecencyThenId).map((row) => toView<ProjectionOf<T>>(row)));
      let held: RowChange[] | null = [];
      let emitTimer: ReturnType<typeof setTimeout> | null = null;
      const subscription = this.store.observeRowChanges().subscribe((change) => {
        if (change.row.type !== type) return;
        if (held) {
          held.push(change);
          return;
        }
        apply(change);
        // A pulled page arrives as hundreds of writes in one go: one answer for all of them.
        emitTimer ??= setTimeout(() => {
          emitTimer = null;
          emit();
        }, 0);
      });
      let isStopped = false;
      void (async () => {
        let after: RowPosition | null = null;
        for (;;) {
          const page = await this.store.findPageAfter(type, after, pageSize);
          if (isStopped) return;
          for (const row of page) rows.set(row.id, row);
          const last = page.at(-1);
          if (!last || page.length < pageSize) break;
          after = { recency: last.recency, id: last.id };
        }
        // Writes heard during the read, in order after it: the newest write of a row lands last.
        for (const change of held ?? []) apply(change);
        held = null;
        emit();
      })().catch((error: unknown) => subscriber.error(error));
      return () => {
        isStopped = true;
        subscription.unsubscribe();
        if (emitTimer) clearTimeout(emitTimer);
      };
    });
  }

  observeRecord<T extends RecordType>(id: string): Observable<RecordView<ProjectionOf<T>> | null> {
    return this.store.observeRow(id).pipe(map((row) => (row ? toView(row) : null)));
  }

  /**
   * Every record write (a local edit, an update from elsewhere) and removal from now on: for a
   * view that cannot be one query (search results) to know when to read again.
   */
  observeRecordChanges(): Observable<RecordChange> {
    return this.store.observeRowChanges().pipe(map(({ kind, row }) => ({ kind, header: headerOf(row) })));
  }

  /**
   * Full-text search over entries, Chinese included. The index is kept on disk between sessions
   * and loaded on first use (or `warmSearch`), brought up to date with the rows written since it
   * was saved, and then follows the store's change stream (shared/search/persistedSearch.ts).
   */
  async searchEntries(text: string, filters: SearchFilters = {}): Promise<SearchHit[]> {
    for (;;) {
      const search = this.entrySearch();
      try {
        return await search.search(text, filters);
      } catch (error) {
        // The index's worker failed under this search: asked again of a fresh index (entrySearch),
        // in the end this thread's, which has no worker to fail.
        if (this.isClosed || !search.hasFailed()) throw error;
      }
    }
  }

  /** Loads (or builds) the search index now, so the first search does not wait for it. */
  warmSearch(): Promise<SearchStartReport> {
    return this.entrySearch().start();
  }

  private entrySearch(): PersistedEntrySearch {
    if (this.isClosed) throw new Error('the client is closed');
    if (this.search?.hasFailed()) {
      // Its worker is gone: what it saved stays saved, and the next index starts from it.
      void this.search.close();
      this.search = null;
    }
    this.search ??= new PersistedEntrySearch(
      {
        readerOrg: this.identity.orgId,
        rowChangesSince: (since, limit) => this.store.rowChangesSince('entry', since, limit),
        subscribe: (listener) =>
          this.store.observeRowChanges().subscribe((change) => {
            if (change.row.type === 'entry') listener(change);
          }),
        readStored: () => this.store.getMeta(SEARCH_INDEX_META_KEY),
        writeStored: (value) => this.store.setMeta(SEARCH_INDEX_META_KEY, value),
        // Written over, never read: reading the old copy would cost what keeping it apart saves.
        clearStored: () => this.store.setMeta(SEARCH_INDEX_META_KEY, { cleared: true }),
      },
      this.newSearchBackend(),
    );
    return this.search;
  }

  /** A worker's index while fewer than SEARCH_WORKER_STARTS have been started; then this thread's. */
  private newSearchBackend(): SearchBackend {
    const port = this.searchWorkerStarts < SEARCH_WORKER_STARTS ? this.startSearchWorker?.() : undefined;
    if (!port) return localSearchBackend();
    this.searchWorkerStarts += 1;
    return portSearchBackend(port, this.searchIndexDatabase);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.flush().catch(() => undefined);
    this.cancelRowWrite();
    await this.search?.close();
    this.folder.close();
    for (const { doc } of this.docs.values()) doc.destroy();
    this.docs.clear();
    await this.store.close();
  }

  /**
   * Closes the client (if open) and deletes its local database: records, unsent changes and sync
   * state alike. Opening the same database again starts empty.
   */
  async erase(): Promise<void> {
    await this.close();
    await removeStore(this.location);
  }
}

export const openClient = (options: ClientOptions): Promise<FieldwiseClient> => FieldwiseClient.open(options);
