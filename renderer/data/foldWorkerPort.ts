import type { WorkerPortLike } from '../../shared/workers/portCalls';

/**
 * Starts the fold worker and returns its port for the client, or undefined where no module worker
 * can start (the client then folds on this thread in slices, as in Node).
 */
export function startFoldWorker(): WorkerPortLike | undefined {
  if (typeof Worker === 'undefined') return undefined;
  try {
    return new Worker(new URL('./foldWorker.ts', import.meta.url), { type: 'module', name: 'fieldwise-fold' });
  } catch {
    return undefined;
  }
}
