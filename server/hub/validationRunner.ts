import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as Y from 'yjs';
import { limits } from '../../shared/sync/protocol';
import { HubError } from './hubError';
import { MAX_STATE_LOAD_MS, validateUpdate, type ValidatedUpdate, type ValidationInput } from './validateUpdate';
import type { ValidationJob, ValidationOutcome, ValidationReply, WorkerTask } from './validationWorker';

/*
 * Runs the hub's Yjs integration in worker threads and enforces its time budgets while it runs:
 * the validate step of the write path (validateUpdate.ts) and the fold of a stored state that
 * compaction needs. The main thread (HTTP, /health, live sockets, /yjs rooms) never integrates
 * a Yjs update.
 *
 * Budgets, checked by a timer against clocks the worker stamps into shared memory:
 * - one record: `limits.maxApplyMs` for applying the sender's update to the stored state (loading
 *   the stored state is bounded by the load budget in validateUpdate.ts and counted below);
 * - one request: `requestBudgetMs` for the whole job, every record's stored state included, so a
 *   push of many records each just under the record budget cannot hold a worker for minutes; the
 *   rest is refused with 503 `hub-busy` (retriable; fewer records at a time pass).
 * Past either, the worker is terminated and the job refused; the next job gets a fresh worker.
 * A small pool (one worker per core, at most 2): one organization's costly push holds one worker,
 * and the others' pushes go on in the other. One round trip per commit, whatever its number of
 * records; states come back transferred, not copied.
 */

const workerUrl = new URL(`./validationWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** The time one request's whole validation may take: its records' stored states and updates. */
export const DEFAULT_REQUEST_BUDGET_MS = 2 * limits.maxApplyMs;

/** When a push refused for its request budget may come again: the worker pool is free by then. */
const RETRY_AFTER_SECONDS = 5;

/** A worker for the module at `workerUrl`; from TypeScript sources (tsx, vitest) through tsx's loader. */
function startWorker(): Worker {
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl);
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

interface PendingJob {
  readonly task: WorkerTask;
  readonly recordIds: readonly string[];
  readonly resolve: (outcome: ValidationOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface WorkerSlot {
  worker: Worker;
  readonly clock: SharedArrayBuffer;
  job: (PendingJob & { readonly jobId: number }) | null;
  timer: NodeJS.Timeout | null;
}

export interface ValidationRunnerOptions {
  /** The time applying one record's update may take; `limits.maxApplyMs` by default. */
  readonly budgetMs?: number;
  /** The time one request's whole job may take; DEFAULT_REQUEST_BUDGET_MS by default. */
  readonly requestBudgetMs?: number;
  /** The time loading a record's resulting state may take; MAX_STATE_LOAD_MS by default. */
  readonly loadBudgetMs?: number;
  /**
   * Worker threads; one per core, at most 2, by default. 0 validates on the calling thread with no
   * budget enforced: only for measuring what the workers cost (test/bench/push.bench.ts).
   */
  readonly workers?: number;
}

export class ValidationRunner {
  private readonly slots: WorkerSlot[] = [];
  private readonly queue: PendingJob[] = [];
  private nextJobId = 1;
  private isClosed = false;
  private readonly budgetMs: number;
  private readonly requestBudgetMs: number;
  private readonly workerCount: number;
  private readonly loadBudgetMs: number;

  constructor(options: ValidationRunnerOptions = {}) {
    this.budgetMs = options.budgetMs ?? limits.maxApplyMs;
    this.requestBudgetMs = options.requestBudgetMs ?? DEFAULT_REQUEST_BUDGET_MS;
    this.loadBudgetMs = options.loadBudgetMs ?? MAX_STATE_LOAD_MS;
    this.workerCount = Math.max(0, options.workers ?? Math.min(2, availableParallelism()));
  }

  /** Validates a commit's records in order; rejects with the first refusal (a HubError). */
  async validate(inputs: readonly ValidationInput[]): Promise<ValidatedUpdate[]> {
    if (inputs.length === 0) return [];
    if (this.workerCount === 0) return inputs.map((input) => validateUpdate(input, { loadBudgetMs: this.loadBudgetMs }));
    const outcome = await this.run({ kind: 'validate', inputs, loadBudgetMs: this.loadBudgetMs }, inputs.map((input) => input.header.id));
    if (outcome.kind !== 'validated') throw new Error(`validation returned ${outcome.kind}`);
    return [...outcome.results];
  }

  /**
   * A stored state loaded and encoded again (what compaction stores), within the record budget;
   * rejects with `update-too-slow` past it.
   */
  async fold(recordId: string, state: Uint8Array): Promise<Uint8Array> {
    if (this.workerCount === 0) throw new Error('folding needs a worker');
    const outcome = await this.run({ kind: 'fold', recordId, state }, [recordId]);
    if (outcome.kind !== 'folded') throw new Error(`folding returned ${outcome.kind}`);
    return outcome.state;
  }

  /**
   * `state`'s state vector and, given a peer's `stateVector`, what the peer lacks of `state`
   * (Y.diffUpdate): what a /yjs room sends, computed off the main thread (linear in the state's
   * bytes, but ~0.5 s for 4 MiB of small structs on a busy machine).
   */
  async diff(recordId: string, state: Uint8Array, stateVector: Uint8Array | null): Promise<{ stateVector: Uint8Array; update: Uint8Array | null }> {
    if (this.workerCount === 0) return { stateVector: Y.encodeStateVectorFromUpdate(state), update: stateVector ? Y.diffUpdate(state, stateVector) : null };
    const outcome = await this.run({ kind: 'diff', recordId, state, stateVector }, [recordId]);
    if (outcome.kind !== 'diffed') throw new Error(`diffing returned ${outcome.kind}`);
    return { stateVector: outcome.stateVector, update: outcome.update };
  }

  /** Starts the workers now, so the first write does not wait for one to boot. */
  start(): void {
    if (this.isClosed) return;
    while (this.slots.length < this.workerCount) this.slots.push(this.newSlot());
  }

  async close(): Promise<void> {
    this.isClosed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the validation runner is closed'));
    // A job still running when the hub closes leaves its deadline timer: clear it with the worker.
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
    }
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private run(task: WorkerTask, recordIds: readonly string[]): Promise<ValidationOutcome> {
    if (this.isClosed) return Promise.reject(new Error('the validation runner is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, recordIds, resolve, reject });
      this.dispatch();
    });
  }

  private newSlot(): WorkerSlot {
    const slot: WorkerSlot = { worker: startWorker(), clock: new SharedArrayBuffer(32), job: null, timer: null };
    this.attach(slot);
    return slot;
  }

  private attach(slot: WorkerSlot): void {
    const { worker } = slot;
    // An idle worker keeps no process alive (tests and the CLI exit when done).
    worker.unref();
    worker.on('message', (reply: ValidationReply) => {
      const job = slot.job;
      if (!job || job.jobId !== reply.jobId) return;
      const overrun = this.overrun({ ...slot, job }, new Float64Array(slot.clock)[3]!);
      this.finish(slot);
      if (overrun) return job.reject(overrun);
      const { outcome } = reply;
      if (outcome.kind === 'refused') job.reject(new HubError(outcome.code, outcome.message, outcome.recordId));
      else if (outcome.kind === 'failed') job.reject(new Error(`validation failed: ${outcome.message}`));
      else job.resolve(outcome);
    });
    worker.on('error', (error) => this.replace(slot, error));
    worker.on('exit', () => {
      if (slot.worker === worker && !this.isClosed) this.replace(slot, new Error('the validation worker stopped'));
    });
  }

  private dispatch(): void {
    // Workers start on the first job: a hub that is only read from starts none.
    while (this.slots.length < this.workerCount) this.slots.push(this.newSlot());
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const pending = this.queue.shift()!;
      const jobId = this.nextJobId++;
      slot.job = { ...pending, jobId };
      // 0 until the worker starts the job: a worker still starting up costs no budget.
      new Float64Array(slot.clock).fill(0);
      slot.worker.ref();
      slot.worker.postMessage({ jobId, task: pending.task, clock: slot.clock } satisfies ValidationJob);
      this.watch(slot, Math.min(this.budgetMs, this.requestBudgetMs));
    }
  }

  /**
   * The budget the job in `slot` overran by `at` (the worker's own finish stamp once it finished,
   * else now), or null. Measured on the worker's stamps alone: a busy main thread reading a reply
   * late neither refuses a job that finished in time nor lets one that overran through.
   */
  private overrun(slot: WorkerSlot & { job: NonNullable<WorkerSlot['job']> }, at: number): HubError | null {
    const [recordStartedAt, recordIndex, jobStartedAt] = new Float64Array(slot.clock);
    const recordElapsed = recordStartedAt === 0 ? 0 : at - recordStartedAt!;
    const jobElapsed = jobStartedAt === 0 ? 0 : at - jobStartedAt!;
    const recordId = slot.job.recordIds[recordIndex!];
    if (recordElapsed >= this.budgetMs) {
      const what = slot.job.task.kind === 'validate' ? 'validating an update' : 'loading a stored state';
      return new HubError('update-too-slow', `${what} may take at most ${this.budgetMs} ms`, recordId);
    }
    if (jobElapsed >= this.requestBudgetMs) {
      const message = `validating one request may take at most ${this.requestBudgetMs} ms; the hub stopped at this record: send fewer records at a time`;
      return new HubError('hub-busy', message, recordId, RETRY_AFTER_SECONDS);
    }
    return null;
  }

  /** Checks the running record and the whole job at their deadlines; terminates the worker past either. */
  private watch(slot: WorkerSlot, delayMs: number): void {
    slot.timer = setTimeout(() => {
      slot.timer = null;
      const job = slot.job;
      if (!job) return;
      const clock = new Float64Array(slot.clock);
      // Finished: its reply waits for this (busy) thread, which judges it by the finish stamp.
      if (clock[3] !== 0) return;
      const now = Date.now();
      const overrun = this.overrun({ ...slot, job }, now);
      if (overrun) return this.replace(slot, overrun);
      const recordElapsed = clock[0] === 0 ? 0 : now - clock[0]!;
      const jobElapsed = clock[2] === 0 ? 0 : now - clock[2]!;
      this.watch(slot, Math.min(this.budgetMs - recordElapsed, clock[2] === 0 ? this.requestBudgetMs : this.requestBudgetMs - jobElapsed));
    }, Math.max(1, delayMs));
  }

  private finish(slot: WorkerSlot): void {
    slot.job = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.worker.unref();
    this.dispatch();
  }

  /** Ends a worker that overran or broke, refuses its job with `error`, and starts another. */
  private replace(slot: WorkerSlot, error: unknown): void {
    const job = slot.job;
    const old = slot.worker;
    slot.job = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (this.isClosed) return;
    slot.worker = startWorker();
    this.attach(slot);
    void old.terminate();
    job?.reject(error);
    this.dispatch();
  }
}

let shared: ValidationRunner | null = null;

/** One runner for callers that bring none of their own (the Hub brings one and closes it). */
export function sharedValidationRunner(): ValidationRunner {
  return (shared ??= new ValidationRunner());
}
