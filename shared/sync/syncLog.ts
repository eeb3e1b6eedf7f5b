/*
 * The last events of sync on this device (what was sent and received, errors, the live
 * connection), kept in the store's meta so a support person can read them after a restart.
 * Bursts of events are written together, one meta write per burst.
 */

export type SyncLogEvent = { readonly at: number } & (
  | { readonly kind: 'start' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'push'; readonly records: number; readonly entries: number; readonly seq: number }
  | { readonly kind: 'pull'; readonly records: number; readonly checkpoint: number }
  | {
      readonly kind: 'error';
      readonly phase: 'push' | 'pull' | 'live' | 'local';
      readonly code: string | null;
      readonly status: number | null;
      readonly message: string;
      /** When the engine retries; null when it gave up (a refused credential). */
      readonly retryInMs: number | null;
    }
  | { readonly kind: 'quarantine'; readonly recordId: string; readonly entries: number; readonly code: string; readonly message: string }
  | { readonly kind: 'live-connect'; readonly seq: number }
  | { readonly kind: 'live-disconnect'; readonly code: number; readonly reason: string }
);

/** Where the log is kept: the client's store meta fits. */
export interface MetaPort {
  getMeta<T>(key: string): Promise<T | null>;
  setMeta<T extends object>(key: string, value: T): Promise<void>;
}

export const SYNC_LOG_KEY = 'sync.log';
export const SYNC_LOG_LIMIT = 200;

export class SyncLog {
  private stored: SyncLogEvent[] | null = null;
  private readonly queued: SyncLogEvent[] = [];
  private isWriteScheduled = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly meta: MetaPort,
    private readonly limit: number = SYNC_LOG_LIMIT,
  ) {}

  append(event: SyncLogEvent): void {
    this.queued.push(event);
    if (this.isWriteScheduled) return;
    this.isWriteScheduled = true;
    // A failed write (the store closing under us) loses log lines, never sync state.
    this.writing = this.writing.then(() => this.write()).catch(() => undefined);
  }

  /** The kept events, oldest first, including those not yet written. */
  async entries(): Promise<SyncLogEvent[]> {
    await this.writing;
    return [...(await this.load()), ...this.queued].slice(-this.limit);
  }

  /** Resolves once every appended event is written. */
  flushed(): Promise<void> {
    return this.writing;
  }

  private async load(): Promise<SyncLogEvent[]> {
    if (this.stored) return this.stored;
    const saved = await this.meta.getMeta<{ events?: unknown }>(SYNC_LOG_KEY);
    this.stored = Array.isArray(saved?.events) ? (saved.events as SyncLogEvent[]).slice(-this.limit) : [];
    return this.stored;
  }

  private async write(): Promise<void> {
    this.isWriteScheduled = false;
    const stored = await this.load();
    const next = [...stored, ...this.queued.splice(0)].slice(-this.limit);
    this.stored = next;
    await this.meta.setMeta(SYNC_LOG_KEY, { events: next });
  }
}
