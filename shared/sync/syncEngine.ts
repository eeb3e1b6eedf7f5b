import { toBase64 } from 'lib0/buffer';
import type { FieldwiseClient } from '../client/client';
import type { RecordType } from '../records/recordType';
import type { OutboxEntry } from '../store/store';
import { groupByRecord, mergeUpdates } from '../records/yjsUpdates';
import { backoffDelayMs, defaultBackoff, probeDelayMs, type BackoffOptions } from './backoff';
import { confirmOutboxAgainst } from './outboxConfirmation';
import { closeCodes, limits, PullFrameReader, type PushRequest, type PushResponse } from './protocol';
import { SyncLog, type SyncLogEvent } from './syncLog';
import { syncStateOf, type QuarantinedEntry, type StoredSyncState } from './syncState';
import {
  type Clock,
  type ConnectivityPort,
  type LiveMessage,
  type LiveSocket,
  type SyncTransport,
  type TransportFailure,
  type TransportResult,
} from './transport';

/*
 * The client's sync engine (docs/PROTOCOL.md): a session pushes the outbox merged per record,
 * then pulls everything since the stored checkpoint, one page at a time; the live socket and local
 * edits start sessions. Guarantees:
 * - one session at a time; asking during a session runs one more right after it;
 * - an outbox entry is dropped only once the hub acknowledged the push that carried it;
 * - a record the hub refuses is quarantined (kept locally, left out of pushes, listed with the
 *   refusal) and the rest still syncs: nothing the user wrote is ever deleted silently;
 * - the checkpoint is stored after the page it covers is applied, so a broken pull resumes there;
 * - a refused credential stops all retrying; a hub that answers with an error is retried with
 *   backoff; a link that gives no answer is probed (GET /health) after 1, 2, 4 s, then backing
 *   off, and while the platform says offline nothing is tried: its "online" probes at once; a
 *   live socket the link dropped is retried on the same short schedule, one the hub closed on
 *   the error backoff;
 * - small, time-bound records (proposals, ballots, interests, comments) are pushed first, in a
 *   small first batch, so a short window delivers the votes; acknowledged batches stay so;
 * - an outbox entry the hub sends back in a pull page is dropped as confirmed (a USB bundle).
 */

export type { QuarantinedEntry };

export type SyncState =
  /** Not started, stopped, or the hub cannot be reached (then `nextRetryAt` says when it tries again). */
  | {
      readonly state: 'offline';
      readonly nextRetryAt: number | null;
      /**
       * Why (additive; absent from engines older than it): `stopped` not started or stopped;
       * `platform` the platform says there is no network, and the engine waits for it to say
       * online (`nextRetryAt` null); `unreachable` the platform says online but the hub did not
       * answer (a probe or a request got no HTTP answer), probed again at `nextRetryAt`. A hub
       * that answered with an error is the `error` state instead.
       */
      readonly cause?: OfflineCause;
    }
  | { readonly state: 'connecting' }
  /**
   * Push: `done` of `total` records sent. Pull: `done` of `total` changes (sequence numbers)
   * between the checkpoint and the hub's latest, `total` null while the latest is unknown.
   */
  | { readonly state: 'syncing'; readonly phase: 'push' | 'pull'; readonly done: number; readonly total: number | null }
  | { readonly state: 'synced'; readonly at: number }
  /**
   * The hub refused (or the local store failed); `nextRetryAt` null when nothing is retried: a
   * revoked or expired credential, or a one-off `syncNow()` without `start()`.
   */
  | { readonly state: 'error'; readonly reason: string; readonly code: string | null; readonly nextRetryAt: number | null };

export type OfflineCause = 'stopped' | 'platform' | 'unreachable';

/**
 * What the current session (or, once it ended, the last one) moved, both directions. Records and
 * bytes to send are known when the push starts; what the pull will bring is not known ahead.
 */
export interface SyncTransfer {
  /** Records the hub acknowledged, and their approximate bytes (the JSON body, before gzip). */
  readonly sentRecords: number;
  readonly sentBytes: number;
  /** Records and bytes the push set out to send (pending, quarantined ones left out). */
  readonly toSendRecords: number;
  readonly toSendBytes: number;
  /** Records applied from the pull, and the pull stream's bytes as read (after decompression). */
  readonly receivedRecords: number;
  readonly receivedBytes: number;
}

export type SyncStatus = SyncState & {
  /** Local changes not yet acknowledged by the hub, quarantined ones left out. */
  readonly pendingCount: number;
  /** Outbox entries the hub refused, kept locally (see `quarantined()`). */
  readonly quarantinedCount: number;
  /** Whether the live socket is connected and authenticated. */
  readonly isLive: boolean;
  /** When the last session succeeded, kept through offline and error states; null before any. */
  readonly lastSyncedAt: number | null;
  /**
   * Since when the hub has not answered (a request got no answer, or the live socket closed or
   * could not open), counted from the first such sign after the last answer; null while the last
   * contact with the hub succeeded. A fact for "synced at T, hub not reachable now".
   */
  readonly unreachableSince: number | null;
  /** Progress of the running session, or the totals of the last one; absent before the first. */
  readonly transfer?: SyncTransfer;
};

export interface SyncEngineOptions {
  readonly backoff?: BackoffOptions;
  /** In [0, 1): the jitter of retry delays. */
  readonly random?: () => number;
  /** Whether `start()` keeps the live socket open (default true). */
  readonly isLive?: boolean;
  /** How long announcements of new changes are gathered before a session starts. */
  readonly liveDebounceMs?: number;
  /** Quiet time after a local edit before a session starts... */
  readonly localDebounceMs?: number;
  /** ...unless edits keep coming for this long. */
  readonly localMaxWaitMs?: number;
  /**
   * A request that shows no progress for this long is given up as a network failure (a push gets
   * 1 ms more per byte of its body, to upload at 1 KB/s).
   */
  readonly stallTimeoutMs?: number;
  /** Pushes are cut into bodies of about this size, so a broken upload on a slow link wastes little. */
  readonly maxBatchBytes?: number;
  /**
   * After a successful pull, the network status is fetched again once the last fetch (kept in the
   * store, so a restart does not refetch) is at least this old; -1 never fetches. Default 6 hours:
   * the answer grows with the network (a row per organization) and reports only flag organizations
   * silent for days, so a routine reconnect should not pay for it; a screen that shows it fresh
   * (network health) asks with fetchNetworkStatus().
   */
  readonly networkStatusIntervalMs?: number;
  /**
   * The platform's online/offline signal. Without it the engine assumes online and learns of a
   * down link only from failed requests and probes.
   */
  readonly connectivity?: ConnectivityPort;
  /** How long a probe of the hub (GET /health) may take before the link counts as down. */
  readonly probeTimeoutMs?: number;
  /**
   * The first push batch of a session is at most this big, and each next one twice the last (up
   * to `maxBatchBytes`): the time-bound records, sent first, land in the first seconds of a
   * short window on a slow link, and a link dropped mid-way loses at most one batch.
   */
  readonly firstBatchBytes?: number;
}

type Failure = TransportFailure | { readonly kind: 'local'; readonly message: string };
type SessionOutcome = { readonly kind: 'ok' } | { readonly kind: 'stopped' } | { readonly kind: 'failed'; readonly phase: 'push' | 'pull'; readonly failure: Failure };

const AUTH_CODES = new Set(['unauthorized', 'token-expired', 'token-revoked']);
const TIMED_OUT = Symbol('timed out');
/** WebSocket close code for a connection that ended without a closing handshake (RFC 6455 7.1.5). */
const ABNORMAL_CLOSURE = 1006;
/** Bytes of JSON around one pushed record besides its id, type and update. */
const RECORD_OVERHEAD_BYTES = 48;

function isAuthFailure(failure: Failure): boolean {
  return failure.kind === 'http' && (failure.status === 401 || (failure.code !== null && AUTH_CODES.has(failure.code)));
}

function sameStatus(a: SyncStatus, b: SyncStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface PendingRecord {
  readonly recordId: string;
  readonly entries: OutboxEntry[];
}

/** A record's pending entries as one push item. */
interface PreparedRecord {
  readonly pending: PendingRecord;
  readonly record: PushRequest['records'][number];
  readonly updateBytes: number;
  /** Its approximate share of the JSON body. */
  readonly bytes: number;
}

/** Outbox entries per record, in the outbox's order. */
const pendingRecords = (entries: readonly OutboxEntry[]): PendingRecord[] =>
  [...groupByRecord(entries)].map(([recordId, list]) => ({ recordId, entries: list }));

/*
 * Push order: small, time-bound records first, so a short window delivers the votes before the
 * entry bodies. A proposal goes before ballots and comments (the hub checks a ballot against its
 * proposal, in the same batch or stored); within a rank the outbox's order holds.
 */
const PUSH_RANK: Partial<Record<RecordType, number>> = { proposal: 0, ballot: 1, interest: 1, comment: 1 };
const LATER_RANK = 2;

export function pushRank(type: RecordType): number {
  return PUSH_RANK[type] ?? LATER_RANK;
}

/** The records in push order (a stable sort: ties keep the outbox's order). */
export function inPushOrder<T extends { readonly record: { readonly type: RecordType } }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index, rank: pushRank(item.record.type) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ item }) => item);
}

function prepareRecord(pending: PendingRecord): PreparedRecord {
  const update = mergeUpdates(pending.entries.map((entry) => entry.update));
  const header = pending.entries[0]!.header;
  const record = { id: header.id, type: header.type, update: toBase64(update) };
  return { pending, record, updateBytes: update.length, bytes: record.update.length + record.id.length + record.type.length + RECORD_OVERHEAD_BYTES };
}

export class SyncEngine {
  private current: SyncStatus = { state: 'offline', nextRetryAt: null, pendingCount: 0, quarantinedCount: 0, isLive: false, lastSyncedAt: null, unreachableSince: null };
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private readonly syncLog: SyncLog;
  /** The checkpoint, quarantine and network status this engine keeps in the client's store. */
  private readonly stored: StoredSyncState;
  private readonly options: Required<Omit<SyncEngineOptions, 'backoff' | 'random' | 'connectivity'>> & { backoff: BackoffOptions; random: () => number };

  private isStarted = false;
  /** Set by `stop()` while the running session winds down. */
  private isStopping = false;
  /** Resolves when `stop()` is called, so a request in flight is not waited for. */
  private stopping!: Promise<void>;
  private signalStop!: () => void;
  /** Stopped by a refused credential (see `halt`). */
  private isHalted = false;
  /** Whether the last request got an answer from the hub. */
  private isReachable = false;

  private isSyncWanted = false;
  private isCatchUpWanted = false;
  private loop: Promise<void> | null = null;
  private failedAttempts = 0;
  private lastFailure: 'network' | 'hub' | null = null;
  private lastLoggedError: string | null = null;
  private knownHubSeq = 0;
  /** Fewer records per push once a batch was refused as too large (kept for the engine's life). */
  private batchRecordLimit: number = limits.maxRecordsPerPush;

  private retryTimer: unknown = null;
  /** A probe of a link that did not answer, on the short schedule (see `probeDelayMs`). */
  private probeTimer: unknown = null;
  private probeAttempts = 0;
  private isProbing = false;
  private readonly connectivity: ConnectivityPort | null;
  private connectivityUnsubscribe: (() => void) | null = null;
  private transfer: SyncTransfer | null = null;
  private liveTimer: unknown = null;
  private localTimer: unknown = null;
  private localFirstAt: number | null = null;
  private outboxSubscription: { unsubscribe(): void } | null = null;
  private countsRefresh: Promise<void> | null = null;
  private isCountsRefreshWanted = false;

  private lastNetworkStatusAt: number | null = null;

  private live: { socket: LiveSocket | null; isReady: boolean } | null = null;
  private liveTimerReconnect: unknown = null;
  private liveAttempts = 0;

  constructor(
    readonly client: FieldwiseClient,
    private readonly transport: SyncTransport,
    private readonly clock: Clock,
    options: SyncEngineOptions = {},
  ) {
    this.stored = syncStateOf(client);
    this.syncLog = new SyncLog(this.stored);
    this.options = {
      backoff: options.backoff ?? defaultBackoff,
      random: options.random ?? Math.random,
      isLive: options.isLive ?? true,
      liveDebounceMs: options.liveDebounceMs ?? 100,
      localDebounceMs: options.localDebounceMs ?? 500,
      localMaxWaitMs: options.localMaxWaitMs ?? 2_000,
      stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
      maxBatchBytes: options.maxBatchBytes ?? 1024 * 1024,
      networkStatusIntervalMs: options.networkStatusIntervalMs ?? 6 * 3_600_000,
      probeTimeoutMs: options.probeTimeoutMs ?? 5_000,
      firstBatchBytes: options.firstBatchBytes ?? 16 * 1024,
    };
    this.connectivity = options.connectivity ?? null;
    this.armStopSignal();
    this.armLinkLostSignal();
  }

  /** Resolves when the platform says the network is gone: requests in flight are given up then. */
  private linkLost: Promise<void> = new Promise(() => undefined);
  private signalLinkLost: () => void = () => undefined;

  private armLinkLostSignal(): void {
    this.linkLost = new Promise((resolve) => {
      this.signalLinkLost = resolve;
    });
  }

  private armStopSignal(): void {
    this.stopping = new Promise((resolve) => {
      this.signalStop = resolve;
    });
  }

  // ---- public surface ---------------------------------------------------------------------

  get status(): SyncStatus {
    return this.current;
  }

  onDidChangeStatus(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last sync events, oldest first (at most 200, kept across restarts). */
  log(): Promise<SyncLogEvent[]> {
    return this.syncLog.entries();
  }

  /** Connects the live socket, follows local edits, and syncs. */
  start(): Promise<void> {
    if (this.isStarted) return this.loop ?? Promise.resolve();
    this.isStarted = true;
    this.isHalted = false;
    this.failedAttempts = 0;
    this.append({ kind: 'start' });
    this.setState({ state: 'connecting' });
    this.outboxSubscription = this.client.observeOutboxChanges().subscribe((change) => {
      if (change.kind === 'added') this.notifyLocalChange();
    });
    this.connectivityUnsubscribe = this.connectivity?.onDidChange((isOnline) => (isOnline ? this.onLinkReturned() : this.onLinkLost())) ?? null;
    if (this.isPlatformOffline()) {
      this.setState({ state: 'offline', nextRetryAt: null, cause: 'platform' });
      // No session runs to count them: the bar must still say what waits to be sent.
      this.refreshCounts();
      return Promise.resolve();
    }
    if (this.options.isLive) this.connectLive();
    return this.requestSync();
  }

  /** Whether the platform says there is no network at all (then nothing is tried). */
  private isPlatformOffline(): boolean {
    return this.connectivity !== null && !this.connectivity.isOnline();
  }

  /** The platform lost the network: no retry timer runs until it says online again. */
  private onLinkLost(): void {
    if (!this.isStarted || this.isHalted) return;
    this.clearTimer('retryTimer');
    this.clearTimer('probeTimer');
    this.clearTimer('liveTimerReconnect');
    this.probeAttempts = 0;
    this.isReachable = false;
    // A request in flight would hang on the dead link until its stall timeout: give it up now.
    this.signalLinkLost();
    this.armLinkLostSignal();
    // The live socket is as dead; a fresh one is opened when the platform says online.
    this.closeLive();
    this.setState(this.current, { isLive: false });
    if (!this.loop) this.setState({ state: 'offline', nextRetryAt: null, cause: 'platform' });
  }

  /**
   * The platform says the network is back: whatever backoff was running was about the link, so
   * the hub is probed at once and, if it answers, synced; the live socket reconnects at once too.
   */
  private onLinkReturned(): void {
    if (!this.isStarted || this.isHalted) return;
    this.clearTimer('retryTimer');
    this.clearTimer('probeTimer');
    this.probeAttempts = 0;
    this.failedAttempts = 0;
    // A live socket still connecting was opened over the dead link and may never finish.
    if (this.live && !this.live.isReady) this.closeLive();
    if (this.options.isLive && !this.live) {
      this.clearTimer('liveTimerReconnect');
      this.liveAttempts = 0;
      this.connectLive();
    }
    void this.probeThenSync();
  }

  /** Probes the hub; a link that answers starts a session, one that does not is probed again soon. */
  private async probeThenSync(): Promise<void> {
    if (!this.isStarted || this.isHalted || this.isProbing || this.isPlatformOffline()) return;
    if (!this.transport.probe) {
      void this.requestSync();
      return;
    }
    this.isProbing = true;
    // Probing again a link already known unreachable is not news: the bar keeps saying so.
    const isKnownUnreachable = this.current.state === 'offline' && this.current.cause === 'unreachable';
    if (!this.loop && !isKnownUnreachable) this.setState({ state: 'connecting' });
    let result: TransportResult<{ readonly status: number }>;
    try {
      result = await this.deadline(this.transport.probe(), this.options.probeTimeoutMs);
    } finally {
      this.isProbing = false;
    }
    if (!this.isStarted || this.isHalted || this.isStopping) return;
    if (result.ok) {
      void this.requestSync();
      return;
    }
    if (this.isPlatformOffline()) return;
    const nextRetryAt = this.scheduleProbe();
    if (!this.loop) this.setState({ state: 'offline', nextRetryAt, cause: 'unreachable' });
  }

  /** The link did not answer while the platform says online: probe on the short schedule. */
  private scheduleProbe(): number {
    this.probeAttempts += 1;
    const delayMs = probeDelayMs(this.probeAttempts, this.options.random);
    this.clearTimer('probeTimer');
    this.probeTimer = this.clock.setTimeout(() => {
      this.probeTimer = null;
      void this.probeThenSync();
    }, delayMs);
    return this.clock.now() + delayMs;
  }

  /** Closes the live socket and cancels every timer; a running session stops at its next step. */
  async stop(): Promise<void> {
    const wasStarted = this.isStarted;
    this.isStarted = false;
    this.isStopping = true;
    this.signalStop();
    this.isSyncWanted = false;
    this.clearTimers();
    this.outboxSubscription?.unsubscribe();
    this.outboxSubscription = null;
    this.connectivityUnsubscribe?.();
    this.connectivityUnsubscribe = null;
    this.closeLive();
    try {
      await this.loop;
      await this.countsRefresh;
    } finally {
      this.isStopping = false;
      this.armStopSignal();
    }
    if (wasStarted) this.append({ kind: 'stop' });
    this.setState({ state: 'offline', nextRetryAt: null, cause: 'stopped' }, { isLive: false });
    await this.syncLog.flushed();
  }

  /**
   * Syncs now, skipping any backoff wait; during a session, runs one more right after it.
   * Resolves when that session is over (see `status` for how it went).
   */
  syncNow(): Promise<void> {
    this.clearTimer('retryTimer');
    this.clearTimer('probeTimer');
    this.clearTimer('liveTimer');
    this.clearTimer('localTimer');
    this.localFirstAt = null;
    return this.requestSync();
  }

  /** Tells the engine about a local edit (it also watches the outbox itself once started). */
  notifyLocalChange(): void {
    this.refreshCounts();
    if (!this.isStarted || this.isHalted || this.retryTimer !== null || this.probeTimer !== null || this.isPlatformOffline()) return;
    const now = this.clock.now();
    this.localFirstAt ??= now;
    const delayMs = Math.max(0, Math.min(this.options.localDebounceMs, this.localFirstAt + this.options.localMaxWaitMs - now));
    this.clearTimer('localTimer');
    this.localTimer = this.clock.setTimeout(() => {
      this.localTimer = null;
      this.localFirstAt = null;
      void this.requestSync();
    }, delayMs);
  }

  /** Outbox entries the hub refused, with its reason; they stay in the outbox until released. */
  quarantined(): Promise<QuarantinedEntry[]> {
    return this.stored.quarantine();
  }

  /** Puts quarantined entries (of these records, or all) back into the push set and syncs. */
  async releaseQuarantine(recordIds?: readonly string[]): Promise<void> {
    const keep = (await this.quarantined()).filter((entry) => recordIds !== undefined && !recordIds.includes(entry.recordId));
    await this.stored.setQuarantine(keep);
    await this.syncNow();
  }

  // ---- scheduling -------------------------------------------------------------------------

  /**
   * Runs sessions until nothing more is wanted. `onlyIfBehind`: only if the hub announced changes
   * past the checkpoint by the time the session would start (a session running meanwhile may
   * already have pulled them).
   */
  private requestSync(onlyIfBehind = false): Promise<void> {
    if (onlyIfBehind) this.isCatchUpWanted = true;
    else this.isSyncWanted = true;
    if (!this.loop) {
      this.loop = (async () => {
        // Lets `this.loop` be set before the first check, so a request arriving while the last
        // session ends is never left to a loop that has already decided to finish.
        await Promise.resolve();
        while (!this.isStopping && (this.isSyncWanted || this.isCatchUpWanted)) {
          if (!this.isSyncWanted) {
            this.isCatchUpWanted = false;
            if ((await this.checkpoint().catch(() => Infinity)) >= this.knownHubSeq) continue;
          }
          this.isSyncWanted = false;
          this.isCatchUpWanted = false;
          await this.runSession();
        }
        this.loop = null;
      })();
    }
    return this.loop;
  }

  private async runSession(): Promise<void> {
    const wasHalted = this.isHalted;
    if (this.isPlatformOffline()) {
      // Nothing can get through; the platform's "online" starts the next try.
      this.setState({ state: 'offline', nextRetryAt: null, cause: 'platform' });
      return;
    }
    this.transfer = null;
    if (!this.isReachable) this.setState({ state: 'connecting' });
    let outcome: SessionOutcome;
    try {
      outcome = await this.session();
    } catch (error) {
      // The local store failed (or the client was closed under the engine).
      outcome = { kind: 'failed', phase: 'pull', failure: { kind: 'local', message: error instanceof Error ? error.message : String(error) } };
    }
    // Stopping cuts waits short; what that looks like is not a failure to report.
    if (outcome.kind === 'stopped' || this.isStopping) return;
    await this.refreshCountsNow().catch(() => undefined);
    if (outcome.kind === 'ok') {
      // A credential refused while this session ran stays refused.
      if (this.isHalted && !wasHalted) return;
      this.isHalted = false;
      this.failedAttempts = 0;
      this.probeAttempts = 0;
      this.lastFailure = null;
      this.lastLoggedError = null;
      const at = this.clock.now();
      this.setState({ state: 'synced', at }, { lastSyncedAt: at, unreachableSince: null });
      this.reconnectLiveNow();
      return;
    }
    this.onSessionFailed(outcome.phase, outcome.failure);
  }

  private onSessionFailed(phase: 'push' | 'pull', failure: Failure): void {
    // Retrying on a timer; a sync asked for meanwhile would not honour the wait (Retry-After).
    this.isSyncWanted = false;
    this.isCatchUpWanted = false;
    if (isAuthFailure(failure)) {
      this.halt(failure.kind === 'http' ? failure.code : null, failure.message, phase, failure.kind === 'http' ? failure.status : null);
      return;
    }
    if (failure.kind === 'network' && this.isStarted && this.transport.probe) {
      // No answer at all: the link, not the hub. Probed on the short schedule, not backed off.
      this.isReachable = false;
      this.lastFailure = 'network';
      if (this.isPlatformOffline()) {
        this.logError(phase, failure, null);
        this.setState({ state: 'offline', nextRetryAt: null, cause: 'platform' });
        return;
      }
      const nextRetryAt = this.scheduleProbe();
      this.logError(phase, failure, nextRetryAt - this.clock.now());
      this.setState({ state: 'offline', nextRetryAt, cause: 'unreachable' });
      return;
    }
    this.failedAttempts += 1;
    const retryAfterMs = failure.kind === 'http' ? failure.retryAfterMs : undefined;
    const delayMs = retryAfterMs ?? backoffDelayMs(this.failedAttempts, this.options.backoff, this.options.random);
    // Without start() (a one-off syncNow) nothing retries by itself.
    const willRetry = this.isStarted;
    const nextRetryAt = willRetry ? this.clock.now() + delayMs : null;
    this.logError(phase, failure, willRetry ? delayMs : null);
    if (failure.kind === 'network') {
      this.isReachable = false;
      this.lastFailure = 'network';
      this.setState({ state: 'offline', nextRetryAt, cause: 'unreachable' }, { unreachableSince: this.current.unreachableSince ?? this.clock.now() });
    } else {
      this.lastFailure = 'hub';
      // The hub answered, with a refusal: it is reachable (a local failure says nothing of it).
      this.setState(
        { state: 'error', reason: failure.message, code: failure.kind === 'http' ? failure.code : 'local', nextRetryAt },
        failure.kind === 'http' ? { unreachableSince: null } : {},
      );
    }
    if (!willRetry) return;
    this.clearTimer('retryTimer');
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      void this.requestSync();
    }, delayMs);
  }

  /** A refused credential: stops like `stop()` (until started again, e.g. after joining anew). */
  private halt(code: string | null, message: string, phase: 'push' | 'pull' | 'live', status: number | null): void {
    this.isHalted = true;
    this.isStarted = false;
    this.isSyncWanted = false;
    this.clearTimers();
    this.outboxSubscription?.unsubscribe();
    this.outboxSubscription = null;
    this.closeLive();
    const key = `${phase}:${code}`;
    if (this.lastLoggedError !== key) {
      this.lastLoggedError = key;
      this.append({ kind: 'error', phase, code, status, message, retryInMs: null });
    }
    this.setState({ state: 'error', reason: message, code: code ?? 'unauthorized', nextRetryAt: null }, { isLive: false });
  }

  private logError(phase: 'push' | 'pull', failure: Failure, retryInMs: number | null): void {
    // While the link is down for days, one line per outage, not one per retry.
    const code = failure.kind === 'http' ? failure.code : null;
    const key = `${phase}:${failure.kind}:${code}`;
    if (this.lastLoggedError === key) return;
    this.lastLoggedError = key;
    this.append({ kind: 'error', phase: failure.kind === 'local' ? 'local' : phase, code, status: failure.kind === 'http' ? failure.status : null, message: failure.message, retryInMs });
  }

  private clearTimer(name: 'retryTimer' | 'probeTimer' | 'liveTimer' | 'localTimer' | 'liveTimerReconnect'): void {
    const handle = this[name];
    if (handle !== null) this.clock.clearTimeout(handle);
    this[name] = null;
  }

  private clearTimers(): void {
    this.clearTimer('retryTimer');
    this.clearTimer('probeTimer');
    this.clearTimer('liveTimer');
    this.clearTimer('localTimer');
    this.clearTimer('liveTimerReconnect');
    this.localFirstAt = null;
  }

  // ---- the session ------------------------------------------------------------------------

  private async session(): Promise<SessionOutcome> {
    const pushed = await this.pushAll();
    if (pushed.kind !== 'ok') return pushed;
    const pulled = await this.pullAll();
    if (pulled.kind === 'ok') await this.refreshNetworkStatus(false);
    return pulled;
  }

  /**
   * Fetches the network status now, whatever the interval (a screen that shows it asks on
   * opening). Resolves true when a fresh answer was stored; false when the hub could not be
   * asked, and the last answer stays.
   */
  fetchNetworkStatus(): Promise<boolean> {
    return this.refreshNetworkStatus(true);
  }

  /**
   * Fetches the network status and keeps it in the store's meta, so screens show it offline.
   * Best effort: a failure leaves the last answer in place and never fails the session.
   */
  private async refreshNetworkStatus(isForced: boolean): Promise<boolean> {
    const interval = this.options.networkStatusIntervalMs;
    if (!this.transport.networkStatus || (interval < 0 && !isForced) || this.isStopping || this.isHalted) return false;
    const now = this.clock.now();
    this.lastNetworkStatusAt ??= await this.stored.networkStatusFetchedAt();
    if (!isForced && this.lastNetworkStatusAt !== null && now - this.lastNetworkStatusAt < interval && now >= this.lastNetworkStatusAt) return false;
    const result = await this.deadline(this.transport.networkStatus(), this.options.stallTimeoutMs);
    if (!result.ok) return false;
    this.lastNetworkStatusAt = now;
    await this.stored.setNetworkStatus(result.value, now);
    return true;
  }

  private async pushAll(): Promise<SessionOutcome> {
    for (;;) {
      if (this.isStopping) return { kind: 'stopped' };
      const quarantine = await this.quarantined();
      const outbox = await this.client.pendingUpdates();
      const quarantinedIds = await this.pruneQuarantine(quarantine, outbox);
      const pending: PreparedRecord[] = [];
      for (const item of pendingRecords(outbox.filter((entry) => !quarantinedIds.has(entry.id)))) {
        const prepared = prepareRecord(item);
        // The hub would refuse it after the whole upload; on a slow link, find out here.
        if (prepared.updateBytes > limits.maxUpdateBytes) {
          await this.quarantineRecord(item, 'update-too-large', `the record's unsent changes exceed ${limits.maxUpdateBytes} bytes`);
        } else pending.push(prepared);
      }
      if (pending.length === 0) return { kind: 'ok' };
      const ordered = inPushOrder(pending);

      let done = 0;
      let restart = false;
      this.addTransfer({ toSendRecords: ordered.length, toSendBytes: ordered.reduce((sum, item) => sum + item.bytes, 0) }, true);
      this.setPushProgress(0, ordered.length);
      for (const batch of this.cutBatches(ordered)) {
        if (this.isStopping) return { kind: 'stopped' };
        const records = batch.map(({ record }) => record);
        const bodyBytes = batch.reduce((sum, item) => sum + item.bytes, 0);
        const result = await this.deadline(this.transport.push({ records }), this.options.stallTimeoutMs + bodyBytes);
        if (result.ok) {
          this.isReachable = true;
          await this.acknowledge(batch.map(({ pending: p }) => p), result.value);
          done += batch.length;
          this.addTransfer({ sentRecords: batch.length, sentBytes: bodyBytes });
          this.setPushProgress(done, ordered.length);
          continue;
        }
        const { failure } = result;
        if (failure.kind !== 'http') return { kind: 'failed', phase: 'push', failure };
        this.isReachable = true;
        const isRecordRefusal = failure.status >= 400 && failure.status < 500 && failure.status !== 401 && failure.status !== 429;
        const refused = isRecordRefusal ? batch.find((item) => item.pending.recordId === failure.recordId) : undefined;
        if (refused) {
          await this.quarantineRecord(refused.pending, failure.code ?? `http-${failure.status}`, failure.message);
          restart = true;
          break;
        }
        // The hub's limits are respected above, so this is a proxy's lower limit (nginx allows 1 MiB
        // by default): smaller batches from now on.
        if (failure.status === 413) {
          if (batch.length === 1) await this.quarantineRecord(batch[0]!.pending, failure.code ?? 'body-too-large', failure.message);
          else this.batchRecordLimit = Math.max(1, Math.floor(batch.length / 2));
          restart = true;
          break;
        }
        // Validating this many records overran the hub's budget for one request (it names the
        // record where it stopped): the same batch would be refused at every retry, so halve it
        // and go on at once; the hub's validation worker was stopped and is free again.
        if (failure.status === 503 && failure.code === 'hub-busy' && failure.recordId !== undefined && batch.length > 1) {
          this.batchRecordLimit = Math.max(1, Math.floor(batch.length / 2));
          restart = true;
          break;
        }
        // A refusal of the whole body that names no record (one too deeply nested to read): it
        // would be refused again forever, so narrow it down to one record and quarantine that.
        if (isRecordRefusal && (failure.status === 400 || failure.status === 422)) {
          if (batch.length === 1) await this.quarantineRecord(batch[0]!.pending, failure.code ?? `http-${failure.status}`, failure.message);
          else this.batchRecordLimit = Math.max(1, Math.floor(batch.length / 2));
          restart = true;
          break;
        }
        return { kind: 'failed', phase: 'push', failure };
      }
      // After a refusal the rest is pushed again at once: refusals are permanent, retrying later would not help.
      if (!restart) return { kind: 'ok' };
    }
  }

  /**
   * Batches within the hub's limits and `maxBatchBytes`, the first at most `firstBatchBytes` and
   * each next twice the last; time-bound records never share a batch with later ones, so a slow
   * entry body does not hold back the votes' acknowledgement.
   */
  private *cutBatches(pending: readonly PreparedRecord[]): Generator<PreparedRecord[]> {
    const maxRecords = Math.min(limits.maxRecordsPerPush, this.batchRecordLimit);
    const maxBytes = Math.min(this.options.maxBatchBytes, limits.maxBodyBytes - 1024);
    let batchLimit = Math.min(maxBytes, this.options.firstBatchBytes);
    let batch: PreparedRecord[] = [];
    let batchBytes = 0;
    for (const item of pending) {
      const crossesRank = batch.length > 0 && pushRank(batch[batch.length - 1]!.record.type) < LATER_RANK && pushRank(item.record.type) >= LATER_RANK;
      // A single record larger than a batch still goes, alone.
      if (batch.length > 0 && (crossesRank || batch.length >= maxRecords || batchBytes + item.bytes > batchLimit)) {
        yield batch;
        batch = [];
        batchBytes = 0;
        batchLimit = Math.min(maxBytes, batchLimit * 2);
      }
      batch.push(item);
      batchBytes += item.bytes;
    }
    if (batch.length > 0) yield batch;
  }

  private async acknowledge(pushed: readonly PendingRecord[], response: PushResponse): Promise<void> {
    // Exactly the entries that were in this push: any written meanwhile wait for the next one.
    const ids = pushed.flatMap((item) => item.entries.map((entry) => entry.id));
    await this.client.acknowledge(ids);
    this.knownHubSeq = Math.max(this.knownHubSeq, response.seq);
    this.append({ kind: 'push', records: pushed.length, entries: ids.length, seq: response.seq });
  }

  private async quarantineRecord(item: PendingRecord, code: string, message: string): Promise<void> {
    const at = this.clock.now();
    const existing = await this.quarantined();
    const added = item.entries.map((entry) => ({ id: entry.id, recordId: item.recordId, code, message, at }));
    await this.stored.setQuarantine([...existing, ...added]);
    this.append({ kind: 'quarantine', recordId: item.recordId, entries: added.length, code, message });
  }

  /** Forgets quarantined ids no longer in the outbox; returns the ids still quarantined. */
  private async pruneQuarantine(quarantine: readonly QuarantinedEntry[], outbox: readonly OutboxEntry[]): Promise<Set<string>> {
    const inOutbox = new Set(outbox.map((entry) => entry.id));
    const kept = quarantine.filter((entry) => inOutbox.has(entry.id));
    if (kept.length !== quarantine.length) await this.stored.setQuarantine(kept);
    return new Set(kept.map((entry) => entry.id));
  }

  private checkpoint(): Promise<number> {
    return this.stored.checkpoint();
  }

  private async pullAll(): Promise<SessionOutcome> {
    if (this.isStopping) return { kind: 'stopped' };
    const since = await this.checkpoint();
    const started = await this.deadline(this.transport.pull(since), this.options.stallTimeoutMs);
    if (!started.ok) {
      if (started.failure.kind === 'http') this.isReachable = true;
      return { kind: 'failed', phase: 'pull', failure: started.failure };
    }
    this.isReachable = true;
    this.setPullProgress(since, since);
    const reader = new PullFrameReader();
    const iterator = started.value[Symbol.asyncIterator]();
    let records = 0;
    let checkpoint = since;
    let isComplete = false;
    let isStalled = false;
    const broken = (message: string): SessionOutcome => ({ kind: 'failed', phase: 'pull', failure: { kind: 'network', message } });
    try {
      while (!isComplete) {
        if (this.isStopping) return { kind: 'stopped' };
        const step = await this.deadlineOrThrow(iterator.next(), this.options.stallTimeoutMs);
        if (step === TIMED_OUT) {
          isStalled = true;
          return broken('the pull stream stalled');
        }
        if (step.done) break;
        this.addTransfer({ receivedBytes: step.value.length });
        let frames;
        try {
          frames = reader.push(step.value);
        } catch (error) {
          return broken(`corrupt pull stream: ${error instanceof Error ? error.message : String(error)}`);
        }
        for (const frame of frames) {
          if (frame.kind === 'error') {
            return { kind: 'failed', phase: 'pull', failure: { kind: 'http', status: 200, code: frame.error.code, message: frame.error.message } };
          }
          try {
            if (frame.records.length > 0) {
              await this.client.applyRemote(
                frame.records.map((record) => ({
                  header: { id: record.meta.id, type: record.meta.type, ownerOrg: record.meta.ownerOrg, createdAt: record.meta.createdAt },
                  update: record.update,
                  seq: record.meta.seq,
                })),
              );
              records += frame.records.length;
              this.addTransfer({ receivedRecords: frame.records.length });
              // Changes the hub got another way (a USB bundle) are in what it sends back: no longer unsent.
              await confirmOutboxAgainst(this.client, frame.records.map((record) => ({ id: record.meta.id, update: record.update })));
            }
            if (frame.withdrawn && frame.withdrawn.length > 0) await this.client.forgetRecords(frame.withdrawn);
            // Stored only once the page is applied: a stream broken after this resumes here.
            if (frame.checkpoint > checkpoint) {
              checkpoint = frame.checkpoint;
              await this.stored.setCheckpoint(checkpoint);
            }
          } catch (error) {
            // The page reached this device but could not be stored here (the store failed, a record
            // did not fold): not the link's fault, so not "offline" (the bar says the store failed).
            return { kind: 'failed', phase: 'pull', failure: { kind: 'local', message: error instanceof Error ? error.message : String(error) } };
          }
          this.setPullProgress(since, checkpoint);
          if (frame.isLast) {
            isComplete = true;
            break;
          }
        }
      }
    } catch (error) {
      return broken(error instanceof Error ? error.message : String(error));
    } finally {
      if (records > 0) this.append({ kind: 'pull', records, checkpoint });
      // Releases the connection when the loop ended early. A stalled read cannot be interrupted
      // from here, so it is not waited for.
      const closing = iterator.return?.();
      if (closing && !isStalled) await closing.catch(() => undefined);
      else closing?.catch(() => undefined);
    }
    if (!isComplete) return broken(reader.hasPartialFrame ? 'the pull stream broke off inside a page' : 'the pull stream ended before its last page');
    this.knownHubSeq = Math.max(this.knownHubSeq, checkpoint);
    return { kind: 'ok' };
  }

  /** A transport call given up as a network failure when it shows no sign of life for `ms`. */
  private async deadline<T>(promise: Promise<TransportResult<T>>, ms: number): Promise<TransportResult<T>> {
    try {
      const result = await this.deadlineOrThrow(promise, ms);
      return result === TIMED_OUT ? { ok: false, failure: { kind: 'network', message: `no answer within ${ms} ms` } } : result;
    } catch (error) {
      return { ok: false, failure: { kind: 'network', message: error instanceof Error ? error.message : String(error) } };
    }
  }

  private async deadlineOrThrow<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
    let handle: unknown = null;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      handle = this.clock.setTimeout(() => resolve(TIMED_OUT), ms);
    });
    // A late rejection of a promise given up on must not surface as unhandled.
    promise.catch(() => undefined);
    try {
      return await Promise.race([promise, timeout, this.stopping.then((): typeof TIMED_OUT => TIMED_OUT), this.linkLost.then((): typeof TIMED_OUT => TIMED_OUT)]);
    } finally {
      this.clock.clearTimeout(handle);
    }
  }

  // ---- live -------------------------------------------------------------------------------

  private connectLive(): void {
    if (!this.isStarted || this.isHalted || this.live) return;
    const connection: { socket: LiveSocket | null; isReady: boolean } = { socket: null, isReady: false };
    this.live = connection;
    let refusal: { code: string | null; message: string } | null = null;
    connection.socket = this.transport.openLive({
      onDidOpen: () => undefined,
      onMessage: (message: LiveMessage) => {
        if (this.live !== connection) return;
        if (message.type === 'error') {
          refusal = { code: message.code, message: message.message };
          return;
        }
        this.knownHubSeq = Math.max(this.knownHubSeq, message.seq);
        if (message.type === 'ready') {
          connection.isReady = true;
          this.liveAttempts = 0;
          this.append({ kind: 'live-connect', seq: message.seq });
          this.setState(this.current, { isLive: true, unreachableSince: null });
          // The link is back: do not sit out a backoff wait that was only about the network.
          if ((this.retryTimer !== null || this.probeTimer !== null) && this.lastFailure === 'network') {
            void this.syncNow();
            return;
          }
        }
        this.onHubSeq();
      },
      onDidClose: ({ code, reason }) => {
        if (this.live !== connection) return;
        this.live = null;
        if (connection.isReady) this.append({ kind: 'live-disconnect', code, reason });
        this.setState(this.current, { isLive: false, unreachableSince: this.current.unreachableSince ?? this.clock.now() });
        const refusedCode = refusal?.code ?? (code === closeCodes.revoked ? 'token-revoked' : null);
        if (code === closeCodes.revoked || (code === closeCodes.unauthorized && refusedCode !== null && AUTH_CODES.has(refusedCode))) {
          this.halt(refusedCode, refusal?.message ?? 'the hub closed the live connection: the credential was refused', 'live', null);
          return;
        }
        // 1006: no closing handshake, so the hub said nothing: the link failed, not the hub.
        this.scheduleLiveReconnect(code === ABNORMAL_CLOSURE && refusal === null ? 'link' : 'hub');
      },
    });
  }

  private onHubSeq(): void {
    // Gathers a burst of announcements into one session, started at most `liveDebounceMs` later.
    if (this.liveTimer !== null || !this.isStarted || this.isHalted) return;
    this.liveTimer = this.clock.setTimeout(() => {
      this.liveTimer = null;
      void this.requestSync(true);
    }, this.options.liveDebounceMs);
  }

  /**
   * A socket the hub closed (an error, shutting down) waits out the error backoff, up to minutes;
   * one the link dropped is retried on the short probe schedule (1, 2, 4 s, then up to a minute),
   * as a session's probes are: on a link that returns without the platform saying so, and with
   * nothing to push, the live socket is what brings the window's changes in.
   */
  private scheduleLiveReconnect(cause: 'link' | 'hub'): void {
    if (!this.isStarted || this.isHalted) return;
    this.liveAttempts += 1;
    const delayMs = cause === 'link' ? probeDelayMs(this.liveAttempts, this.options.random) : backoffDelayMs(this.liveAttempts, this.options.backoff, this.options.random);
    this.clearTimer('liveTimerReconnect');
    this.liveTimerReconnect = this.clock.setTimeout(() => {
      this.liveTimerReconnect = null;
      this.connectLive();
    }, delayMs);
  }

  /**
   * A session just got through, so the hub answers: a live socket waiting out its reconnect
   * backoff (grown while the link was down, up to minutes) is opened now. Otherwise, on a link
   * the platform never reported down, every change announced until that timer fired would wait
   * for the next local edit or retry to arrive.
   */
  private reconnectLiveNow(): void {
    if (!this.options.isLive || this.live || this.liveTimerReconnect === null) return;
    this.clearTimer('liveTimerReconnect');
    this.liveAttempts = 0;
    this.connectLive();
  }

  private closeLive(): void {
    const connection = this.live;
    this.live = null;
    connection?.socket?.close();
  }

  // ---- status -----------------------------------------------------------------------------

  private setPushProgress(done: number, total: number): void {
    if (this.isReachable) this.setState({ state: 'syncing', phase: 'push', done, total });
  }

  private setPullProgress(since: number, checkpoint: number): void {
    const total = this.knownHubSeq > since ? Math.max(this.knownHubSeq, checkpoint) - since : null;
    this.setState({ state: 'syncing', phase: 'pull', done: checkpoint - since, total });
  }

  /** Adds to this session's transfer counts (`isNewPush`: a push pass sets what it is to send). */
  private addTransfer(delta: Partial<SyncTransfer>, isNewPush = false): void {
    const base: SyncTransfer = this.transfer ?? { sentRecords: 0, sentBytes: 0, toSendRecords: 0, toSendBytes: 0, receivedRecords: 0, receivedBytes: 0 };
    const next: { -readonly [K in keyof SyncTransfer]: number } = { ...base };
    for (const key of Object.keys(delta) as (keyof SyncTransfer)[]) {
      // A push pass after a refusal counts what it still has to send, on top of what was sent.
      next[key] = isNewPush && key.startsWith('toSend') ? base[key === 'toSendRecords' ? 'sentRecords' : 'sentBytes'] + delta[key]! : base[key] + delta[key]!;
    }
    this.transfer = next;
  }

  private setState(
    state: SyncState,
    extra: { isLive?: boolean; pendingCount?: number; quarantinedCount?: number; lastSyncedAt?: number; unreachableSince?: number | null } = {},
  ): void {
    const { pendingCount: _p, quarantinedCount: _q, isLive: _l, lastSyncedAt: _s, unreachableSince: _u, transfer: _t, ...onlyState } = state as SyncStatus;
    const transfer = this.transfer ?? this.current.transfer;
    const next = {
      ...(onlyState as SyncState),
      pendingCount: extra.pendingCount ?? this.current.pendingCount,
      quarantinedCount: extra.quarantinedCount ?? this.current.quarantinedCount,
      isLive: extra.isLive ?? this.current.isLive,
      lastSyncedAt: extra.lastSyncedAt ?? this.current.lastSyncedAt,
      unreachableSince: extra.unreachableSince !== undefined ? extra.unreachableSince : this.current.unreachableSince,
      ...(transfer ? { transfer } : {}),
    } as SyncStatus;
    if (sameStatus(next, this.current)) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }

  /** Recounts pending and quarantined entries, coalescing bursts of local edits into one count. */
  private refreshCounts(): void {
    this.isCountsRefreshWanted = true;
    if (this.countsRefresh) return;
    this.countsRefresh = (async () => {
      while (this.isCountsRefreshWanted) {
        this.isCountsRefreshWanted = false;
        await this.refreshCountsNow().catch(() => undefined);
      }
      this.countsRefresh = null;
    })();
  }

  private async refreshCountsNow(): Promise<void> {
    const [count, quarantine] = await Promise.all([this.client.pendingCount(), this.quarantined()]);
    this.setState(this.current, { pendingCount: Math.max(0, count - quarantine.length), quarantinedCount: quarantine.length });
  }

  private append(event: DistributiveOmit<SyncLogEvent, 'at'>): void {
    this.syncLog.append({ ...event, at: this.clock.now() } as SyncLogEvent);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
