import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { PassThrough, pipeline, Readable } from 'node:stream';
import { constants as zlib, createBrotliCompress, createGzip } from 'node:zlib';
import fastifyCompress, { type FastifyCompressRouteOptions } from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyWebsocket, { type WebSocket } from '@fastify/websocket';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { BOOTSTRAP_COMPLETE_HEADER, BOOTSTRAP_CONTENT_TYPE } from '../../shared/sync/bootstrap';
import { bundleLimits } from '../../shared/sync/bundle';
import { deviceKeyRequestSchema, encodePullFrame, joinRequestSchema, limits, PULL_CONTENT_TYPE, YJS_SUBPROTOCOL, type PullFrame } from '../../shared/sync/protocol';
import type { AuthenticatedDevice, Hub } from '../hub/hub';
import { HubError } from '../hub/hubError';
import { UnheardCommits } from '../hub/unheardCommits';
import { boundedGunzip } from './boundedGunzip';
import { LiveConnections } from './liveConnections';
import { parseCheckpoint, parseJson, parsePushRequest, parseRequest } from './parseRequest';
import { refusalResponse } from './refusalStatus';
import { registerWebApp } from './webApp';
import { registerAdminRoutes } from './adminRoutes';
import { registerBlobRoutes } from './blobRoutes';

/*
 * The hub on the wire, on Fastify: HTTP for join, push, pull, bundles, network status and health;
 * WebSockets for live announcements and (as an upgrade route) the standard Yjs endpoint. This layer
 * parses and limits what comes in, authenticates and rate-limits, and turns refusal codes into
 * statuses (refusalStatus.ts); the hub's core (server/hub/) takes typed requests and knows no HTTP.
 * Logs are JSON lines with the path but never the query string or headers, so no token can reach
 * a log (Fastify's own logger, which logs URLs, stays off).
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
  /** Only the prefix itself takes upgrades, no path below it (`/v1/live`, not `/v1/live/extra`). */
  readonly isExactPath?: boolean;
  /** Closes the sockets whose credential expired at or before `now` (the hub's clock). */
  readonly closeExpired?: (now: number) => void;
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
  /** How long an inflating upload may send nothing before it is refused 408 `upload-stalled` (default `uploadLimits.idleMs`). */
  readonly uploadIdleMs?: number;
  /** A built web app (renderer/dist) to serve at the hub's own address (webApp.ts). */
  readonly webAppDir?: string;
}

export interface HubServer {
  readonly url: string;
  readonly server: Server;
  readonly live: LiveConnections;
  close(): Promise<void>;
}

/** Request bodies, counted after decompression (a small gzip bomb stops at the limit). */
const bodyLimits = { join: 16 * 1024, deviceKey: 16 * 1024, push: limits.maxBodyBytes, bundle: bundleLimits.maxBundleBytes } as const;

/**
 * Uploads that cost the hub inflating, and how many may be inflated at once (all credentials
 * together; beyond, 503 `hub-busy` with Retry-After). A gzip body of any route inflates to at
 * most its body limit (8 MiB for a push: a few ms); a bundle (64 MiB, gzip or not) inflates its
 * records to at most 256 MiB, about 0.7 s of one core, on the thread pool. Each credential may
 * upload `bundlesPerMinute` bundles: 6 a minute is at most ~0.1 core per credential, and never
 * more than `bundles` cores in all.
 */
export const uploadLimits = {
  concurrentGzipBodies: 16,
  concurrentBundles: 2,
  // Per credential (or per address, for /v1/join): beyond, 429 `rate-limited`.
  concurrentGzipBodiesPerCredential: 4,
  concurrentBundlesPerCredential: 1,
  bundlesPerMinute: 6,
  // An upload that sends nothing for this long gives its place back (408 `upload-stalled`).
  idleMs: 10_000,
  busyRetryAfterSeconds: 5,
} as const;

/**
 * Counts uploads being inflated, in all and per credential: one credential trickling its bodies
 * may hold only its own share, never every place (`tryTake` says which limit refused).
 */
class InflationSlots {
  private taken = 0;
  private readonly takenBy = new Map<string, number>();
  constructor(
    private readonly size: number,
    private readonly perCredential: number,
  ) {}
  tryTake(holder: string): 'taken' | 'credential-full' | 'hub-full' {
    const mine = this.takenBy.get(holder) ?? 0;
    if (mine >= this.perCredential) return 'credential-full';
    if (this.taken >= this.size) return 'hub-full';
    this.taken += 1;
    this.takenBy.set(holder, mine + 1);
    return 'taken';
  }
  give(holder: string): void {
    this.taken -= 1;
    const mine = (this.takenBy.get(holder) ?? 1) - 1;
    if (mine > 0) this.takenBy.set(holder, mine);
    else this.takenBy.delete(holder);
  }
}

/** JSON answers that grow with the network; quality 5: most of brotli's gain at a fraction of its top setting's time on a 2-core hub. */
const compressJson: FastifyCompressRouteOptions['compress'] = {
  encodings: ['br', 'gzip'],
  threshold: 0,
  brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } },
  zlibOptions: { level: 6 },
};

// The renderer runs from app:// (desktop) or another origin (browser build). Credentials are
// bearer tokens, never cookies, so any origin may call: a page without a token gets nothing.
const cors = {
  origin: '*',
  methods: 'GET, POST, PUT, PATCH, HEAD, DELETE',
  // The tus headers of blob uploads, and Range for resumed downloads (blobRoutes.ts).
  allowedHeaders: 'authorization, content-type, content-encoding, fieldwise-app-version, tus-resumable, upload-length, upload-metadata, upload-offset, range',
  exposedHeaders: 'retry-after, fieldwise-bootstrap-complete, location, tus-resumable, tus-version, upload-offset, upload-length, content-range, accept-ranges',
  maxAge: 86_400,
  // Any OPTIONS gets the preflight answer, with or without Origin, as before Fastify.
  strictPreflight: false,
} as const;
const corsHeaders = { 'access-control-allow-origin': cors.origin, 'access-control-expose-headers': cors.exposedHeaders };

/** The request's path without its query (which may carry a `/yjs` token): all a log ever gets. */
const pathOf = (request: FastifyRequest): string => request.url.split('?', 1)[0] ?? '/';

const notFound = (request: FastifyRequest) => new HubError('not-found', `no ${request.method} ${pathOf(request)}`);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

/** Whether the client's Accept names the bootstrap's media type (docs/PROTOCOL.md, Bootstrap). */
function acceptsBootstrap(request: FastifyRequest): boolean {
  const accepted = (request.headers.accept ?? '').toLowerCase();
  return accepted.split(',').some((part) => part.split(';', 1)[0]!.trim() === BOOTSTRAP_CONTENT_TYPE);
}

/** The pull's encoding, negotiated as the hub always has: br when the client names it, else gzip. */
function pickEncoding(request: FastifyRequest): 'br' | 'gzip' | 'identity' {
  const accepted = (request.headers['accept-encoding'] ?? '').toLowerCase();
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return 'identity';
}

/**
 * The pull stream, compressed here rather than by @fastify/compress: that plugin passes through
 * uncompressed (yet labelled) any body whose first bytes look like a zlib or gzip header, which a
 * binary pull frame can (a first frame of 120 bytes starts 0x78 0x01). Every frame is flushed, so a
 * client applies each page as it arrives instead of when the compressor's buffer fills.
 */
function compressedFrames(frames: Readable, encoding: 'br' | 'gzip'): NodeJS.ReadableStream {
  const compressor =
    encoding === 'br'
      ? createBrotliCompress({ flush: zlib.BROTLI_OPERATION_FLUSH, params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_LGWIN]: 22 } })
      : createGzip({ level: 6, flush: zlib.Z_SYNC_FLUSH });
  pipeline(frames, compressor, () => undefined);
  return compressor;
}

async function* encodedFrames(first: IteratorResult<PullFrame>, frames: AsyncGenerator<PullFrame>): AsyncGenerator<Uint8Array> {
  for (let step = first; !step.done; step = await frames.next()) yield encodePullFrame(step.value);
}

/** Fastify's own refusals of a request, as the protocol's. */
function edgeRefusal(error: unknown, request: FastifyRequest): HubError | null {
  if (error instanceof HubError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HubError('body-too-large', `the body may be at most ${request.routeOptions.bodyLimit} bytes`);
  // @fastify/compress marks a body that does not decompress with this code.
  if (code === 'FST_CP_ERR_INVALID_CONTENT') return new HubError('bad-request', 'the body could not be read (bad gzip?)');
  if (typeof code === 'string' && code.startsWith('FST_ERR_CTP_')) return new HubError('bad-request', 'the body could not be read');
  // The client went away mid-body (a field link dropping, or someone flooding the log): its
  // request, not a fault of the hub's, so no error line, and nobody is left to read the answer.
  // (A request whose body was read whole is destroyed too, once read: that is no client leaving.)
  if (code === 'ECONNRESET' || (request.raw.destroyed && !request.raw.complete)) return new HubError('bad-request', 'the request ended before its body did');
  return null;
}

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const { hub } = options;
  const log = options.logger ?? jsonLogger;
  const live = new LiveConnections(hub);
  // Commits another process made on this storage (the command line beside a serving hub).
  const unheard = await UnheardCommits.start(hub, hub.storage);
  const upgradeRoutes: UpgradeRoute[] = [
    { prefix: '/v1/live', isExactPath: true, accept: (socket) => live.accept(socket), closeRevoked: (ids) => live.closeRevoked(ids), closeExpired: (now) => live.closeExpired(now) },
    ...(options.upgradeRoutes ?? []),
  ];
  /** The device behind each authenticated request (set by `authenticate`, read by handlers and the rate limit). */
  const devices = new WeakMap<FastifyRequest, AuthenticatedDevice>();
  const webSocketUrls = new Set<string>();

  const app = Fastify<Server>({
    logger: false,
    serverFactory: (handler) => {
      const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
      // Fastify's own default (it sets it only on servers it makes): longer than the usual 60 s of
      // a proxy, and a field client keeps its one connection (and TLS session) from push to pull.
      server.keepAliveTimeout = 72_000;
      return server;
    },
    // Upgraded sockets and kept-alive connections would hold close() open.
    forceCloseConnections: true,
    // HEAD is no documented method: it gets 404 like any other.
    exposeHeadRoutes: false,
    bodyLimit: bodyLimits.join,
    // A path that does not even decode (`/%`) is an unknown path like any other. Fastify answers
    // these before routing, so before the CORS hook too.
    frameworkErrors: (_error, request: FastifyRequest, reply: FastifyReply) => {
      const { status, headers, body } = refusalResponse(notFound(request));
      log({ method: request.method, path: pathOf(request), status });
      void reply.code(status).headers({ ...headers, ...corsHeaders }).send(body);
    },
  });

  // Every request body is read as bytes whatever its Content-Type says (the protocol names none);
  // each route parses its own once: JSON and the protocol's schema, or a bundle's bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  await app.register(fastifyCors, cors);
  await app.register(fastifyCompress, { global: false });
  // Per credential, in fixed one-minute windows, in memory per hub process: a limit against
  // runaway clients, not an accounting system. Only authenticated requests count.
  await app.register(fastifyRateLimit, {
    max: options.requestsPerMinute ?? limits.requestsPerMinute,
    timeWindow: 60_000,
    cache: 10_000,
    allowList: (request) => !devices.has(request),
    keyGenerator: (request) => devices.get(request)?.credentialId ?? '',
    // Retry-After comes from the refusal table, like every other refusal header.
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': false },
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.ceil(context.ttl / 1000);
      return new HubError('rate-limited', `too many requests; retry in ${seconds} s`, undefined, seconds);
    },
  });
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: limits.maxUpdateBytes + 1024,
      // A `/yjs` client that carries its token as a subprotocol offers `fieldwise` beside it: the
      // hub selects that one, so the token is never echoed in the answer's headers.
      handleProtocols: (protocols) => (protocols.has(YJS_SUBPROTOCOL) ? YJS_SUBPROTOCOL : false),
    },
    errorHandler: (_error, socket) => socket.terminate(),
    preClose(done) {
      for (const client of app.websocketServer.clients) client.terminate();
      app.websocketServer.close(() => done());
    },
  });

  app.addHook('onRequest', async (request) => {
    // Content codings are case-insensitive; the decompression plugin compares them exactly.
    const encoding = request.headers['content-encoding'];
    if (typeof encoding === 'string') request.headers['content-encoding'] = encoding.toLowerCase();
    // An upgrade to a path that takes none is an unknown path, as it was before Fastify.
    if (request.ws && !webSocketUrls.has(request.routeOptions.url ?? '')) throw notFound(request);
  });
  // Request bodies may come gzip-compressed (inflated within the route's body limit, as they
  // arrive); anything but gzip and identity is refused. Uploads that inflate take a place first.
  const idleMs = options.uploadIdleMs ?? uploadLimits.idleMs;
  const gzipSlots = new InflationSlots(uploadLimits.concurrentGzipBodies, uploadLimits.concurrentGzipBodiesPerCredential);
  const bundleSlots = new InflationSlots(uploadLimits.concurrentBundles, uploadLimits.concurrentBundlesPerCredential);
  app.addHook('preParsing', async (request, reply, payload) => {
    if (request.method !== 'POST') return payload;
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity' && encoding !== 'gzip') throw new HubError('bad-request', `unsupported content encoding ${encoding}`);
    const slots = pathOf(request) === '/v1/bundles' ? bundleSlots : encoding === 'gzip' ? gzipSlots : null;
    if (slots) {
      const holder = devices.get(request)?.credentialId ?? `address:${request.ip}`;
      const taken = slots.tryTake(holder);
      const seconds = uploadLimits.busyRetryAfterSeconds;
      if (taken === 'credential-full') throw new HubError('rate-limited', `this credential is already uploading as many bodies as it may at once; retry in ${seconds} s`, undefined, seconds);
      if (taken === 'hub-full') throw new HubError('hub-busy', `the hub is inflating as many uploads as it takes at once; retry in ${seconds} s`, undefined, seconds);
      let isHeld = true;
      const release = () => {
        if (isHeld) slots.give(holder);
        isHeld = false;
        clearTimeout(idle);
      };
      // A place is held while bytes arrive: a body that stops arriving is refused and gives it back.
      const body: Readable = encoding === 'gzip' ? boundedGunzip(request.raw, request.routeOptions.bodyLimit ?? bodyLimits.join) : request.raw.pipe(new PassThrough());
      const stall = () => {
        release();
        request.raw.unpipe();
        request.raw.resume();
        body.destroy(new HubError('upload-stalled', `the body sent nothing for ${idleMs} ms`));
      };
      const idle = setTimeout(stall, idleMs);
      request.raw.on('data', () => idle.refresh());
      request.raw.once('end', () => clearTimeout(idle));
      reply.raw.once('close', release);
      return body;
    }
    return encoding === 'gzip' ? boundedGunzip(request.raw, request.routeOptions.bodyLimit ?? bodyLimits.join) : payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    log({ method: request.method, path: pathOf(request), status: reply.statusCode, ms: Math.round(reply.elapsedTime) });
  });

  app.setNotFoundHandler(async (request) => {
    throw notFound(request);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const refusal = edgeRefusal(error, request);
    if (refusal) {
      const { status, headers, body } = refusalResponse(refusal);
      return reply.code(status).headers(headers).send(body);
    }
    log({ level: 'error', path: pathOf(request), message: error instanceof Error ? error.message : String(error) });
    // The same error shape as every refusal, with a code of the protocol's list.
    const { status, body } = refusalResponse(new HubError('internal', 'the hub could not complete this request'));
    return reply.code(status).send(body);
  });

  /** Verifies the bearer token before the body is read: a sender without a credential costs no parsing. */
  const authenticate = async (request: FastifyRequest) => {
    devices.set(request, await hub.authenticate(bearer(request), { appVersion: String(request.headers['fieldwise-app-version'] ?? '') || undefined }));
  };
  const deviceOf = (request: FastifyRequest): AuthenticatedDevice => devices.get(request)!;
  const bodyText = (request: FastifyRequest): string | undefined => (Buffer.isBuffer(request.body) ? request.body.toString('utf8') : undefined);

  app.get('/health', async () => ({ ok: true, networkId: hub.networkId, seq: await hub.lastSeq(), liveConnections: live.size }));

  app.post('/v1/join', { bodyLimit: bodyLimits.join }, async (request) => hub.join(parseRequest(joinRequestSchema, parseJson(bodyText(request))), { source: request.ip }));

  app.post('/v1/push', { onRequest: authenticate, bodyLimit: bodyLimits.push }, async (request) =>
    hub.push(deviceOf(request), parsePushRequest(parseJson(bodyText(request)))),
  );

  app.post('/v1/device-key', { onRequest: authenticate, bodyLimit: bodyLimits.deviceKey }, async (request) =>
    hub.registerDeviceKey(deviceOf(request), parseRequest(deviceKeyRequestSchema, parseJson(bodyText(request)))),
  );

  // Any device of this hub may carry a bundle in (the secretariat uploads a stick mailed to it);
  // the records are committed with the authority of the device that signed the bundle.
  app.post('/v1/bundles', { onRequest: authenticate, bodyLimit: bodyLimits.bundle, config: { rateLimit: { max: uploadLimits.bundlesPerMinute, timeWindow: 60_000 } } }, async (request) => {
    const bytes = Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : new Uint8Array(0);
    const result = await hub.importBundle(bytes);
    return { acks: result.acks, seq: result.seq, committed: result.committedCount, header: result.header, blobs: { stored: result.storedBlobs, refused: result.refusedBlobs } };
  });

  app.get('/v1/pull', { onRequest: authenticate }, async (request, reply: FastifyReply) => {
    const query = new URL(request.url, 'http://hub.invalid').searchParams;
    const since = parseCheckpoint(query.get('since'));
    const withProjections = query.get('projections') === '1';
    // The answer also follows Accept (a bootstrap or the stream): a cache must key on both.
    reply.header('vary', 'accept, accept-encoding');
    // A new device that takes a bootstrap gets the one kept for its read scope, compressed once
    // at brotli 11 (server/hub/bootstraps.ts); it then pulls from the bootstrap's checkpoint.
    if (since === 0 && !withProjections && acceptsBootstrap(request) && pickEncoding(request) === 'br') {
      const served = await hub.bootstrap(deviceOf(request));
      if (served) {
        return reply
          .header('content-type', BOOTSTRAP_CONTENT_TYPE)
          .header('content-encoding', 'br')
          .header('cache-control', 'no-store')
          .header(BOOTSTRAP_COMPLETE_HEADER, served.isComplete ? '1' : '0')
          .send(Buffer.from(served.bytes.buffer, served.bytes.byteOffset, served.bytes.length));
      }
    }
    const frames = await hub.pull(deviceOf(request), since, { withProjections });
    // Read the first page before answering, so a failure there still gets a clean error answer.
    const first = await frames.next();
    const encoding = pickEncoding(request);
    const body = Readable.from(encodedFrames(first, frames), { objectMode: false });
    // The body's coding follows Accept-Encoding: a cache between hub and device must key on it.
    reply.header('content-type', PULL_CONTENT_TYPE).header('cache-control', 'no-store');
    if (encoding === 'identity') return reply.send(body);
    return reply.header('content-encoding', encoding).send(compressedFrames(body, encoding));
  });

  app.get('/v1/network-status', { onRequest: authenticate, compress: compressJson }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return hub.networkStatus(deviceOf(request));
  });

  for (const upgrade of upgradeRoutes) {
    for (const url of upgrade.isExactPath ? [upgrade.prefix] : [upgrade.prefix, `${upgrade.prefix}/*`]) {
      webSocketUrls.add(url);
      app.route({
        method: 'GET',
        url,
        // A plain GET on a WebSocket path is an unknown path.
        handler: async (request) => {
          throw notFound(request);
        },
        wsHandler: (socket, request) => {
          log({ method: 'WS', path: pathOf(request), status: 101 });
          upgrade.accept(socket, request.raw, new URL(request.url, 'http://hub.invalid'));
        },
      });
    }
  }

  registerAdminRoutes(app, { hub, authenticate, deviceOf });
  registerBlobRoutes(app, { hub, authenticate, deviceOf, idleMs: options.uploadIdleMs ?? uploadLimits.idleMs });

  if (options.webAppDir) registerWebApp(app, { dir: options.webAppDir, networkId: hub.networkId });

  // Revoked and expired credentials lose their sockets within a few seconds, whichever process
  // revoked them; commits no event told of are announced within about a second.
  let lastCheck = Date.now();
  const revocationTimer = setInterval(() => {
    unheard.check().catch(() => undefined);
    const since = lastCheck - 1_000;
    lastCheck = Date.now();
    // Expired credentials too: a token checked once at connect must not hold a socket past its expiry.
    for (const route of upgradeRoutes) route.closeExpired?.(hub.clock());
    hub.storage
      .revokedSince(since)
      .then((ids) => {
        if (ids.length === 0) return;
        const revoked = new Set(ids);
        for (const route of upgradeRoutes) route.closeRevoked?.(revoked);
      })
      .catch(() => undefined);
  }, options.revocationCheckMs ?? 1_000);

  try {
    await app.listen({ port: options.port ?? 8787, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    clearInterval(revocationTimer);
    unheard.dispose();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    server: app.server,
    live,
    async close() {
      clearInterval(revocationTimer);
      unheard.dispose();
      live.closeAll();
      await app.close();
    },
  };
}
