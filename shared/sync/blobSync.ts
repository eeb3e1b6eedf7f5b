import { BlobError } from '../blobs/blobError';
import { blobsOf, blobVariants, type BlobContent, type BlobRef, type BlobVariant } from '../blobs/blobRef';
import { planBlobSync, type BlobNeed, type BlobTransfer } from '../blobs/blobSyncPlan';
import type { DeviceBlobStore } from '../blobs/deviceBlobStore';
import type { FieldwiseClient } from '../client/client';
import { attachmentEntrySchema } from '../records/attachments';
import type { RecordType } from '../records/recordType';
import { probeDelayMs } from './backoff';
import { MAX_MISSING_QUESTION, type BlobTransport } from './blobTransport';
import type { SyncStatus } from './syncEngine';
import { syncStateOf, type StoredBlobPolicy } from './syncState';
import type { Clock, TransportFailure, TransportResult } from './transport';

export { blobPolicies } from './syncState';

/*
 * The client's blob sync (docs/PROTOCOL.md, "Blobs: how a client syncs them"): photos, voice
 * recordings and documents move beside the record sync, never inside it, and only after it.
 * Guarantees:
 * - text first: a pass starts only when the record sync is settled (state `synced`, nothing in
 *   the outbox), and between any two chunks it waits while the outbox holds anything or the
 *   record sync is running, so a ballot cast during a 20 MB upload waits at most for the chunk on
 *   the wire, never for the photo;
 * - order (planBlobSync): every thumbnail, then every preview, then originals, smallest first in
 *   each rung, uploads before downloads of the same rung; originals are fetched only when wanted;
 * - policy, per device: `full` moves everything, `previews` (a metered link) leaves originals to
 *   wait for a full link, `none` moves nothing;
 * - resumable at chunk granularity (1 MiB): an upload asks the hub for its offset (tus HEAD)
 *   after a broken chunk and carries on, a download asks for the next range, so a cut re-sends at
 *   most the chunk that was on the wire;
 * - every downloaded blob is hash-checked by DeviceBlobStore.put before it is kept: bytes that do
 *   not match are dropped and the rendition is tried again on a later pass;
 * - a blob the hub is known to hold (uploaded, downloaded, or answered as held) is marked
 *   confirmed in the device store, and only then may the device free it for room;
 * - a reference whose blob the hub does not have (yet) counts as unavailable and is asked for
 *   again on every later pass, and while any is, a pass comes by itself (after
 *   `unavailableRetryMs`, doubling to UNAVAILABLE_RETRY_MAX_MS): the hub announces records, not
 *   blobs, so a photo its author uploads after the record arrived is fetched without anyone
 *   syncing; it never holds up text or other blobs.
 */

export type BlobPolicy = StoredBlobPolicy;

/** Bytes per PATCH and per ranged GET: the most a cut can cost (the hub takes at most 4 MiB). */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

/** The longest wait between passes that ask again for unavailable renditions. */
export const UNAVAILABLE_RETRY_MAX_MS = 5 * 60_000;

/** Record types whose projection may list attachments (`attachments`, attachments.ts). */
export const ATTACHING_TYPES: readonly RecordType[] = ['entry', 'proposal', 'offer', 'org'];

/** What the blob sync needs of the record sync: its status, to run only once text is settled. */
export interface RecordSyncPort {
  readonly status: SyncStatus;
  onDidChangeStatus(listener: (status: SyncStatus) => void): () => void;
}

export interface BlobTransferProgress {
  /** Renditions this pass set out to move, and those moved (or found already there). */
  readonly total: number;
  readonly done: number;
  readonly totalBytes: number;
  readonly doneBytes: number;
  /** Of `total`, uploads (the rest are downloads). */
  readonly uploads: number;
}

export type BlobSyncState =
  /** Not started, or stopped. */
  | 'stopped'
  /** The policy is `none`: nothing moves. */
  | 'off'
  /** The record sync has text to move (or is not connected): media waits. */
  | 'waiting-for-text'
  | 'transferring'
  /** Everything the policy allows has moved (some references may still be unavailable). */
  | 'idle'
  /** The hub did not answer; tried again at `nextRetryAt`. */
  | 'offline'
  /** The hub refused (`reason`); tried again at `nextRetryAt`, or never after a refused credential. */
  | 'error';

export interface BlobSyncStatus {
  readonly state: BlobSyncState;
  readonly policy: BlobPolicy;
  readonly progress: BlobTransferProgress;
  /** Wanted renditions neither this device nor the hub holds (asked for again each pass). */
  readonly unavailableCount: number;
  /** Renditions the hub would not take (413 too large, 403 no record of ours references it). */
  readonly refusedCount: number;
  readonly nextRetryAt: number | null;
  readonly reason: string | null;
}

export interface BlobSyncOptions {
  readonly client: FieldwiseClient;
  readonly recordSync: RecordSyncPort;
  readonly store: DeviceBlobStore;
  readonly transport: BlobTransport;
  readonly clock: Clock;
  /** Originals the user asked for on this device (renderer/sync/blobRequests.ts). */
  readonly wantedOriginals?: () => ReadonlySet<string>;
  /** Called after a downloaded blob is stored. */
  readonly onDidStoreBlob?: (sha256: string) => void;
  readonly chunkBytes?: number;
  /** A request that shows no answer for this long (plus 1 ms per byte sent) is given up. */
  readonly stallTimeoutMs?: number;
  readonly random?: () => number;
  /** The first wait before asking again for renditions the hub did not have (default 10 s). */
  readonly unavailableRetryMs?: number;
}

const EMPTY_PROGRESS: BlobTransferProgress = { total: 0, done: 0, totalBytes: 0, doneBytes: 0, uploads: 0 };
const TIMED_OUT = Symbol('timed out');
const STOPPED = Symbol('stopped');

interface Transfer extends BlobTransfer {
  readonly direction: 'up' | 'down';
}

type Step =
  | { readonly kind: 'done' }
  /** The record sync has text to move: wait for it, then carry on. */
  | { readonly kind: 'yield' }
  | { readonly kind: 'stopped' }
  /** This rendition is skipped this pass; the rest go on. */
  | { readonly kind: 'skipped'; readonly why: 'unavailable' | 'refused' | 'refused-for-good' | 'corrupt' }
  /** The pass ends: the link or the hub. */
  | { readonly kind: 'failed'; readonly failure: TransportFailure };

const rank = (variant: BlobVariant): number => blobVariants.indexOf(variant);

/**
 * The attachments' blob references a projection lists, read tolerantly (a bad item is left out).
 * In another organization's record an attachment whose consent is `pending` is left out too: its
 * bytes stay with its owner (the hub never lets anyone else read them), so they are not this
 * device's to want, and would count as unavailable for ever.
 */
export function blobRefsOf(projection: unknown, isOwnRecord = true): BlobRef[] {
  const attachments = (projection as { attachments?: unknown } | null)?.attachments;
  if (!Array.isArray(attachments)) return [];
  return attachments.flatMap((item) => {
    const parsed = attachmentEntrySchema.safeParse(item);
    return parsed.success && (isOwnRecord || parsed.data.consent !== 'pending') ? [parsed.data.ref] : [];
  });
}

/** Which renditions a policy moves. */
export function isMovedBy(policy: BlobPolicy, variant: BlobVariant): boolean {
  return policy === 'full' || (policy === 'previews' && variant !== 'original');
}

function isAuthFailure(failure: TransportFailure): boolean {
  return failure.kind === 'http' && failure.status === 401;
}

export class BlobSync {
  private current: BlobSyncStatus = { state: 'stopped', policy: 'full', progress: EMPTY_PROGRESS, unavailableCount: 0, refusedCount: 0, nextRetryAt: null, reason: null };
  private readonly listeners = new Set<(status: BlobSyncStatus) => void>();
  private readonly chunkBytes: number;
  private readonly stallTimeoutMs: number;
  private readonly random: () => number;

  private isStarted = false;
  private isStopping = false;
  private stopping!: Promise<typeof STOPPED>;
  private signalStop!: () => void;
  private isHalted = false;
  private policy: BlobPolicy = 'full';

  private loop: Promise<void> | null = null;
  private isPassWanted = false;
  private retryTimer: unknown = null;
  /** The next pass that asks again for unavailable renditions, and the wait after it. */
  private unavailableTimer: unknown = null;
  private unavailableDelayMs: number;
  private failedAttempts = 0;
  private unsubscribers: (() => void)[] = [];
  /** Woken when the record sync's status changes or the outbox grows (see `waitForText`). */
  private textWaiters = new Set<() => void>();

  /** Attachments per record, kept up to date from the record store's change stream. */
  private refsByRecord: Map<string, BlobRef[]> | null = null;
  private readonly changedRecords = new Set<string>();
  /** Hashes the hub said it holds (or took from this device): not asked about again. */
  private readonly confirmedOnHub = new Set<string>();
  /** Upload ids by hash, so a pass after a cut resumes the same upload. */
  private readonly uploadIds = new Map<string, string>();
  /** Downloaded ranges by hash, so a download broken off resumes from the next range. */
  private readonly partials = new Map<string, Uint8Array[]>();
  /** Renditions the hub refused for good (too large): not offered again while this runs. */
  private readonly refusedForGood = new Set<string>();
  private readonly requested = new Set<string>();

  /** Chunk bytes sent in PATCH bodies (counting chunks a cut broke off), for the benchmarks. */
  sentChunkBytes = 0;
  /** Bytes received in ranged downloads. */
  receivedBytes = 0;

  constructor(private readonly options: BlobSyncOptions) {
    this.chunkBytes = options.chunkBytes ?? BLOB_CHUNK_BYTES;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.unavailableDelayMs = options.unavailableRetryMs ?? 10_000;
    this.armStopSignal();
  }

  private armStopSignal(): void {
    this.stopping = new Promise((resolve) => {
      this.signalStop = () => resolve(STOPPED);
    });
  }

  // ---- public surface ---------------------------------------------------------------------

  get status(): BlobSyncStatus {
    return this.current;
  }

  onDidChangeStatus(listener: (status: BlobSyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Follows the record sync and moves media whenever it is settled. */
  async start(): Promise<void> {
    if (this.isStarted) return;
    this.isStarted = true;
    this.isHalted = false;
    this.policy = await syncStateOf(this.options.client).blobPolicy();
    this.setStatus({ state: this.policy === 'none' ? 'off' : 'waiting-for-text', policy: this.policy });
    const { client, recordSync } = this.options;
    let previous = recordSync.status.state;
    const records = client.observeRecordChanges().subscribe((change) => {
      this.changedRecords.add(change.header.id);
    });
    const outbox = client.observeOutboxChanges().subscribe(() => this.wakeTextWaiters());
    this.unsubscribers = [
      () => records.unsubscribe(),
      () => outbox.unsubscribe(),
      recordSync.onDidChangeStatus((status) => {
        this.wakeTextWaiters();
        // A session that just ended well proves the link: a retry wait of ours is over too.
        if (status.state === 'synced' && previous !== 'synced') this.requestPass(true);
        else if (status.state === 'synced') this.requestPass();
        previous = status.state;
      }),
    ];
    if (recordSync.status.state === 'synced') this.requestPass();
  }

  async stop(): Promise<void> {
    this.isStarted = false;
    this.isStopping = true;
    this.signalStop();
    this.wakeTextWaiters();
    this.clearRetry();
    this.clearUnavailableRetry();
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    try {
      await this.loop;
    } finally {
      this.isStopping = false;
      this.armStopSignal();
    }
    this.setStatus({ state: 'stopped', nextRetryAt: null });
  }

  /** The policy this device keeps; changing it starts a pass (or ends the running one at its next chunk). */
  async setPolicy(policy: BlobPolicy): Promise<void> {
    await syncStateOf(this.options.client).setBlobPolicy(policy);
    this.policy = policy;
    this.setStatus({ policy, ...(policy === 'none' && this.isStarted ? { state: 'off' as const } : {}) });
    if (this.isStarted) this.requestPass(true);
  }

  /** Fetch this original (the user opened it or pressed "download") when the policy allows. */
  request(sha256: string): void {
    this.requested.add(sha256);
    if (this.isStarted) this.requestPass(true);
  }

  /** Runs a pass now, skipping a retry wait (still only once text is settled). */
  syncNow(): Promise<void> {
    this.requestPass(true);
    return this.loop ?? Promise.resolve();
  }

  // ---- scheduling -------------------------------------------------------------------------

  private requestPass(isNow = false): void {
    if (!this.isStarted || this.isHalted) return;
    if (isNow) {
      this.clearRetry();
      this.failedAttempts = 0;
    } else if (this.retryTimer !== null) return;
    this.isPassWanted = true;
    if (this.loop) return;
    this.loop = (async () => {
      await Promise.resolve();
      while (this.isPassWanted && !this.isStopping && this.isStarted) {
        this.isPassWanted = false;
        try {
          await this.pass();
        } catch (error) {
          // The device's stores failed (or were closed under the sync).
          this.onFailed({ kind: 'http', status: 0, code: 'local', message: error instanceof Error ? error.message : String(error) });
        }
      }
      this.loop = null;
    })();
  }

  private clearUnavailableRetry(): void {
    if (this.unavailableTimer !== null) this.options.clock.clearTimeout(this.unavailableTimer);
    this.unavailableTimer = null;
  }

  /** While renditions are unavailable, asks again by itself, each wait twice the last (to a cap). */
  private followUnavailable(count: number): void {
    this.clearUnavailableRetry();
    if (count === 0 || !this.isStarted) {
      this.unavailableDelayMs = this.options.unavailableRetryMs ?? 10_000;
      return;
    }
    const delayMs = this.unavailableDelayMs;
    this.unavailableDelayMs = Math.min(UNAVAILABLE_RETRY_MAX_MS, delayMs * 2);
    this.unavailableTimer = this.options.clock.setTimeout(() => {
      this.unavailableTimer = null;
      this.requestPass();
    }, delayMs);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private onFailed(failure: TransportFailure): void {
    if (isAuthFailure(failure)) {
      // The record sync reports a refused credential; media stops with it until started again.
      this.isHalted = true;
      this.setStatus({ state: 'error', reason: failure.message, nextRetryAt: null });
      return;
    }
    this.failedAttempts += 1;
    const retryAfter = failure.kind === 'http' ? failure.retryAfterMs : undefined;
    const delayMs = retryAfter ?? probeDelayMs(this.failedAttempts, this.random);
    const nextRetryAt = this.options.clock.now() + delayMs;
    this.setStatus(failure.kind === 'network' ? { state: 'offline', reason: failure.message, nextRetryAt } : { state: 'error', reason: failure.message, nextRetryAt });
    this.clearRetry();
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      this.requestPass();
    }, delayMs);
  }

  // ---- text first -------------------------------------------------------------------------

  private wakeTextWaiters(): void {
    const waiters = [...this.textWaiters];
    this.textWaiters.clear();
    for (const wake of waiters) wake();
  }

  /** The record sync is settled: it is `synced` and the outbox holds nothing it could send. */
  private async isTextSettled(): Promise<boolean> {
    const status = this.options.recordSync.status;
    if (status.state !== 'synced') return false;
    const pending = await this.options.client.pendingCount();
    return pending - status.quarantinedCount <= 0;
  }

  /** Resolves true once text is settled, false when the sync stops first. */
  private async waitForText(): Promise<boolean> {
    for (;;) {
      if (this.isStopping || !this.isStarted) return false;
      if (await this.isTextSettled()) return true;
      if (this.current.state !== 'waiting-for-text') this.setStatus({ state: 'waiting-for-text' });
      await new Promise<void>((resolve) => this.textWaiters.add(resolve));
    }
  }

  // ---- one pass ---------------------------------------------------------------------------

  private async pass(): Promise<void> {
    const policy = this.policy;
    if (policy === 'none') {
      this.setStatus({ state: 'off', progress: EMPTY_PROGRESS, nextRetryAt: null, reason: null });
      return;
    }
    if (!(await this.isTextSettled())) {
      // The record sync's next `synced` starts the pass again.
      this.setStatus({ state: 'waiting-for-text' });
      return;
    }
    const needs = await this.needs();
    const moved = needs.flatMap(({ ref }) => blobsOf(ref).filter(({ variant }) => isMovedBy(policy, variant)).map(({ content }) => content.sha256));
    const hashes = [...new Set(moved)];
    const missingOnDevice = new Set(await this.options.store.missing(hashes));
    const wanted = new Set(needs.flatMap(({ ref, isOriginalWanted }) => blobsOf(ref).filter(({ variant }) => variant !== 'original' || isOriginalWanted).map(({ content }) => content.sha256)));
    // Asked about: what this device could send and the hub has not confirmed, and what it wants.
    const question = hashes.filter((sha256) => (missingOnDevice.has(sha256) ? wanted.has(sha256) : !this.confirmedOnHub.has(sha256)) && !this.refusedForGood.has(sha256));
    const missingOnHub = new Set<string>();
    for (let at = 0; at < question.length; at += MAX_MISSING_QUESTION) {
      const batch = question.slice(at, at + MAX_MISSING_QUESTION);
      const answer = await this.call(this.options.transport.missing(batch), 0);
      if (answer === STOPPED) return;
      if (!answer.ok) return this.onFailed(answer.failure);
      for (const sha256 of answer.value) missingOnHub.add(sha256);
    }
    for (const sha256 of question) {
      if (missingOnHub.has(sha256) || missingOnDevice.has(sha256)) continue;
      this.confirmedOnHub.add(sha256);
      // The hub holds it: this device's copy is no longer the only one and may be freed for room.
      await this.options.store.markConfirmed(sha256);
    }
    // Not asked about, so not to move: confirmed ones, refused ones, and those nobody wants here.
    const notAsked = new Set(question);
    for (const sha256 of hashes) if (!notAsked.has(sha256) && missingOnDevice.has(sha256)) missingOnHub.add(sha256);

    const plan = planBlobSync({ isTextSettled: true, needs, missingOnDevice, missingOnHub });
    const transfers: Transfer[] = [
      ...plan.uploads.filter(({ variant, sha256 }) => isMovedBy(policy, variant) && !this.refusedForGood.has(sha256)).map((t) => ({ ...t, direction: 'up' as const })),
      ...plan.downloads.filter(({ variant }) => isMovedBy(policy, variant)).map((t) => ({ ...t, direction: 'down' as const })),
    ].sort((a, b) => rank(a.variant) - rank(b.variant) || (a.direction === b.direction ? 0 : a.direction === 'up' ? -1 : 1) || a.sizeBytes - b.sizeBytes);
    let unavailable = plan.unavailable.filter(({ variant }) => isMovedBy(policy, variant)).length;
    let refused = this.refusedForGood.size;
    const totalBytes = transfers.reduce((sum, t) => sum + t.sizeBytes, 0);
    let progress: BlobTransferProgress = { total: transfers.length, done: 0, totalBytes, doneBytes: 0, uploads: transfers.filter((t) => t.direction === 'up').length };
    this.setStatus({ state: transfers.length > 0 ? 'transferring' : 'idle', progress, unavailableCount: unavailable, refusedCount: refused, nextRetryAt: null, reason: null });

    for (const transfer of transfers) {
      for (;;) {
        if (this.policy !== policy) {
          // The policy changed under the pass: the next pass follows the new one.
          this.isPassWanted = true;
          return;
        }
        const step = transfer.direction === 'up' ? await this.upload(transfer, (doneBytes) => this.setStatus({ progress: { ...progress, doneBytes: progress.doneBytes + doneBytes } })) : await this.download(transfer, (doneBytes) => this.setStatus({ progress: { ...progress, doneBytes: progress.doneBytes + doneBytes } }));
        if (step.kind === 'stopped') return;
        if (step.kind === 'failed') return this.onFailed(step.failure);
        if (step.kind === 'yield') {
          if (!(await this.waitForText())) return;
          this.setStatus({ state: 'transferring' });
          continue;
        }
        if (step.kind === 'skipped') {
          if (step.why === 'unavailable') unavailable += 1;
          if (step.why === 'refused-for-good') {
            this.refusedForGood.add(transfer.sha256);
            refused += 1;
          }
          if (step.why === 'refused') refused += 1;
        }
        break;
      }
      progress = { ...progress, done: progress.done + 1, doneBytes: progress.doneBytes + transfer.sizeBytes };
      this.setStatus({ progress, unavailableCount: unavailable, refusedCount: refused });
    }
    this.failedAttempts = 0;
    this.setStatus({ state: 'idle', nextRetryAt: null, reason: null });
    this.followUnavailable(unavailable);
  }

  /** Every attachment of every record on this device, with whether its original is wanted here. */
  private async needs(): Promise<BlobNeed[]> {
    const { client } = this.options;
    if (this.refsByRecord === null) {
      const byRecord = new Map<string, BlobRef[]>();
      this.changedRecords.clear();
      for (const type of ATTACHING_TYPES) {
        // A page at a time: at the end of a first sync, one read of 10,000 entries was two UI
        // tasks of about 200 ms each (issue 17). A record written meanwhile is in changedRecords.
        for (const view of await client.listInPages(type)) {
          const refs = blobRefsOf(view.projection, view.header.ownerOrg === client.identity.orgId);
          if (refs.length > 0) byRecord.set(view.header.id, refs);
        }
      }
      this.refsByRecord = byRecord;
    } else if (this.changedRecords.size > 0) {
      const ids = [...this.changedRecords];
      this.changedRecords.clear();
      const views = new Map((await client.getMany(ids)).map((view) => [view.header.id, view]));
      for (const id of ids) {
        const view = views.get(id);
        const refs = view && ATTACHING_TYPES.includes(view.header.type) ? blobRefsOf(view.projection, view.header.ownerOrg === client.identity.orgId) : [];
        if (refs.length > 0) this.refsByRecord.set(id, refs);
        else this.refsByRecord.delete(id);
      }
    }
    const wanted = this.options.wantedOriginals?.() ?? new Set<string>();
    return [...this.refsByRecord.values()].flat().map((ref) => ({ ref, isOriginalWanted: this.requested.has(ref.sha256) || wanted.has(ref.sha256) }));
  }

  // ---- uploads (tus) ----------------------------------------------------------------------

  private async upload(transfer: Transfer, onProgress: (doneBytes: number) => void): Promise<Step> {
    const { transport, store } = this.options;
    const content: BlobContent = { sha256: transfer.sha256, sizeBytes: transfer.sizeBytes, mediaType: transfer.mediaType };
    const bytes = await store.get(content.sha256);
    // Freed on this device since the plan was made: nothing to send.
    if (!bytes) return { kind: 'skipped', why: 'unavailable' };

    let place: { uploadId: string; offset: number } | null = null;
    const known = this.uploadIds.get(content.sha256);
    if (known !== undefined) {
      const head = await this.call(transport.uploadOffset(known), 0);
      if (head === STOPPED) return { kind: 'stopped' };
      if (!head.ok) return { kind: 'failed', failure: head.failure };
      if (head.value !== null) place = { uploadId: known, offset: head.value };
    }
    for (let attempt = 0; ; attempt++) {
      if (place === null) {
        const created = await this.call(transport.createUpload(content), 0);
        if (created === STOPPED) return { kind: 'stopped' };
        if (!created.ok) return this.uploadRefusal(created.failure);
        place = { ...created.value };
        this.uploadIds.set(content.sha256, place.uploadId);
      }
      const sent = await this.sendChunks(place, bytes, onProgress);
      if (sent === 'sent') break;
      if (sent === 'unknown-upload' && attempt === 0) {
        // The hub forgot the upload (spent, collected): begin again, once.
        this.uploadIds.delete(content.sha256);
        place = null;
        continue;
      }
      if (sent === 'unknown-upload') return { kind: 'skipped', why: 'refused' };
      if (sent.kind === 'failed' && sent.failure.kind === 'http') {
        if (sent.failure.status === 422 || sent.failure.code === 'hash-mismatch') {
          // The hub hashed other bytes than this device holds and discarded the upload: not
          // sent again this pass; the next one begins anew.
          this.uploadIds.delete(content.sha256);
          return { kind: 'skipped', why: 'corrupt' };
        }
        return this.uploadRefusal(sent.failure);
      }
      // A network failure: the chunk may or may not have arrived; the next try asks (HEAD).
      return sent;
    }
    this.uploadIds.delete(content.sha256);
    this.confirmedOnHub.add(content.sha256);
    await store.markConfirmed(content.sha256);
    return { kind: 'done' };
  }

  /** PATCHes chunk after chunk from where the hub stands, until the last byte or a reason to stop. */
  private async sendChunks(place: { uploadId: string; offset: number }, bytes: Uint8Array, onProgress: (doneBytes: number) => void): Promise<'sent' | 'unknown-upload' | Step> {
    while (place.offset < bytes.length) {
      onProgress(place.offset);
      // Between chunks: text goes first.
      if (this.isStopping) return { kind: 'stopped' };
      if (!(await this.isTextSettled())) return { kind: 'yield' };
      const chunk = bytes.subarray(place.offset, Math.min(bytes.length, place.offset + this.chunkBytes));
      this.sentChunkBytes += chunk.length;
      const sent = await this.call(this.options.transport.appendChunk(place.uploadId, place.offset, chunk), chunk.length);
      if (sent === STOPPED) return { kind: 'stopped' };
      if (!sent.ok) return sent.failure.kind === 'http' && sent.failure.status === 404 ? 'unknown-upload' : { kind: 'failed', failure: sent.failure };
      const next = sent.value.offset;
      // A hub that names its own offset again, or one past the end, would loop this forever.
      if (next > bytes.length || (sent.value.kind === 'offset-mismatch' && next === place.offset)) {
        return { kind: 'failed', failure: { kind: 'http', status: 409, code: 'offset-mismatch', message: `the hub stands at byte ${next} of ${bytes.length} and will not take the chunk there` } };
      }
      // Appended, or the hub stands elsewhere (409) and said where: carry on from there.
      place.offset = next;
    }
    return 'sent';
  }

  private uploadRefusal(failure: TransportFailure): Step {
    if (failure.kind !== 'http' || isAuthFailure(failure) || failure.status === 429 || failure.status >= 500) return { kind: 'failed', failure };
    if (failure.status === 413) return { kind: 'skipped', why: 'refused-for-good' };
    // 403: no record this organization may edit references it (yet); asked again next pass.
    return { kind: 'skipped', why: 'refused' };
  }

  // ---- downloads (ranges) -----------------------------------------------------------------

  private async download(transfer: Transfer, onProgress: (doneBytes: number) => void): Promise<Step> {
    const { transport, store } = this.options;
    const content: BlobContent = { sha256: transfer.sha256, sizeBytes: transfer.sizeBytes, mediaType: transfer.mediaType };
    const parts = this.partials.get(content.sha256) ?? [];
    this.partials.set(content.sha256, parts);
    let have = parts.reduce((sum, part) => sum + part.length, 0);
    while (have < content.sizeBytes) {
      onProgress(have);
      if (this.isStopping) return { kind: 'stopped' };
      if (!(await this.isTextSettled())) return { kind: 'yield' };
      const end = Math.min(content.sizeBytes, have + this.chunkBytes) - 1;
      const got = await this.call(transport.download(content.sha256, { start: have, end }), 0);
      if (got === STOPPED) return { kind: 'stopped' };
      if (!got.ok) {
        if (got.failure.kind === 'http' && got.failure.status === 416) {
          // The hub's blob is shorter than the reference says: not this reference's bytes.
          this.partials.delete(content.sha256);
          return { kind: 'skipped', why: 'corrupt' };
        }
        return got.failure.kind === 'http' && got.failure.status >= 400 && got.failure.status < 500 && got.failure.status !== 401 && got.failure.status !== 429
          ? { kind: 'skipped', why: 'unavailable' }
          : { kind: 'failed', failure: got.failure };
      }
      if (got.value === null) {
        this.partials.delete(content.sha256);
        return { kind: 'skipped', why: 'unavailable' };
      }
      if (got.value.totalBytes !== content.sizeBytes || got.value.bytes.length === 0) {
        this.partials.delete(content.sha256);
        return { kind: 'skipped', why: 'corrupt' };
      }
      parts.push(got.value.bytes);
      have += got.value.bytes.length;
      this.receivedBytes += got.value.bytes.length;
    }
    this.partials.delete(content.sha256);
    const bytes = new Uint8Array(content.sizeBytes);
    let at = 0;
    for (const part of parts) {
      bytes.set(part.subarray(0, content.sizeBytes - at), at);
      at += part.length;
    }
    try {
      await store.put(content, bytes);
    } catch (error) {
      // Bytes that do not hash to the reference are never kept; a later pass fetches them again.
      if (error instanceof BlobError) return { kind: 'skipped', why: 'corrupt' };
      throw error;
    }
    this.confirmedOnHub.add(content.sha256);
    // Fetched from the hub, so it can be fetched again: freeing it for room loses nothing.
    await store.markConfirmed(content.sha256);
    this.options.onDidStoreBlob?.(content.sha256);
    return { kind: 'done' };
  }

  // ---- plumbing ---------------------------------------------------------------------------

  /** A transport call, given up as a network failure after no answer for the stall timeout. */
  private async call<T>(promise: Promise<TransportResult<T>>, sentBytes: number): Promise<TransportResult<T> | typeof STOPPED> {
    let handle: unknown = null;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      handle = this.options.clock.setTimeout(() => resolve(TIMED_OUT), this.stallTimeoutMs + sentBytes);
    });
    promise.catch(() => undefined);
    try {
      const result = await Promise.race([promise, timeout, this.stopping]);
      if (result === STOPPED) return STOPPED;
      if (result === TIMED_OUT) return { ok: false, failure: { kind: 'network', message: `no answer within ${this.stallTimeoutMs + sentBytes} ms` } };
      return result;
    } catch (error) {
      return { ok: false, failure: { kind: 'network', message: error instanceof Error ? error.message : String(error) } };
    } finally {
      this.options.clock.clearTimeout(handle);
    }
  }

  private setStatus(change: Partial<BlobSyncStatus>): void {
    const next = { ...this.current, ...change };
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }
}
