import { serveSearch, type SavedIndexStorage, type SavedIndexValue } from '../../shared/search/searchPort';
import type { WorkerPortLike } from '../../shared/workers/portCalls';

/*
 * Search workers for tests in Node: the other end of a MessageChannel is answered by the worker's
 * own code (serveSearch), so the client talks to it exactly as to the renderer's Web Worker; and
 * ports that fail or refuse as a worker can. Every port made here is closed by closeSearchPorts.
 */

const opened: MessagePort[] = [];

/** Closes every port made here since the last call (in afterEach). */
export function closeSearchPorts(): void {
  for (const port of opened.splice(0)) port.close();
}

/** A saved-index storage kept in memory, as the worker's IndexedDB database keeps it. */
export function keptIndexes(): { readonly kept: Map<string, SavedIndexValue>; readonly storage: SavedIndexStorage } {
  const kept = new Map<string, SavedIndexValue>();
  return { kept, storage: { read: async (database) => kept.get(database) ?? null, write: async (database, value) => void kept.set(database, value) } };
}

/** A worker's port, with the saved-index storage it keeps its index in (none: it keeps none). */
export function searchWorkerPort(savedIndexes?: SavedIndexStorage): MessagePort {
  const { port1, port2 } = new MessageChannel();
  serveSearch(port2, savedIndexes);
  opened.push(port1, port2);
  return port1;
}

/** A worker's port that can be made to fail as a worker does (an 'error' event: it could not load, or it threw). */
export interface FailablePort extends WorkerPortLike {
  fail(): void;
}

export function failablePort(port: MessagePort): FailablePort {
  const onError: (() => void)[] = [];
  let hasFailed = false;
  return {
    postMessage: (message) => {
      if (!hasFailed) port.postMessage(message);
    },
    addEventListener: (type: 'message' | 'error', listener: (event: { readonly data: unknown }) => void) => {
      if (type === 'error') onError.push(() => listener({ data: undefined }));
      else port.addEventListener('message', (event) => !hasFailed && listener(event));
    },
    start: () => port.start(),
    close: () => port.close(),
    fail: () => {
      hasFailed = true;
      for (const listener of onError) listener();
    },
  };
}

/** A worker's port on which the operations in `refused` are answered with an error, as a worker whose index threw would. */
export function refusingPort(worker: MessagePort, refused: Set<string>): MessagePort {
  const { port1, port2 } = new MessageChannel();
  port2.onmessage = ({ data }: MessageEvent<{ id: number; op: string }>) => {
    if (refused.has(data.op)) port2.postMessage({ id: data.id, ok: false, error: `${data.op} refused` });
    else worker.postMessage(data);
  };
  worker.onmessage = ({ data }) => port2.postMessage(data);
  opened.push(port1, port2);
  return port1;
}

/** Remembers a port of the caller's making, so closeSearchPorts closes it too. */
export function closedWithSearchPorts(...ports: MessagePort[]): void {
  opened.push(...ports);
}
