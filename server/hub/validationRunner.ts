import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { limits } from '../../shared/sync/protocol';
import { HubError } from './hubError';
import type { ValidatedUpdate, ValidationInput } from './validateUpdate';
import type { ValidationJob, ValidationReply } from './validationWorker';

/*
 * Runs the validate step (validateUpdate.ts) in a worker thread and enforces its time budget
 * while it runs: a record still being validated `limits.maxApplyMs` after it started gets its
 * worker terminated, and the commit is refused with `update-too-slow`; the next job gets a fresh
 * worker. The main thread (HTTP, /health, live sockets) never runs an update it has not seen
 * validated within budget. One round trip per commit, whatever its number of records; the
 * states come back transferred, not copied.
 */

const workerUrl = new URL(`./validationWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** A worker for the module at `workerUrl`; from TypeScript sources (tsx, vitest) through tsx's loader. */
function startWorker(): Worker {
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl);
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

interface PendingJob {
  readonly inputs: readonly ValidationInput[];
  readonly resolve: (results: ValidatedUpdate[]) => void;
  readonly reject: (error: unknown) => void;
}

interface WorkerSlot {
  worker: Worker;
  readonly clock: SharedArrayBuffer;
  job: (PendingJob & { readonly jobId: number; readonly recordIds: readonly string[] }) | null;
  timer: NodeJS.Timeout | null;
}

export interface ValidationRunnerOptions {
  /** The time one record's validation may take; `limits.maxApplyMs` by default. */
  readonly budgetMs?: number;
  readonly workers?: number;
}

export class ValidationRunner {
  private readonly slots: WorkerSlot[] = [];
  private readonly queue: PendingJob[] = [];
  private nextJobId = 1;
  private isClosed = false;
  private readonly budgetMs: number;
  private readonly workerCount: number;

  constructor(options: ValidationRunnerOptions = {}) {
    this.budgetMs = options.budgetMs ?? limits.maxApplyMs;
    this.workerCount = options.workers ?? 1;
  }

  /** Validates a commit's records in order; rejects with the first refusal (a HubError). */
  validate(inputs: readonly ValidationInput[]): Promise<ValidatedUpdate[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    if (this.isClosed) return Promise.reject(new Error('the validation runner is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, resolve, reject });
      this.dispatch();
    });
  }

  /** Starts the workers now, so the first write does not wait for one to boot. */
  start(): void {
    if (this.isClosed) return;
    while (this.slots.length < this.workerCount) this.slots.push(this.newSlot());
  }

  async close(): Promise<void> {
    this.isClosed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the validation runner is closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private newSlot(): WorkerSlot {
    const slot: WorkerSlot = { worker: startWorker(), clock: new SharedArrayBuffer(16), job: null, timer: null };
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
      this.finish(slot);
      const { outcome } = reply;
      if (outcome.kind === 'validated') job.resolve([...outcome.results]);
      else if (outcome.kind === 'refused') job.reject(new HubError(outcome.code, outcome.message, outcome.recordId));
      else job.reject(new Error(`validation failed: ${outcome.message}`));
    });
    worker.on('error', (error) => this.replace(slot, error));
    worker.on('exit', () => {
      if (slot.worker === worker && !this.isClosed) this.replace(slot, new Error('the validation worker stopped'));
    });
  }

  private dispatch(): void {
    // Workers start on the first validation: a hub that is only read from starts none.
    while (this.slots.length < this.workerCount) this.slots.push(this.newSlot());
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const pending = this.queue.shift()!;
      const jobId = this.nextJobId++;
      slot.job = { ...pending, jobId, recordIds: pending.inputs.map((input) => input.header.id) };
      // 0 until the worker starts the first record: a worker still starting up costs no budget.
      new Float64Array(slot.clock).fill(0);
      slot.worker.ref();
      slot.worker.postMessage({ jobId, inputs: pending.inputs, clock: slot.clock } satisfies ValidationJob);
      this.watch(slot, this.budgetMs);
    }
  }

  /** Checks the current record's running time at its deadline; terminates the worker past it. */
  private watch(slot: WorkerSlot, delayMs: number): void {
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (!slot.job) return;
      const [startedAt, recordIndex] = new Float64Array(slot.clock);
      const elapsed = startedAt === 0 ? 0 : Date.now() - startedAt!;
      if (elapsed < this.budgetMs) return this.watch(slot, this.budgetMs - elapsed);
      const recordId = slot.job.recordIds[recordIndex!];
      this.replace(slot, new HubError('update-too-slow', `validating an update may take at most ${this.budgetMs} ms`, recordId));
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

