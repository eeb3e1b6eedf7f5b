import { parentPort } from 'node:worker_threads';
import * as Y from 'yjs';
import { HubError } from './hubError';
import { validateUpdate, type ValidatedUpdate, type ValidationInput } from './validateUpdate';

/*
 * The worker thread the write path validates in (validationRunner.ts starts it and stops it at
 * the deadline). One job is one commit's records; before each record it stamps the time it
 * started into shared memory, so the main thread knows how long the current record has run
 * without a message per record.
 */

export interface ValidationJob {
  readonly jobId: number;
  readonly inputs: readonly ValidationInput[];
  /** Float64Array over a SharedArrayBuffer: [0] = Date.now() when the current record started, [1] = its index. */
  readonly clock: SharedArrayBuffer;
}

export type ValidationOutcome =
  | { readonly kind: 'validated'; readonly results: readonly ValidatedUpdate[] }
  | { readonly kind: 'refused'; readonly code: HubError['code']; readonly message: string; readonly recordId: string | undefined }
  | { readonly kind: 'failed'; readonly message: string };

export interface ValidationReply {
  readonly jobId: number;
  readonly outcome: ValidationOutcome;
}

function run(job: ValidationJob): ValidationOutcome {
  const startedAt = new Float64Array(job.clock);
  const results: ValidatedUpdate[] = [];
  try {
    for (const [index, input] of job.inputs.entries()) {
      startedAt[1] = index;
      startedAt[0] = Date.now();
      results.push(
        validateUpdate(input, () => {
          startedAt[0] = Date.now();
        }),
      );
    }
  } catch (error) {
    if (error instanceof HubError) return { kind: 'refused', code: error.code, message: error.message, recordId: error.recordId };
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  return { kind: 'validated', results };
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
  const transfer = outcome.kind === 'validated' ? outcome.results.map((result) => result.state.buffer as ArrayBuffer).filter((buffer) => buffer.byteLength > 0) : [];
  parentPort!.postMessage({ jobId: job.jobId, outcome } satisfies ValidationReply, transfer);
});
