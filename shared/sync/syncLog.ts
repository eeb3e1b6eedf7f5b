import { z } from 'zod';

/*
 * The last events of sync on this device (what was sent and received, errors, the live
 * connection), kept in the store's meta so a support person can read them after a restart.
 * Bursts of events are written together, one meta write per burst.
 */

const errorPhaseSchema = z.enum(['push', 'pull', 'live', 'local']);

/** One logged event; the schema checks what is read back from the store. */
export const syncLogEventSchema = z.discriminatedUnion('kind', [
  z.object({ at: z.number(), kind: z.literal('start') }),
  z.object({ at: z.number(), kind: z.literal('stop') }),
  z.object({ at: z.number(), kind: z.literal('push'), records: z.number(), entries: z.number(), seq: z.number() }),
  z.object({ at: z.number(), kind: z.literal('pull'), records: z.number(), checkpoint: z.number() }),
  z.object({
    at: z.number(),
    kind: z.literal('error'),
    phase: errorPhaseSchema,
    code: z.string().nullable(),
    status: z.number().nullable(),
    message: z.string(),
    /** When the engine retries; null when it gave up (a refused credential). */
    retryInMs: z.number().nullable(),
  }),
  z.object({ at: z.number(), kind: z.literal('quarantine'), recordId: z.string(), entries: z.number(), code: z.string(), message: z.string() }),
  z.object({ at: z.number(), kind: z.literal('live-connect'), seq: z.number() }),
  z.object({ at: z.number(), kind: z.literal('live-disconnect'), code: z.number(), reason: z.string() }),
]);
export type SyncLogEvent = Readonly<z.infer<typeof syncLogEventSchema>>;

/** Where the log is kept: the sync state's owner (shared/sync/syncState.ts) fits. */
export interface SyncLogPort {
  readLog(): Promise<SyncLogEvent[]>;
  writeLog(events: readonly SyncLogEvent[]): Promise<void>;
}

export const SYNC_LOG_LIMIT = 200;

export class SyncLog {
  private stored: SyncLogEvent[] | null = null;
  private readonly queued: SyncLogEvent[] = [];
  private isWriteScheduled = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly port: SyncLogPort,
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
    this.stored = (await this.port.readLog()).slice(-this.limit);
    return this.stored;
  }

  private async write(): Promise<void> {
    this.isWriteScheduled = false;
    const stored = await this.load();
    const next = [...stored, ...this.queued.splice(0)].slice(-this.limit);
    this.stored = next;
    await this.port.writeLog(next);
  }
}
