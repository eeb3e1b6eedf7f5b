import { BOOTSTRAP_COMPLETE_HEADER, BOOTSTRAP_CONTENT_TYPE, bootstrapPullPages, indexBootstrap, type BootstrapIndex } from './bootstrap';
import { networkStatusResponseSchema, PULL_CONTENT_TYPE, pushResponseSchema, type NetworkStatusResponse, type PushRequest, type PushResponse } from './protocol';
import type { LiveHandlers, LiveMessage, LiveSocket, SyncTransport, TransportFailure, TransportResult } from './transport';

/*
 * The sync transport over HTTP and a WebSocket, for browsers and Node alike: `fetch` and the
 * WebSocket constructor are passed in and typed by the little this file uses, so shared/ needs
 * neither the DOM lib nor Node's types. Browsers' and Node's fetch both decompress the pull stream.
 */

export interface FetchInit {
  /** PUT: the administration endpoints (docs/PROTOCOL.md, Administration); HEAD and PATCH: blob uploads (tus). */
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array<ArrayBuffer>;
}

export interface ByteStreamReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

export interface FetchResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: { getReader(): ByteStreamReader } | null;
  text(): Promise<string>;
}

export type FetchPort = (url: string, init: FetchInit) => Promise<FetchResponse>;

/*
 * Handler properties are declared through a method so their parameter is checked bivariantly:
 * `ws` and the browser pass richer event objects than the fields read here.
 */
type Handler<E> = { bivariance(event: E): void }['bivariance'];

export interface WebSocketLike {
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketPort = new (url: string) => WebSocketLike;

export interface HttpTransportOptions {
  /** The hub's origin, e.g. `https://hub.example.org` (a path prefix is kept). */
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch: FetchPort;
  readonly WebSocket: WebSocketPort;
  /** Gzips a push body (e.g. through CompressionStream); without it pushes go uncompressed. */
  readonly gzip?: (text: string) => Promise<Uint8Array<ArrayBuffer>>;
  /** Bodies below this size are sent as they are: compressing them costs more than it saves. */
  readonly gzipMinBytes?: number;
}

export const networkFailure = (message: string): TransportResult<never> => ({ ok: false, failure: { kind: 'network', message } });

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Seconds or an HTTP date, as `Retry-After` allows; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A non-200 answer, with the code and record named in the hub's JSON error body where it sent one. */
export async function httpFailure(response: FetchResponse): Promise<TransportResult<never>> {
  let code: string | null = null;
  let message = `HTTP ${response.status}`;
  let recordId: string | undefined;
  try {
    const body = JSON.parse(await response.text()) as unknown;
    const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    if (typeof error === 'object' && error !== null) {
      const fields = error as { code?: unknown; message?: unknown; recordId?: unknown };
      if (typeof fields.code === 'string') code = fields.code;
      if (typeof fields.message === 'string') message = fields.message;
      if (typeof fields.recordId === 'string') recordId = fields.recordId;
    }
  } catch {
    // Not the hub's JSON (a proxy's error page): the status alone has to do.
  }
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  const failure: TransportFailure = {
    kind: 'http',
    status: response.status,
    code,
    message,
    ...(recordId !== undefined ? { recordId } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  return { ok: false, failure };
}

async function* readChunks(reader: ByteStreamReader): AsyncGenerator<Uint8Array> {
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value && value.length > 0) yield value;
    }
  } finally {
    // Runs when the reader stops early too: cancelling releases the connection.
    await reader.cancel().catch(() => undefined);
  }
}

function parseLiveMessage(data: unknown): LiveMessage | null {
  if (typeof data !== 'string') return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null) return null;
  const { type, seq, error } = message as { type?: unknown; seq?: unknown; error?: unknown };
  if ((type === 'ready' || type === 'seq') && typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) return { type, seq };
  if (type === 'error') {
    const fields = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
    return { type, code: typeof fields.code === 'string' ? fields.code : null, message: typeof fields.message === 'string' ? fields.message : 'refused' };
  }
  return null;
}

export function createHttpTransport(options: HttpTransportOptions): SyncTransport {
  const match = /^(https?)(:\/\/.+?)\/*$/i.exec(options.baseUrl.trim());
  if (!match) throw new TypeError('the hub address must start with http:// or https://');
  const base = `${match[1]!.toLowerCase()}${match[2]!}`;
  const liveUrl = `${match[1]!.toLowerCase() === 'https' ? 'wss' : 'ws'}${match[2]!}/v1/live`;
  const authorization = `Bearer ${options.token}`;
  const gzipMinBytes = options.gzipMinBytes ?? 1024;

  /** GET /v1/pull; a 200 with a body, or the failure. */
  const startPull = async (since: number, isBootstrapWanted: boolean): Promise<TransportResult<FetchResponse>> => {
    let response: FetchResponse;
    try {
      response = await options.fetch(`${base}/v1/pull?since=${since}`, {
        method: 'GET',
        headers: { authorization, accept: isBootstrapWanted ? `${BOOTSTRAP_CONTENT_TYPE}, ${PULL_CONTENT_TYPE}` : PULL_CONTENT_TYPE, 'accept-encoding': 'br, gzip' },
      });
    } catch (error) {
      return networkFailure(describe(error));
    }
    if (response.status !== 200) return httpFailure(response);
    if (!response.body) return networkFailure('a pull answer without a body');
    return { ok: true, value: response };
  };

  /**
   * A bootstrap's body, read whole (an empty chunk per chunk received, so the engine sees it
   * progress), then handed on as the pull pages it stands for, each rebuilt as the engine asks for
   * it; when it is not complete, the pull from its checkpoint follows in the same stream. One whose
   * structure does not decode is set aside for the plain pull from 0, and one with a record that
   * does not decode for the plain pull from the last page handed on, so a hub serving a bad one
   * cannot keep a device from syncing.
   */
  async function* readBootstrap(reader: ByteStreamReader, isComplete: boolean): AsyncGenerator<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of readChunks(reader)) {
      chunks.push(chunk);
      length += chunk.length;
      yield new Uint8Array(0);
    }
    const body = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.length;
    }
    chunks.length = 0;
    let index: BootstrapIndex | null = null;
    try {
      index = indexBootstrap(body);
    } catch {
      index = null;
    }
    let from = 0;
    if (index) {
      try {
        for (const page of bootstrapPullPages(index, isComplete)) {
          yield page.frame;
          from = page.checkpoint;
        }
        if (isComplete) return;
      } catch {
        // A record that does not decode: what came before it is applied; the hub sends the rest.
      }
    }
    const rest = await startPull(from, false);
    if (!rest.ok) throw new Error(`the pull after the bootstrap failed: ${rest.failure.kind === 'http' ? `HTTP ${rest.failure.status}` : rest.failure.message}`);
    const restType = (rest.value.headers.get('content-type') ?? '').toLowerCase();
    if (!restType.startsWith(PULL_CONTENT_TYPE)) {
      await rest.value.body?.getReader().cancel().catch(() => undefined);
      throw new Error(`unexpected pull response (${restType || 'no content type'})`);
    }
    yield* readChunks(rest.value.body!.getReader());
  }

  return {
    async push(request: PushRequest): Promise<TransportResult<PushResponse>> {
      const json = JSON.stringify(request);
      const headers: Record<string, string> = { authorization, 'content-type': 'application/json' };
      let body: string | Uint8Array<ArrayBuffer> = json;
      if (options.gzip && json.length >= gzipMinBytes) {
        body = await options.gzip(json);
        headers['content-encoding'] = 'gzip';
      }
      let response: FetchResponse;
      try {
        response = await options.fetch(`${base}/v1/push`, { method: 'POST', headers, body });
      } catch (error) {
        return networkFailure(describe(error));
      }
      if (response.status !== 200) return httpFailure(response);
      try {
        return { ok: true, value: pushResponseSchema.parse(JSON.parse(await response.text())) };
      } catch (error) {
        // A 200 that is not the hub's answer (a captive portal's page) or a body cut short: the
        // hub may or may not have committed, which a retry handles either way.
        return networkFailure(`unexpected push response: ${describe(error)}`);
      }
    },

    async pull(since: number): Promise<TransportResult<AsyncIterable<Uint8Array>>> {
      // A new device (checkpoint 0) also takes a bootstrap (docs/PROTOCOL.md, Bootstrap); a hub
      // without one, or one that has none ready, answers the pull stream as ever.
      const isBootstrapWanted = since === 0;
      const started = await startPull(since, isBootstrapWanted);
      if (!started.ok) return started;
      const response = started.value;
      const type = (response.headers.get('content-type') ?? '').toLowerCase();
      if (isBootstrapWanted && type.startsWith(BOOTSTRAP_CONTENT_TYPE)) {
        return { ok: true, value: readBootstrap(response.body!.getReader(), response.headers.get(BOOTSTRAP_COMPLETE_HEADER) === '1') };
      }
      if (!type.startsWith(PULL_CONTENT_TYPE)) {
        await response.body?.getReader().cancel().catch(() => undefined);
        return networkFailure(`unexpected pull response (${type || 'no content type'})`);
      }
      return { ok: true, value: readChunks(response.body!.getReader()) };
    },

    async networkStatus(): Promise<TransportResult<NetworkStatusResponse>> {
      let response: FetchResponse;
      try {
        response = await options.fetch(`${base}/v1/network-status`, { method: 'GET', headers: { authorization, accept: 'application/json' } });
      } catch (error) {
        return networkFailure(describe(error));
      }
      if (response.status !== 200) return httpFailure(response);
      try {
        return { ok: true, value: networkStatusResponseSchema.parse(JSON.parse(await response.text())) };
      } catch (error) {
        return networkFailure(`unexpected network status response: ${describe(error)}`);
      }
    },

    async probe(): Promise<TransportResult<{ readonly status: number }>> {
      let response: FetchResponse;
      try {
        // No token: /health answers anyone, and a probe every few seconds should not carry one.
        response = await options.fetch(`${base}/health`, { method: 'GET', headers: { accept: 'application/json' } });
      } catch (error) {
        return networkFailure(describe(error));
      }
      // Any answer means the link works; the body is not needed.
      await response.body?.getReader().cancel().catch(() => undefined);
      return { ok: true, value: { status: response.status } };
    },

    openLive(handlers: LiveHandlers): LiveSocket {
      let isClosed = false;
      const finish = (code: number, reason: string) => {
        if (isClosed) return;
        isClosed = true;
        handlers.onDidClose({ code, reason });
      };
      let socket: WebSocketLike;
      try {
        socket = new options.WebSocket(liveUrl);
      } catch (error) {
        // Reported after the caller has its handle, like any other failed connection.
        void Promise.resolve().then(() => finish(1006, describe(error)));
        return { close: () => undefined };
      }
      socket.onopen = () => {
        socket.send(JSON.stringify({ type: 'hello', token: options.token }));
        handlers.onDidOpen();
      };
      socket.onmessage = (event) => {
        const message = parseLiveMessage(event.data);
        if (message) handlers.onMessage(message);
      };
      socket.onclose = (event) => finish(event.code, event.reason);
      // An error is always followed by a close event, which is where it is reported.
      socket.onerror = () => undefined;
      return {
        close() {
          try {
            socket.close(1000, 'client closing');
          } catch {
            // Already closing.
          }
        },
      };
    },
  };
}
