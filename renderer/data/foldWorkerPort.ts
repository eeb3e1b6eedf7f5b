import type { WorkerPortLike } from '../../shared/workers/portCalls';
import { startModuleWorker } from '../platform/moduleWorker';

/**
 * Starts the fold worker and returns its port for the client, or undefined where no module worker
 * can start (the client then folds on this thread in slices, as in Node).
 */
export const startFoldWorker = (): WorkerPortLike | undefined => startModuleWorker(() => new Worker(new URL('./foldWorker.ts', import.meta.url), { type: 'module', name: 'fieldwise-fold' }));
