import type { RecordHeader } from '../records/recordType';
import { foldIntoDoc, toRecordRow } from '../store/recordState';
import type { RecordRow } from '../store/schemas';
import { portCaller, servePort, type WorkerPortLike } from '../workers/portCalls';
import { timeSlicer } from './yieldToMain';

/*
 * Folding records that arrive from elsewhere (a pulled page, a bundle) into the rows the store
 * keeps: each record's stored state and its new updates through a Y.Doc, then its projection,
 * index fields, compacted state and SHA-256. It is most of the CPU of an initial sync or a bundle
 * import (issue 17: 3.4 of 3.6 s on the UI thread at 3,000 entries), and a pure function of its
 * input, so the renderer runs it in a worker (renderer/data/foldWorker.ts); in Node it runs here,
 * in slices.
 */

export interface FoldJob {
  readonly header: RecordHeader;
  readonly seq: number;
  /** The stored state (base64, as in the row), or null for a record new here. */
  readonly state: string | null;
  readonly updates: readonly Uint8Array[];
}

/** A job's row, or why its updates could not be folded (a broken update). */
export type FoldResult = { readonly row: RecordRow } | { readonly error: string };

export interface RowFolder {
  fold(jobs: readonly FoldJob[]): Promise<FoldResult[]>;
  close(): void;
}

function foldOne(job: FoldJob): FoldResult {
  try {
    const doc = foldIntoDoc(job.state, job.updates);
    try {
      return { row: toRecordRow(job.header, doc, job.seq) };
    } finally {
      doc.destroy();
    }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Folds on this thread, giving it back between records every few milliseconds. */
export function localRowFolder(): RowFolder {
  return {
    async fold(jobs) {
      const slice = timeSlicer();
      const results: FoldResult[] = [];
      for (const job of jobs) {
        await slice();
        results.push(foldOne(job));
      }
      return results;
    },
    close() {},
  };
}

interface FoldOperations {
  [op: string]: (argument: never) => unknown;
  fold(jobs: readonly FoldJob[]): FoldResult[];
}

/** The worker's side: folds every job it is sent, all at once (nothing waits on its thread). */
export function serveRowFolding(port: WorkerPortLike): void {
  servePort(port, { fold: (jobs) => jobs.map(foldOne) } satisfies FoldOperations);
}

/**
 * An update as the worker should get it: a view into a larger buffer (each record of a bundle is
 * a view into its whole inflated payload) is copied out, since posting a view clones the whole
 * buffer it looks into. A bundle of 10,000 records cloned its 10 MB payload once per page of 100,
 * on the UI thread: 6.4 of the 25.6 s an import took (issue 17).
 */
export function ownBytes(update: Uint8Array): Uint8Array {
  return update.byteOffset === 0 && update.byteLength === update.buffer.byteLength ? update : update.slice();
}

/** The client's side: folding in the worker behind `port`. */
export function portRowFolder(port: WorkerPortLike): RowFolder {
  const worker = portCaller<FoldOperations>(port, 'fold worker');
  return {
    fold: (jobs) => worker.call('fold', jobs.map((job) => ({ ...job, updates: job.updates.map(ownBytes) }))),
    close: () => worker.close(),
  };
}

/**
 * Folding in a worker started on the first jobs (a device that never syncs never starts it), or
 * on this thread where `start` gives no worker or the worker fails.
 */
export function lazyRowFolder(start: () => WorkerPortLike | undefined): RowFolder {
  let folder: RowFolder | null = null;
  return {
    fold(jobs) {
      if (!folder) {
        const port = start();
        folder = port ? portRowFolder(port) : localRowFolder();
      }
      // A worker that died (or never loaded its script) answers nothing: fold here from now on.
      return folder.fold(jobs).catch(() => {
        folder?.close();
        folder = localRowFolder();
        return folder.fold(jobs);
      });
    },
    close: () => folder?.close(),
  };
}
