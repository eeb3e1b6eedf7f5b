import { serveRowFolding } from '../../shared/client/rowFolding';
import type { WorkerPortLike } from '../../shared/workers/portCalls';

/*
 * The fold worker: records arriving from the hub or a bundle are folded into store rows here
 * (Yjs, projection, state, SHA-256: seconds of work in an initial sync of 10,000 records), never
 * on the thread that draws the window. The client reads and writes the store; this only computes.
 */

serveRowFolding(self as unknown as WorkerPortLike);
