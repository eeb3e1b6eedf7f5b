import { createConnection, createServer, type Server, type Socket } from 'node:net';

/*
 * A TCP proxy on 127.0.0.1 that counts every byte in both directions at the socket level: HTTP
 * request and status lines, headers, bodies as sent (compressed), WebSocket handshakes and frames.
 * It also reads the client's side of each connection as HTTP/1.1 to count requests and WebSocket
 * handshakes (round trips) and to say which request the bytes belong to.
 */

export type RequestKind = 'pull' | 'push' | 'live' | 'yjs' | 'join' | 'other';

export interface CountedRequest {
  readonly method: string;
  /** The path without its query string (a `/yjs/` query holds a token). */
  readonly path: string;
  readonly kind: RequestKind;
  readonly isUpgrade: boolean;
  /** The request's headers, names lower-cased, values as sent (a blob test reads Upload-Metadata, Range). */
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes client -> hub and hub -> client while this was the connection's latest request. */
  up: number;
  down: number;
  /** Of `up`, body bytes (a PATCH's chunk, whole or broken off by a cut). */
  bodyUp: number;
}

export interface ProxyCounts {
  /** Bytes client -> hub. */
  readonly up: number;
  /** Bytes hub -> client. */
  readonly down: number;
  /** TCP connections accepted. */
  readonly connections: number;
  /** HTTP requests, WebSocket handshakes included. */
  readonly requests: number;
  readonly handshakes: number;
  /** Bytes by request kind (both directions). */
  readonly byKind: Readonly<Record<RequestKind, { up: number; down: number; requests: number }>>;
}

export interface CountingProxy {
  readonly url: string;
  readonly port: number;
  /** Counts since the proxy started; subtract two snapshots for one interval. */
  snapshot(): ProxyCounts;
  readonly requestLog: readonly CountedRequest[];
  /** Number of connections open now. */
  readonly openConnections: number;
  /** Closes every open connection (the client's pooled keep-alive ones too), keeping the proxy up. */
  dropConnections(): void;
  close(): Promise<void>;
}

export function kindOf(path: string): RequestKind {
  if (path === '/v1/pull') return 'pull';
  if (path === '/v1/push') return 'push';
  if (path === '/v1/live') return 'live';
  if (path === '/v1/join') return 'join';
  if (path.startsWith('/yjs/')) return 'yjs';
  return 'other';
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * Reads the client's half of an HTTP/1.1 connection: request heads, bodies by Content-Length or
 * chunked, and stops at an upgrade (after which the bytes are WebSocket frames).
 */
class RequestReader {
  private buffer: Buffer = Buffer.alloc(0);
  private bodyLeft = 0;
  private isChunked = false;
  private isUpgraded = false;

  constructor(
    private readonly onRequest: (method: string, path: string, isUpgrade: boolean, headers: Record<string, string>) => void,
    private readonly onBody: (bytes: number) => void = () => undefined,
  ) {}

  feed(chunk: Buffer): void {
    if (this.isUpgraded) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, this.buffer.length);
        this.bodyLeft -= take;
        this.onBody(take);
        this.buffer = this.buffer.subarray(take);
        if (this.bodyLeft > 0) return;
        if (this.isChunked) this.bodyLeft = -2; // the CRLF after a chunk
        continue;
      }
      if (this.bodyLeft === -2) {
        if (this.buffer.length < 2) return;
        this.buffer = this.buffer.subarray(2);
        this.bodyLeft = 0;
        continue;
      }
      if (this.isChunked) {
        const end = this.buffer.indexOf(CRLF);
        if (end === -1) return;
        const size = parseInt(this.buffer.subarray(0, end).toString('latin1').split(';')[0]!, 16);
        this.buffer = this.buffer.subarray(end + 2);
        if (size === 0) {
          // Trailers (none from our clients) end with an empty line.
          const trailerEnd = this.buffer.indexOf(CRLF);
          if (trailerEnd === -1) return;
          this.buffer = this.buffer.subarray(trailerEnd + 2);
          this.isChunked = false;
          continue;
        }
        this.bodyLeft = size;
        continue;
      }
      const end = this.buffer.indexOf(HEADER_END);
      if (end === -1) return;
      const head = this.buffer.subarray(0, end).toString('latin1');
      this.buffer = this.buffer.subarray(end + 4);
      const [requestLine = '', ...headerLines] = head.split('\r\n');
      const [method = '?', target = '/'] = requestLine.split(' ');
      const sent = Object.fromEntries(headerLines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
      }));
      const headers = new Map(Object.entries(sent).map(([name, value]) => [name, value.toLowerCase()] as const));
      const isUpgrade = (headers.get('upgrade') ?? '') === 'websocket';
      this.onRequest(method, target.split('?')[0]!, isUpgrade, sent);
      if (isUpgrade) {
        this.isUpgraded = true;
        this.buffer = Buffer.alloc(0);
        return;
      }
      if ((headers.get('transfer-encoding') ?? '').includes('chunked')) this.isChunked = true;
      else this.bodyLeft = Number(headers.get('content-length') ?? 0);
    }
  }
}

function emptyByKind(): Record<RequestKind, { up: number; down: number; requests: number }> {
  return {
    pull: { up: 0, down: 0, requests: 0 },
    push: { up: 0, down: 0, requests: 0 },
    live: { up: 0, down: 0, requests: 0 },
    yjs: { up: 0, down: 0, requests: 0 },
    join: { up: 0, down: 0, requests: 0 },
    other: { up: 0, down: 0, requests: 0 },
  };
}

export function diffCounts(after: ProxyCounts, before: ProxyCounts): ProxyCounts {
  const byKind = emptyByKind();
  for (const kind of Object.keys(byKind) as RequestKind[]) {
    byKind[kind] = {
      up: after.byKind[kind].up - before.byKind[kind].up,
      down: after.byKind[kind].down - before.byKind[kind].down,
      requests: after.byKind[kind].requests - before.byKind[kind].requests,
    };
  }
  return {
    up: after.up - before.up,
    down: after.down - before.down,
    connections: after.connections - before.connections,
    requests: after.requests - before.requests,
    handshakes: after.handshakes - before.handshakes,
    byKind,
  };
}

/** Starts a counting proxy in front of `target` (an `http://host:port` origin). */
export async function startCountingProxy(target: string, options: { keepRequestLog?: boolean } = {}): Promise<CountingProxy> {
  const { hostname, port: targetPort } = new URL(target);
  let up = 0;
  let down = 0;
  let connections = 0;
  let requests = 0;
  let handshakes = 0;
  const byKind = emptyByKind();
  const requestLog: CountedRequest[] = [];
  const open = new Set<Socket>();

  const server: Server = createServer((client) => {
    connections += 1;
    const upstream = createConnection({ host: hostname, port: Number(targetPort) });
    open.add(client);
    open.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let current: CountedRequest | null = null;
    const reader = new RequestReader((method, path, isUpgrade, headers) => {
      requests += 1;
      if (isUpgrade) handshakes += 1;
      current = { method, path, kind: kindOf(path), isUpgrade, headers: options.keepRequestLog ? headers : {}, up: 0, down: 0, bodyUp: 0 };
      byKind[current.kind].requests += 1;
      if (options.keepRequestLog) requestLog.push(current);
    }, (bytes) => {
      if (current) current.bodyUp += bytes;
    });
    client.on('data', (chunk: Buffer) => {
      up += chunk.length;
      // The head is read before its bytes are attributed, so they go to the request they start.
      reader.feed(chunk);
      if (current) {
        current.up += chunk.length;
        byKind[current.kind].up += chunk.length;
      } else byKind.other.up += chunk.length;
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk: Buffer) => {
      down += chunk.length;
      if (current) {
        current.down += chunk.length;
        byKind[current.kind].down += chunk.length;
      } else byKind.other.down += chunk.length;
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const finish = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', finish);
    upstream.on('close', finish);
    client.on('error', finish);
    upstream.on('error', finish);
  });
  server.maxConnections = 100_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requestLog,
    get openConnections() {
      return open.size / 2;
    },
    dropConnections() {
      for (const socket of open) socket.destroy();
      open.clear();
    },
    snapshot: () => ({
      up,
      down,
      connections,
      requests,
      handshakes,
      byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, { ...v }])) as ProxyCounts['byKind'],
    }),
    async close() {
      for (const socket of open) socket.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
