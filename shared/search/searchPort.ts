import type { SearchableEntry, SearchFilters, SearchHit } from './entrySearch';
import { SearchIndexHolder, type SearchBackend } from './searchBackend';

/*
 * The typed message boundary between the client and an index in a worker. The shared code knows
 * only this small port shape (a Web Worker, the worker's own global scope, a MessagePort of
 * Node's MessageChannel all fit), so it stays free of the DOM: the platform makes the worker and
 * hands its port in (renderer/library/searchWorker.ts).
 *
 * Both ends are this app's own code in one origin, so the requests are not an attack surface;
 * an unknown request is still answered with an error rather than ignored, so no caller waits
 * forever.
 */

export interface SearchPortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  /** A worker that fails to load or throws outside a request. */
  addEventListener(type: 'error', listener: () => void): void;
  /** Only MessagePort has it: messages flow once it is called. */
  start?(): void;
  /** A Worker's or a MessagePort's way to let go. */
  terminate?(): void;
  close?(): void;
}

export type SearchRequest =
  | { readonly id: number; readonly op: 'load'; readonly json: string }
  | { readonly id: number; readonly op: 'reset' }
  | { readonly id: number; readonly op: 'apply'; readonly puts: readonly SearchableEntry[]; readonly removed: readonly string[] }
  | { readonly id: number; readonly op: 'search'; readonly text: string; readonly filters: SearchFilters }
  | { readonly id: number; readonly op: 'save' };

export interface SearchResults {
  load: boolean;
  reset: undefined;
  apply: undefined;
  search: SearchHit[];
  save: string;
}

export type SearchResponse = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

type RequestBody = SearchRequest extends infer R ? (R extends SearchRequest ? Omit<R, 'id'> : never) : never;

const OPS: ReadonlySet<string> = new Set(['load', 'reset', 'apply', 'search', 'save']);

function answer(holder: SearchIndexHolder, request: SearchRequest): unknown {
  switch (request.op) {
    case 'load':
      return holder.load(request.json);
    case 'reset':
      return holder.reset();
    case 'apply':
      return holder.apply(request.puts, request.removed);
    case 'search':
      return holder.search(request.text, request.filters);
    case 'save':
      return holder.save();
  }
}

/** The worker's side: holds an index and answers every request on `port`, in order. */
export function serveSearch(port: SearchPortLike): void {
  const holder = new SearchIndexHolder();
  port.addEventListener('message', ({ data }) => {
    const request = data as SearchRequest;
    if (typeof request?.id !== 'number') return;
    let response: SearchResponse;
    try {
      response = OPS.has(request.op) ? { id: request.id, ok: true, result: answer(holder, request) } : { id: request.id, ok: false, error: `unknown request ${String(request.op)}` };
    } catch (error) {
      response = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(response);
  });
  port.start?.();
}

/** The client's side: a backend whose index lives behind `port`. */
export function portSearchBackend(port: SearchPortLike): SearchBackend {
  let nextId = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  port.addEventListener('message', ({ data }) => {
    const response = data as SearchResponse;
    const call = waiting.get(response?.id);
    if (!call) return;
    waiting.delete(response.id);
    if (response.ok) call.resolve(response.result);
    else call.reject(new Error(`search worker: ${response.error}`));
  });
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  // A worker that cannot start (or dies) answers nothing: every call waiting, and every later one, fails instead.
  port.addEventListener('error', () => failAll(new Error('search worker failed')));
  port.start?.();
  const call = <K extends keyof SearchResults>(body: RequestBody & { op: K }): Promise<SearchResults[K]> => {
    if (failure) return Promise.reject(failure);
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      port.postMessage({ ...body, id });
    });
  };
  return {
    load: (json) => call({ op: 'load', json }),
    reset: () => call({ op: 'reset' }),
    apply: (puts, removed) => call({ op: 'apply', puts, removed }),
    search: (text, filters) => call({ op: 'search', text, filters }),
    save: () => call({ op: 'save' }),
    close: () => {
      failAll(new Error('search worker closed'));
      port.terminate?.();
      port.close?.();
    },
  };
}
