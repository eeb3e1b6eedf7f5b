import type { RecordLog } from '../storage/hubStorage';
import type { CommitEvent } from './hub';

/*
 * Commits a serving hub was never told of: made by another process on its storage without a
 * fan-out, such as `hub role`, `hub grant`, `hub invite` or `hub import-bundle` run beside it on the
 * same data folder (SQLite has no LISTEN/NOTIFY, and the command line starts no fan-out on
 * PostgreSQL either). Without this a device connected to /v1/live kept a role the secretariat had
 * changed until something else made it sync.
 *
 * The serving hub checks the storage's latest number on its one-second timer (httpServer.ts) and
 * announces every range of numbers no commit event covered, with the records changed in it, as a
 * remote commit (so the PostgreSQL fan-out does not echo it). A commit of this process that lands
 * between its write and its own announcement may be announced twice; an announcement is only a
 * hint to pull or catch up, so a repeat costs a no-op read.
 */

/** What this needs of the hub (the Hub class has it): its commit events, in and out. */
export interface CommitAnnouncer {
  onDidCommit(listener: (event: CommitEvent) => void): () => void;
  announce(event: CommitEvent): void;
}

/** A range of sequence numbers, `(after, upTo]`. */
interface SeqRange {
  readonly after: number;
  readonly upTo: number;
}

export class UnheardCommits {
  /** Every number up to here was announced, or found unannounced and announced by check(). */
  private accountedSeq: number;
  /** Numbers above `accountedSeq` that commit events covered. */
  private heard: SeqRange[] = [];
  private readonly unsubscribe: () => void;
  private isChecking = false;

  private constructor(
    private readonly hub: CommitAnnouncer,
    private readonly storage: Pick<RecordLog, 'lastSeq' | 'changedIdsBetween'>,
    startSeq: number,
  ) {
    this.accountedSeq = startSeq;
    // A commit's writes get consecutive numbers ending at its seq, one per record (HubStorage.commit).
    this.unsubscribe = hub.onDidCommit((event) => this.hear({ after: event.seq - event.recordIds.length, upTo: event.seq }));
  }

  /** Starts listening; what was committed before this is not announced (no device was told yet). */
  static async start(hub: CommitAnnouncer, storage: Pick<RecordLog, 'lastSeq' | 'changedIdsBetween'>): Promise<UnheardCommits> {
    return new UnheardCommits(hub, storage, await storage.lastSeq());
  }

  /** Announces whatever was committed since the last check and not announced. */
  async check(): Promise<void> {
    if (this.isChecking) return;
    this.isChecking = true;
    try {
      const latest = await this.storage.lastSeq();
      if (latest <= this.accountedSeq) return;
      const gaps = this.gapsUpTo(latest);
      this.accountedSeq = latest;
      this.heard = this.heard.filter((range) => range.upTo > latest);
      for (const gap of gaps) {
        const recordIds = await this.storage.changedIdsBetween(gap.after, gap.upTo);
        this.hub.announce({ seq: gap.upTo, recordIds, isRemote: true });
      }
    } finally {
      this.isChecking = false;
    }
  }

  dispose(): void {
    this.unsubscribe();
  }

  private hear(range: SeqRange): void {
    if (range.upTo > this.accountedSeq) this.heard.push(range);
  }

  /** The ranges in `(accountedSeq, latest]` that no commit event covered. */
  private gapsUpTo(latest: number): SeqRange[] {
    const gaps: SeqRange[] = [];
    let cursor = this.accountedSeq;
    for (const range of [...this.heard].sort((a, b) => a.after - b.after)) {
      if (range.after >= latest) break;
      if (range.after > cursor) gaps.push({ after: cursor, upTo: range.after });
      cursor = Math.max(cursor, range.upTo);
    }
    if (cursor < latest) gaps.push({ after: cursor, upTo: latest });
    return gaps;
  }
}
