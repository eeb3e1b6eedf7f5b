import type { EntryProjection } from '../records/entry';
import { asShownTo } from '../records/entryReview';
import { ENTRY_INDEX_FORMAT, type SearchableEntry, type SearchFilters, type SearchHit } from './entrySearch';
import type { SearchBackend } from './searchBackend';

/*
 * The entry index kept across sessions. It is saved whole (EntrySearch.toJSON) with the stamp of
 * the last row write it holds; on the next start it is loaded and then brought up to date from
 * the rows written or removed after that stamp (by this session before it was saved, by another
 * window, or by a client that wrote without searching), so the first search after a cold start
 * costs a load and a short catch-up instead of indexing every entry. With no usable saved index
 * (none yet, another ENTRY_INDEX_FORMAT, damaged) the same catch-up from no stamp builds it.
 *
 * Saving is a convenience, not a durability promise: an index saved before a crash is only
 * further behind, and the catch-up covers the difference. It is saved once it was built or caught
 * up, at most every SAVE_DELAY_MS while entries change, and when the client closes.
 */

export const SEARCH_INDEX_META_KEY = 'search-index';
const CATCH_UP_PAGE = 500;
const SAVE_DELAY_MS = 30_000;

/**
 * Where a row write stands in the store's order of writes (the store's RowStamp): every later
 * write has a greater stamp. Declared here in the shape the store gives, since search sits below
 * the store in the layering.
 */
export interface RowStamp {
  readonly lwt: number;
  readonly id: string;
}

/** An entry row written or removed (the store's RowChange, as far as search reads it). */
export interface RowChange {
  readonly kind: 'put' | 'removed';
  readonly row: { readonly id: string; readonly ownerOrg: string; readonly projection: object };
  readonly stamp: RowStamp;
}

export interface RowChangePage {
  readonly changes: readonly RowChange[];
  readonly stamp: RowStamp | null;
  readonly isDone: boolean;
}

function compareStamps(a: RowStamp, b: RowStamp): number {
  return a.lwt - b.lwt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** What the index needs from the store, through the client (the one door to it). */
export interface SearchSource {
  /** The organization of this device: other organizations' entries are indexed as it is shown them. */
  readonly readerOrg: string;
  rowChangesSince(since: RowStamp | null, limit: number): Promise<RowChangePage>;
  /** Every entry row change from now on. */
  subscribe(listener: (change: RowChange) => void): { unsubscribe(): void };
  /** The saved index beside the records, where the backend keeps none itself (SearchBackend.saved). */
  readStored(): Promise<unknown>;
  writeStored(value: StoredSearchIndex): Promise<void>;
  /** Drops a saved index beside the records without reading it (the backend now keeps its own). */
  clearStored?(): Promise<void>;
}

export interface StoredSearchIndex {
  readonly format: number;
  readonly stamp: RowStamp | null;
  readonly index: string;
}

/** How the last start got its index, for benchmarks and tests. */
export interface SearchStartReport {
  readonly source: 'loaded' | 'built';
  /** Entry writes and removals applied after the stored stamp (all entries when built). */
  readonly caughtUp: number;
}

/** A saved stamp as it was written (null: the index holds no row write), or undefined when damaged. */
function stampOf(raw: unknown): RowStamp | null | undefined {
  if (raw === null) return null;
  const stamp = raw as Partial<RowStamp> | undefined;
  return typeof stamp?.lwt === 'number' && typeof stamp.id === 'string' ? { lwt: stamp.lwt, id: stamp.id } : undefined;
}

function storedIndexOf(raw: unknown): StoredSearchIndex | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const value = raw as Partial<StoredSearchIndex>;
  if (value.format !== ENTRY_INDEX_FORMAT || typeof value.index !== 'string') return null;
  const stamp = stampOf(value.stamp ?? null);
  if (stamp === undefined) return null;
  return { format: value.format, stamp, index: value.index };
}

const searchableOf = (change: RowChange, readerOrg: string): SearchableEntry => ({
  id: change.row.id,
  ownerOrg: change.row.ownerOrg,
  projection: asShownTo(change.row.projection as unknown as EntryProjection, readerOrg, change.row.ownerOrg),
});

export class PersistedEntrySearch {
  private starting: Promise<SearchStartReport> | null = null;
  /** Every entry write up to this stamp is in the index. */
  private stamp: RowStamp | null = null;
  private hasUnsaved = false;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> = Promise.resolve();
  /** The last live change sent to the backend, once answered (a refusal already handled). */
  private applied: Promise<void> = Promise.resolve();
  private subscription: { unsubscribe(): void } | null = null;
  private isClosed = false;
  private hasClearedStored = false;
  /** A change the index could not take: the saved index may claim it (its stamp is past it), so it is not loaded. */
  private mustRebuild = false;

  constructor(
    private readonly source: SearchSource,
    private readonly backend: SearchBackend,
  ) {}

  /** Loads or builds the index once; later calls wait for the same start. A start that failed is tried again by the next call. */
  start(): Promise<SearchStartReport> {
    this.starting ??= this.load().catch((error: unknown) => {
      this.stopListening();
      this.starting = null;
      throw error;
    });
    return this.starting;
  }

  async search(text: string, filters: SearchFilters): Promise<SearchHit[]> {
    await this.start();
    return this.backend.search(text, filters);
  }

  /** Its backend's worker failed: nothing it is asked will be answered, and the client replaces it. */
  hasFailed(): boolean {
    return this.backend.hasFailed?.() ?? false;
  }

  /** Saves what is unsaved and lets go of the index. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.stopListening();
    await this.starting?.catch(() => undefined);
    if (this.hasUnsaved) await this.save().catch(() => undefined);
    await this.saving;
    this.backend.close();
  }

  private async load(): Promise<SearchStartReport> {
    // Listening starts first, so nothing written during the load is missed; what arrives before
    // the catch-up ends is applied after it, in order, so the newest write lands last.
    let held: RowChange[] | null = [];
    this.subscription = this.source.subscribe((change) => {
      if (held) held.push(change);
      else this.applyLive([change]);
    });
    const isLoaded = await this.loadSaved();
    let caughtUp = 0;
    for (;;) {
      const page = await this.source.rowChangesSince(this.stamp, CATCH_UP_PAGE);
      if (page.changes.length > 0) await this.applyChanges(page.changes);
      caughtUp += page.changes.length;
      this.stamp = page.stamp;
      if (page.isDone) break;
    }
    const early = held;
    held = null;
    this.mustRebuild = false;
    if (early.length > 0) this.applyLive(early);
    if (!isLoaded || caughtUp > 0) {
      this.hasUnsaved = true;
      // At once, even where a later save was already due (a rebuild after a refused change).
      if (this.saveTimer) clearTimeout(this.saveTimer);
      this.saveTimer = null;
      this.scheduleSave(0);
    }
    return { source: isLoaded ? 'loaded' : 'built', caughtUp };
  }

  /** Loads the saved index into the backend (and its stamp into this.stamp); false when there is none usable. */
  private async loadSaved(): Promise<boolean> {
    const { saved } = this.backend;
    // Whatever an earlier, failed start reached counts for nothing.
    this.stamp = null;
    if (this.mustRebuild) {
      await this.backend.reset();
      return false;
    }
    if (saved) {
      // Kept by the backend itself (the renderer's worker): only the stamp comes here.
      const loaded = await saved.load(ENTRY_INDEX_FORMAT).catch(() => null);
      const stamp = loaded ? stampOf(loaded.stamp) : undefined;
      if (stamp === undefined) {
        await this.backend.reset();
        return false;
      }
      this.stamp = stamp;
      return true;
    }
    const stored = storedIndexOf(await this.source.readStored().catch(() => null));
    const isLoaded = stored !== null && (await this.backend.load(stored.index));
    if (isLoaded) this.stamp = stored.stamp;
    else await this.backend.reset();
    return isLoaded;
  }

  private applyChanges(changes: readonly RowChange[]): Promise<void> {
    // The last change of a record wins: a put after a removal (or the reverse) within one page.
    const last = new Map<string, RowChange>();
    for (const change of changes) {
      last.delete(change.row.id);
      last.set(change.row.id, change);
      if (this.stamp === null || compareStamps(change.stamp, this.stamp) > 0) this.stamp = change.stamp;
    }
    const puts: SearchableEntry[] = [];
    const removed: string[] = [];
    for (const change of last.values()) {
      if (change.kind === 'removed') removed.push(change.row.id);
      else puts.push(searchableOf(change, this.source.readerOrg));
    }
    return this.backend.apply(puts, removed);
  }

  private applyLive(changes: readonly RowChange[]): void {
    if (this.isClosed) return;
    // The backend answers in call order, so a search made after this sees it.
    this.applied = this.applyChanges(changes).catch(() => this.startOver());
    this.hasUnsaved = true;
    this.scheduleSave(SAVE_DELAY_MS);
  }

  /**
   * A live change the index could not take: the index now lacks what its stamp says it holds. It
   * is not saved as it is; it is built again from the rows at once (a search meanwhile waits for
   * that), and a build that fails is tried again by the next search.
   */
  private startOver(): void {
    this.hasUnsaved = false;
    // Another change refused while the rebuild it started runs: that rebuild reads it from the rows.
    if (this.mustRebuild && this.starting) return;
    this.mustRebuild = true;
    this.stopListening();
    this.starting = null;
    if (!this.isClosed) this.start().catch(() => undefined);
  }

  /** Until every live change sent to the index so far is answered (taken or refused). */
  private async appliesSettled(): Promise<void> {
    for (let last = this.applied; ; last = this.applied) {
      await last;
      if (last === this.applied) return;
    }
  }

  private stopListening(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  private scheduleSave(delayMs: number): void {
    if (this.saveTimer || this.isClosed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.save().catch(() => undefined);
    }, delayMs);
    // A pending save must not keep a Node process alive.
    (this.saveTimer as { unref?: () => void }).unref?.();
  }

  private save(): Promise<void> {
    const run = this.saving.then(async () => {
      // A change sent before this save that the index refuses would be claimed by the saved stamp
      // without being in the saved text: every one is answered first, and a refusal means no save
      // (the rebuild it starts saves). Nothing is sent between the last answer and the save.
      await this.appliesSettled();
      if (!this.hasUnsaved || this.mustRebuild) return;
      this.hasUnsaved = false;
      // Taken with the request: the backend answers in order, so the text holds every change up to it.
      const stamp = this.stamp;
      try {
        const { saved } = this.backend;
        if (saved) {
          await saved.save(ENTRY_INDEX_FORMAT, stamp);
          // A copy saved beside the records by an earlier version is left behind, text and all.
          if (!this.hasClearedStored) await this.source.clearStored?.();
          this.hasClearedStored = true;
        } else {
          const index = await this.backend.save();
          await this.source.writeStored({ format: ENTRY_INDEX_FORMAT, stamp, index });
        }
      } catch (error) {
        this.hasUnsaved = true;
        throw error;
      }
    });
    this.saving = run.catch(() => undefined);
    return run;
  }
}
