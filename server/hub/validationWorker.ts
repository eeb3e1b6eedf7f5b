import { parentPort } from 'node:worker_threads';
import * as Y from 'yjs';
import { HubError } from './hubError';
import { validateUpdate, type ValidatedUpdate, type ValidationInput } from './validateUpdate';

/*
 * The worker thread the hub runs Yjs integration in (validationRunner.ts starts it and stops it
 * at the deadline): validating a commit's records, and folding a stored state for compaction.
 * Before each record it stamps the time it started into shared memory, so the main thread knows
 * how long the current record has run without a message per record.
 */

export type WorkerTask =
  | { readonly kind: 'validate'; readonly inputs: readonly ValidationInput[]; readonly loadBudgetMs: number }
  /** Loads a stored state and encodes it again (garbage-collected): compaction. */
  | { readonly kind: 'fold'; readonly recordId: string; readonly state: Uint8Array }
  /** A state's state vector and, given a peer's state vector, what the peer lacks (a /yjs room). */
  | { readonly kind: 'diff'; readonly recordId: string; readonly state: Uint8Array; readonly stateVector: Uint8Array | null };

export interface ValidationJob {
  readonly jobId: number;
  readonly task: WorkerTask;
  /**
   * Float64Array over a SharedArrayBuffer: [0] = Date.now() when the current record's budgeted
   * part started, [1] = the record's index, [2] = Date.now() when the job started, [3] = Date.now()
   * when the job finished (its reply may wait a while for a busy main thread to read it).
   */
  readonly clock: SharedArrayBuffer;
}

export type ValidationOutcome =
  | { readonly kind: 'validated'; readonly results: readonly ValidatedUpdate[] }
  | { readonly kind: 'folded'; readonly state: Uint8Array }
  | { readonly kind: 'diffed'; readonly stateVector: Uint8Array; readonly update: Uint8Array | null }
  | { readonly kind: 'refused'; readonly code: HubError['code']; readonly message: string; readonly recordId: string | undefined }
  | { readonly kind: 'failed'; readonly message: string };

export interface ValidationReply {
  readonly jobId: number;
  readonly outcome: ValidationOutcome;
}

function validateAll(inputs: readonly ValidationInput[], loadBudgetMs: number, clock: Float64Array): ValidationOutcome {
  const results: ValidatedUpdate[] = [];
  for (const [index, input] of inputs.entries()) {
    clock[1] = index;
    clock[0] = Date.now();
    results.push(
      validateUpdate(input, {
        loadBudgetMs,
        onStoredStateApplied: () => {
          clock[0] = Date.now();
        },
      }),
    );
  }
  return { kind: 'validated', results };
}

function fold(state: Uint8Array, clock: Float64Array): ValidationOutcome {
  clock[1] = 0;
  clock[0] = Date.now();
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    return { kind: 'folded', state: Y.encodeStateAsUpdate(doc) };
  } finally {
    doc.destroy();
  }
}

function diff(state: Uint8Array, stateVector: Uint8Array | null, clock: Float64Array): ValidationOutcome {
  clock[1] = 0;
  clock[0] = Date.now();
  try {
    return { kind: 'diffed', stateVector: Y.encodeStateVectorFromUpdate(state), update: stateVector ? Y.diffUpdate(state, stateVector) : null };
  } catch {
    throw new HubError('bad-update', 'the state vector is not a valid Yjs state vector');
  }
}

function run(job: ValidationJob): ValidationOutcome {
  const clock = new Float64Array(job.clock);
  clock[2] = Date.now();
  try {
    const { task } = job;
    if (task.kind === 'validate') return validateAll(task.inputs, task.loadBudgetMs, clock);
    if (task.kind === 'fold') return fold(task.state, clock);
    return diff(task.state, task.stateVector, clock);
  } catch (error) {
    if (error instanceof HubError) return { kind: 'refused', code: error.code, message: error.message, recordId: error.recordId };
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

function transferOf(outcome: ValidationOutcome): ArrayBuffer[] {
  const states =
    outcome.kind === 'validated' ? outcome.results.map((result) => result.state) : outcome.kind === 'folded' ? [outcome.state] : outcome.kind === 'diffed' ? [outcome.stateVector, ...(outcome.update ? [outcome.update] : [])] : [];
  return states.map((state) => state.buffer as ArrayBuffer).filter((buffer) => buffer.byteLength > 0);
}

/** Validates a small edit a few times at start, so the first real one is not timed while the JIT warms up. */
function warmUp(): void {
  const doc = new Y.Doc();
  doc.getMap('fields').set('title', 'warm-up');
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText('warm up')]);
  doc.getXmlFragment('body').insert(0, [paragraph]);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  for (let i = 0; i < 20; i++) validateUpdate({ header: { id: 'warm-up', type: 'entry', ownerOrg: 'warm-up', createdAt: 0 }, storedState: null, update });
}

warmUp();

parentPort?.on('message', (job: ValidationJob) => {
  const outcome = run(job);
  // Finished: the runner's deadline stops counting here, however long its busy thread takes to read the reply.
  new Float64Array(job.clock)[3] = Date.now();
  parentPort!.postMessage({ jobId: job.jobId, outcome } satisfies ValidationReply, transferOf(outcome));
});
