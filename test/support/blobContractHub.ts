import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { BlobError } from '../../shared/blobs/blobError';
import { blobHashSchema, mediaTypeSchema } from '../../shared/blobs/blobRef';
import { MemoryHubBlobStorage } from '../../server/storage/memoryHubBlobStorage';

/*
 * The blob routes of docs/PROTOCOL.md ("Blobs") on loopback, in front of a real hub: requests to
 * /v1/blobs… and /v1/uploads… are answered here on MemoryHubBlobStorage, everything else (push,
 * pull, /v1/live, /health) goes through to the hub untouched, so one base URL serves a client's
 * record sync and its blob sync, and one throttled or cut link carries both. This stands in for
 * the hub's own routes (media-hub, issue 18) until they land; it implements the contract the
 * client is written against, nothing more, and authorizes by callbacks a test sets.
 */

export interface BlobContractHub {
  readonly url: string;
  readonly storage: MemoryHubBlobStorage;
  /** PATCH body bytes received, whole or broken off. */
  readonly receivedChunkBytes: number;
  /** Blob route requests in arrival order: `METHOD path` (uploads by id). */
  readonly log: readonly string[];
  /** Paths of every request, blob routes and forwarded ones, in arrival order, with byte counts. */
  readonly requests: readonly { readonly method: string; readonly path: string; readonly at: number }[];
  close(): Promise<void>;
}

export interface BlobContractHubOptions {
  /** May this request's bearer upload `sha256`? (the hub: a record its org may edit references it). Default yes. */
  readonly mayWrite?: (sha256: string, token: string) => boolean;
  /** May it read `sha256`? Default yes. */
  readonly mayRead?: (sha256: string, token: string) => boolean;
  readonly maxBlobBytes?: number;
}

const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'tus-resumable': '1.0.0' });
  res.end(JSON.stringify({ error: { code, message, ...extra } }));
}

function readBody(req: IncomingMessage, limit: number): Promise<{ bytes: Buffer; isWhole: boolean }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let total = 0;
    let isDone = false;
    const finish = (isWhole: boolean) => {
      if (isDone) return;
      isDone = true;
      resolve({ bytes: Buffer.concat(parts), isWhole });
    };
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total <= limit) parts.push(chunk);
    });
    req.on('end', () => finish(total <= limit));
    req.on('aborted', () => finish(false));
    req.on('close', () => finish(req.complete && total <= limit));
    req.on('error', () => finish(false));
  });
}

function metadata(header: string | undefined): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const item of (header ?? '').split(',')) {
    const [key, value] = item.trim().split(' ');
    if (key) pairs.set(key, value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8'));
  }
  return pairs;
}

export async function startBlobContractHub(hubUrl: string, options: BlobContractHubOptions = {}): Promise<BlobContractHub> {
  const target = new URL(hubUrl);
  const storage = new MemoryHubBlobStorage();
  const maxBlobBytes = options.maxBlobBytes ?? 256 * 1024 * 1024;
  const mayWrite = options.mayWrite ?? (() => true);
  const mayRead = options.mayRead ?? (() => true);
  let receivedChunkBytes = 0;
  const log: string[] = [];
  const requests: { method: string; path: string; at: number }[] = [];
  const sockets = new Set<Socket>();

  async function blobRoute(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return sendError(res, 401, 'unauthorized', 'a bearer token is needed');
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === '/v1/blobs/missing') {
      log.push('POST /v1/blobs/missing');
      const { bytes } = await readBody(req, 1024 * 1024);
      let sha256s: string[];
      try {
        const parsed = JSON.parse(bytes.toString('utf8')) as { sha256s?: unknown };
        if (!Array.isArray(parsed.sha256s) || parsed.sha256s.length > 1000) throw new Error('sha256s');
        sha256s = parsed.sha256s.map((value) => blobHashSchema.parse(value));
      } catch {
        return sendError(res, 400, 'bad-request', 'the body must be {"sha256s": [...]} with at most 1000 hashes');
      }
      const absent = new Set(await storage.missing(sha256s));
      const missing = [...new Set(sha256s)].filter((sha256) => absent.has(sha256) || !mayRead(sha256, token));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ missing }));
      return;
    }
    if (method === 'POST' && path === '/v1/uploads') {
      await readBody(req, 0);
      const length = Number(req.headers['upload-length']);
      const meta = metadata(req.headers['upload-metadata'] as string | undefined);
      const sha256 = blobHashSchema.safeParse(meta.get('sha256'));
      const mediaType = mediaTypeSchema.safeParse(meta.get('mediaType'));
      if (!Number.isSafeInteger(length) || length < 0 || !sha256.success || !mediaType.success) return sendError(res, 400, 'bad-request', 'Upload-Length and Upload-Metadata (sha256, mediaType) are needed');
      log.push(`POST /v1/uploads ${sha256.data}`);
      if (!mayWrite(sha256.data, token)) return sendError(res, 403, 'forbidden', 'no record this organization may edit references this blob');
      if (length > maxBlobBytes) return sendError(res, 413, 'blob-too-large', `a blob may be at most ${maxBlobBytes} bytes`);
      const upload = await storage.createUpload({ sha256: sha256.data, sizeBytes: length, mediaType: mediaType.data });
      res.writeHead(201, { location: `/v1/uploads/${upload.uploadId}`, 'upload-offset': String(upload.offset), 'tus-resumable': '1.0.0' });
      res.end();
      return;
    }
    const upload = /^\/v1\/uploads\/([A-Za-z0-9_-]+)$/.exec(path);
    if (upload && method === 'HEAD') {
      log.push(`HEAD ${path}`);
      const found = await storage.upload(upload[1]!);
      if (!found) {
        res.writeHead(404, { 'tus-resumable': '1.0.0' });
        res.end();
        return;
      }
      res.writeHead(200, { 'upload-offset': String(found.offset), 'upload-length': String(found.sizeBytes), 'cache-control': 'no-store', 'tus-resumable': '1.0.0' });
      res.end();
      return;
    }
    if (upload && method === 'PATCH') {
      log.push(`PATCH ${path} @${req.headers['upload-offset']}`);
      if (req.headers['content-type'] !== 'application/offset+octet-stream') return sendError(res, 415, 'bad-request', 'chunks are application/offset+octet-stream');
      const offset = Number(req.headers['upload-offset']);
      const { bytes, isWhole } = await readBody(req, MAX_CHUNK_BYTES);
      receivedChunkBytes += bytes.length;
      // A chunk broken off is dropped whole: the client re-sends it from the offset HEAD gives.
      if (!isWhole) {
        log.push(`broken off after ${bytes.length}`);
        return;
      }
      try {
        const next = await storage.appendUpload(upload[1]!, offset, bytes);
        res.writeHead(204, { 'upload-offset': String(next.offset), 'tus-resumable': '1.0.0' });
        res.end();
      } catch (error) {
        log.push(`refused ${error instanceof BlobError ? error.code : String(error)}`);
        if (error instanceof BlobError && error.code === 'offset-mismatch') return sendError(res, 409, 'offset-mismatch', error.message, { offset: error.offset });
        if (error instanceof BlobError && error.code === 'unknown-upload') return sendError(res, 404, 'not-found', error.message);
        if (error instanceof BlobError && error.code === 'hash-mismatch') return sendError(res, 422, 'hash-mismatch', error.message);
        if (error instanceof BlobError) return sendError(res, 400, error.code, error.message);
        throw error;
      }
      return;
    }
    const blob = /^\/v1\/blobs\/([0-9a-f]{64})$/.exec(path);
    if (blob && method === 'GET') {
      log.push(`GET ${path} ${req.headers.range ?? ''}`.trim());
      const sha256 = blob[1]!;
      const stat = await storage.stat(sha256);
      if (!stat || !mayRead(sha256, token)) return sendError(res, 404, 'not-found', 'no such blob');
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (!range) {
        const bytes = (await storage.get(sha256))!;
        res.writeHead(200, { 'content-type': stat.mediaType, 'content-length': String(bytes.length), 'accept-ranges': 'bytes' });
        res.end(bytes);
        return;
      }
      const start = Number(range[1]);
      const end = range[2] === '' ? stat.sizeBytes - 1 : Math.min(Number(range[2]), stat.sizeBytes - 1);
      if (start >= stat.sizeBytes || end < start) {
        res.writeHead(416, { 'content-range': `bytes */${stat.sizeBytes}`, 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'out-of-range', message: 'the range is outside the blob' } }));
        return;
      }
      const bytes = (await storage.get(sha256, { offset: start, length: end - start + 1 }))!;
      res.writeHead(206, { 'content-type': stat.mediaType, 'content-length': String(bytes.length), 'content-range': `bytes ${start}-${end}/${stat.sizeBytes}` });
      res.end(bytes);
      return;
    }
    return sendError(res, 404, 'not-found', 'no such route');
  }

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ method: req.method ?? 'GET', path, at: Date.now() });
    if (path.startsWith('/v1/blobs') || path.startsWith('/v1/uploads')) {
      blobRoute(req, res, path).catch((error: unknown) => sendError(res, 500, 'internal', error instanceof Error ? error.message : String(error)));
    } else forward(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // WebSockets (/v1/live, /yjs) go through as bytes once the head is replayed.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    requests.push({ method: 'UPGRADE', path: (req.url ?? '/').split('?')[0]!, at: Date.now() });
    const upstream = connect({ host: target.hostname, port: Number(target.port) }, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    sockets.add(upstream);
    const finish = () => {
      socket.destroy();
      upstream.destroy();
      sockets.delete(upstream);
    };
    upstream.on('error', finish);
    socket.on('error', finish);
    upstream.on('close', finish);
    socket.on('close', finish);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    storage,
    get receivedChunkBytes() {
      return receivedChunkBytes;
    },
    log,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
