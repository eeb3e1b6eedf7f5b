import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, constants as zlib, createBrotliCompress, createGzip, gzipSync, type BrotliCompress, type Gzip } from 'node:zlib';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodePullFrame, limits, PULL_CONTENT_TYPE } from '../../shared/sync/protocol';
import type { AuthenticatedDevice, Hub } from '../hub/hub';
import { HubError } from '../hub/hubError';
import { LiveConnections } from './liveConnections';
import { RateLimiter } from './rateLimiter';
import { readBody, readBodyBytes } from './requestBody';
import { importFieldBundle } from '../hub/bundles';
import { bundleLimits } from '../../shared/sync/bundle';

/*
 * The hub on the wire: HTTP for join, push, pull and health; WebSockets for live announcements
 * and (by an upgrade handler) the standard Yjs endpoint. Logs are JSON lines with the path but
 * never the query string or headers, so no token can reach a log.
 */

export type LogEntry = Record<string, string | number | boolean | null>;
export type Logger = (entry: LogEntry) => void;

export const jsonLogger: Logger = (entry) => process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), ...entry })}\n`);

/** Handles WebSocket upgrades for one path prefix (the standard Yjs endpoint plugs in here). */
export interface UpgradeRoute {
  readonly prefix: string;
  readonly accept: (socket: WebSocket, request: IncomingMessage, url: URL) => void;
  /** Closes the sockets of these revoked credentials. */
  readonly closeRevoked?: (credentialIds: ReadonlySet<string>) => void;
}

export interface HubServerOptions {
  readonly hub: Hub;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: { cert: string | Buffer; key: string | Buffer };
  readonly logger?: Logger;
  readonly upgradeRoutes?: readonly UpgradeRoute[];
  /** How often revoked credentials are looked for, to close their sockets. */
  readonly revocationCheckMs?: number;
  readonly requestsPerMinute?: number;
}

export interface HubServer {
  readonly url: string;
  readonly server: Server;
  readonly live: LiveConnections;
  close(): Promise<void>;
}

function bearer(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function pickEncoding(request: IncomingMessage): 'br' | 'gzip' | 'identity' {
  const accepted = (request.headers['accept-encoding'] ?? '').toLowerCase();
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return 'identity';
}

/** A JSON answer that grows with the network (one row per organization), compressed when the client accepts it. */
function sendCompressedJson(request: IncomingMessage, response: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  const encoding = pickEncoding(request);
  if (encoding === 'identity') return sendJson(response, 200, body, headers);
  const text = JSON.stringify(body);
  const bytes =
    encoding === 'br' ? brotliCompressSync(text, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } }) : gzipSync(text, { level: 6 });
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-encoding': encoding,
    'content-length': bytes.length,
    vary: 'accept-encoding',
    ...headers,
  });
  response.end(bytes);
}

function compressor(encoding: 'br' | 'gzip'): BrotliCompress | Gzip {
  // Quality 5: most of brotli's gain at a fraction of its top setting's time on a 2-core hub.
  return encoding === 'br'
    ? createBrotliCompress({ params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_LGWIN]: 22 } })
    : createGzip({ level: 6 });
}

async function writeAll(target: NodeJS.WritableStream, chunk: Uint8Array): Promise<void> {
  if (!target.write(chunk)) await new Promise((resolve) => target.once('drain', resolve));
}

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const { hub } = options;
  const log = options.logger ?? jsonLogger;
  const limiter = new RateLimiter(options.requestsPerMinute ?? limits.requestsPerMinute);
  const live = new LiveConnections(hub);
  const upgradeRoutes: UpgradeRoute[] = [
    { prefix: '/v1/live', accept: (socket) => live.accept(socket), closeRevoked: (ids) => live.closeRevoked(ids) },
    ...(options.upgradeRoutes ?? []),
  ];
  const sockets = new WebSocketServer({ noServer: true, maxPayload: limits.maxUpdateBytes + 1024 });

  async function authenticated(request: IncomingMessage): Promise<AuthenticatedDevice> {
    const device = await hub.authenticate(bearer(request));
    const retryAfter = limiter.take(device.credentialId);
    if (retryAfter > 0) throw Object.assign(new HubError(429, 'rate-limited', `too many requests; retry in ${retryAfter} s`), { retryAfter });
    return device;
  }

  async function streamPull(request: IncomingMessage, response: ServerResponse, device: AuthenticatedDevice, url: URL): Promise<void> {
    const frames = await hub.pull(device, url.searchParams.get('since'), { withProjections: url.searchParams.get('projections') === '1' });
    // Read the first page before answering, so a bad checkpoint still gets a clean 4xx.
    const first = await frames.next();
    const encoding = pickEncoding(request);
    response.writeHead(200, {
      'content-type': PULL_CONTENT_TYPE,
      'cache-control': 'no-store',
      ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
    });
    const sink = encoding === 'identity' ? null : compressor(encoding);
    if (sink) sink.pipe(response);
    const target = sink ?? response;
    const flush = () => sink?.flush(encoding === 'br' ? zlib.BROTLI_OPERATION_FLUSH : zlib.Z_SYNC_FLUSH);
    for (let step = first; !step.done; step = await frames.next()) {
      await writeAll(target, encodePullFrame(step.value));
      flush();
    }
    target.end();
  }

  async function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const { pathname } = url;
    if (request.method === 'GET' && pathname === '/health') {
      return sendJson(response, 200, { ok: true, networkId: hub.networkId, seq: await hub.lastSeq(), liveConnections: live.size });
    }
    if (request.method === 'POST' && pathname === '/v1/join') {
      return sendJson(response, 200, await hub.join(await readBody(request, 16 * 1024)));
    }
    if (request.method === 'POST' && pathname === '/v1/push') {
      const device = await authenticated(request);
      return sendJson(response, 200, await hub.push(device, await readBody(request, limits.maxBodyBytes)));
    }
    if (request.method === 'POST' && pathname === '/v1/device-key') {
      const device = await authenticated(request);
      return sendJson(response, 200, await hub.registerDeviceKey(device, await readBody(request, 16 * 1024)));
    }
    if (request.method === 'POST' && pathname === '/v1/bundles') {
      // Any device of this hub may carry a bundle in (the secretariat uploads a stick mailed to
      // it); the records are committed with the authority of the device that signed the bundle.
      await authenticated(request);
      const result = await importFieldBundle(hub, new Uint8Array(await readBodyBytes(request, bundleLimits.maxBundleBytes)));
      return sendJson(response, 200, { acks: result.acks, seq: result.seq, committed: result.committedCount, header: result.header });
    }
    if (request.method === 'GET' && pathname === '/v1/pull') {
      const device = await authenticated(request);
      return streamPull(request, response, device, url);
    }
    if (request.method === 'GET' && pathname === '/v1/network-status') {
      const device = await authenticated(request);
      return sendCompressedJson(request, response, await hub.networkStatus(device), { 'cache-control': 'no-store' });
    }
    throw new HubError(404, 'not-found', `no ${request.method} ${pathname}`);
  }

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://hub.invalid');
    // The renderer runs from app:// (desktop) or another origin (browser build). Credentials are
    // bearer tokens, never cookies, so any origin may call: a page without a token gets nothing.
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-expose-headers', 'retry-after');
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type, content-encoding',
        'access-control-max-age': '86400',
      });
      response.end();
      return;
    }
    route(request, response, url)
      .catch((error: unknown) => {
        if (response.headersSent) {
          response.destroy(error instanceof Error ? error : undefined);
          return;
        }
        if (error instanceof HubError) {
          const retryAfter = (error as HubError & { retryAfter?: number }).retryAfter;
          sendJson(response, error.status, error.toBody(), retryAfter ? { 'retry-after': String(retryAfter) } : {});
        } else {
          log({ level: 'error', path: url.pathname, message: error instanceof Error ? error.message : String(error) });
          sendJson(response, 500, { error: { code: 'internal', message: 'the hub could not complete this request' } });
        }
      })
      .finally(() => {
        log({ method: request.method ?? '', path: url.pathname, status: response.statusCode, ms: Math.round(performance.now() - started) });
      });
  };

  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle) : createHttpServer(handle);
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://hub.invalid');
    const upgrade = upgradeRoutes.find((r) => url.pathname === r.prefix || url.pathname.startsWith(`${r.prefix}/`));
    if (!upgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      log({ method: 'WS', path: url.pathname, status: 101 });
      upgrade.accept(ws, request, url);
    });
  });

  // Revoked credentials lose their sockets within a few seconds, whichever process revoked them.
  let lastCheck = Date.now();
  const revocationTimer = setInterval(() => {
    const since = lastCheck - 1_000;
    lastCheck = Date.now();
    hub.storage
      .revokedSince(since)
      .then((ids) => {
        if (ids.length === 0) return;
        const revoked = new Set(ids);
        for (const route of upgradeRoutes) route.closeRevoked?.(revoked);
      })
      .catch(() => undefined);
  }, options.revocationCheckMs ?? 1_000);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    server,
    live,
    async close() {
      clearInterval(revocationTimer);
      live.closeAll();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
