/*
 * Requests and answers over a worker's message port: the typed boundary the client uses to hand
 * work that grows with the data (the search index, folding pulled pages) to a worker, so the
 * thread that draws the window stays free (DESIGN.md section 4, issue 17). The shared code knows
 * only this small port shape (a Web Worker, the worker's own global scope, a MessagePort of Node's
 * MessageChannel all fit), so it stays free of the DOM: the platform makes the worker and hands
 * its port in.
 *
 * Both ends are this app's own code in one origin, so requests are not an attack surface; an
 * unknown request is still answered with an error rather than ignored, so no caller waits forever.
 */

export interface WorkerPortLike {
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

/** What a worker answers: each operation takes one argument (plain data) and returns plain data. */
export type Operations = Record<string, (argument: never) => unknown>;

interface Request {
  readonly id: number;
  readonly op: string;
  readonly argument: unknown;
}

type Response = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** The worker's side: answers every request on `port` with `operations`, in order. */
export function servePort(port: WorkerPortLike, operations: Operations): void {
  port.addEventListener('message', ({ data }) => {
    const request = data as Request;
    if (typeof request?.id !== 'number') return;
    const operation = Object.hasOwn(operations, request.op) ? operations[request.op] : undefined;
    const reply = (response: Response) => port.postMessage(response);
    const fail = (error: unknown) => reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    if (!operation) return fail(`unknown request ${String(request.op)}`);
    try {
      const result = operation(request.argument as never);
      if (result instanceof Promise) result.then((value) => reply({ id: request.id, ok: true, result: value }), fail);
      else reply({ id: request.id, ok: true, result });
    } catch (error) {
      fail(error);
    }
  });
  port.start?.();
}

export interface PortCaller<O extends Operations> {
  call<K extends keyof O & string>(op: K, argument: Parameters<O[K]>[0]): Promise<Awaited<ReturnType<O[K]>>>;
  /** Fails every call waiting and every later one, and lets the worker go. */
  close(): void;
  /** The worker failed (it could not load, or threw outside a request): every call fails now. */
  hasFailed(): boolean;
}

/** The caller's side; `label` names the worker in errors ("search worker: …"). */
export function portCaller<O extends Operations>(port: WorkerPortLike, label: string): PortCaller<O> {
  let nextId = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let failure: Error | null = null;
  let hasWorkerFailed = false;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  port.addEventListener('message', ({ data }) => {
    const response = data as Response;
    const call = waiting.get(response?.id);
    if (!call) return;
    waiting.delete(response.id);
    if (response.ok) call.resolve(response.result);
    else call.reject(new Error(`${label}: ${response.error}`));
  });
  // A worker that cannot start (or dies) answers nothing: every call waiting, and every later one, fails instead.
  port.addEventListener('error', () => {
    hasWorkerFailed = true;
    failAll(new Error(`${label} failed`));
  });
  port.start?.();
  return {
    call(op, argument) {
      if (failure) return Promise.reject(failure);
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        port.postMessage({ id, op, argument } satisfies Request);
      });
    },
    hasFailed: () => hasWorkerFailed,
    close() {
      failAll(new Error(`${label} closed`));
      port.terminate?.();
      port.close?.();
    },
  };
}
