import type { Server } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { blobContentSchema, blobHashSchema, type BlobContent } from '../../shared/blobs/blobRef';
import { blobMissingRequestSchema, blobProtocolLimits, decodeUploadMetadata, parseByteRange, TUS_CHUNK_CONTENT_TYPE, TUS_VERSION } from '../../shared/sync/blobProtocol';
import type { AuthenticatedDevice, Hub } from '../hub/hub';
import type { BlobUpload } from '../storage/hubBlobStorage';
import { HubError } from '../hub/hubError';
import { parseJson, parseRequest } from './parseRequest';

/*
 * The blob routes (docs/PROTOCOL.md "Blobs"): which blobs to send, tus 1.0 core uploads
 * (creation and termination extensions), and range reads. Every route authenticates like push
 * and pull (the same per-credential rate limit counts them) and refuses with the protocol's codes;
 * who may read and write a blob is server/hub/blobAccess.ts.
 *
 * Cost: a PATCH body is at most 4 MiB and is held in memory whole before it is appended (a chunk
 * is taken whole or not at all: a dropped PATCH keeps nothing of itself, so a device re-sends at
 * most its last chunk, 1 MiB as the app sends). A download is read from storage and sent 1 MiB at
 * a time, so it holds at most that. Each credential may have `perCredential` uploads' chunks and
 * downloads in flight at once (beyond, 429 `rate-limited` with Retry-After), so one credential
 * hammering GETs holds at most 4 MiB of the hub's memory and a share of its disk and link, and the
 * request rate limit (600 a minute) bounds how often it can start again.
 */

const TRANSFERS_PER_CREDENTIAL = 4;
const DOWNLOAD_PIECE_BYTES = 1 << 20;
const BUSY_RETRY_SECONDS = 2;

export interface BlobRouteOptions {
  readonly hub: Hub;
  readonly authenticate: (request: FastifyRequest) => Promise<void>;
  readonly deviceOf: (request: FastifyRequest) => AuthenticatedDevice;
  /** How long a chunk's body may send nothing before it is refused 408 `upload-stalled`. */
  readonly idleMs: number;
}

/** Counts a credential's transfers in flight (chunk bodies and downloads). */
class TransferSlots {
  readonly #taken = new Map<string, number>();
  take(holder: string): () => void {
    const mine = this.#taken.get(holder) ?? 0;
    if (mine >= TRANSFERS_PER_CREDENTIAL) {
      throw new HubError('rate-limited', `this credential already has ${TRANSFERS_PER_CREDENTIAL} blob transfers under way; retry in ${BUSY_RETRY_SECONDS} s`, undefined, BUSY_RETRY_SECONDS);
    }
    this.#taken.set(holder, mine + 1);
    let isHeld = true;
    return () => {
      if (!isHeld) return;
      isHeld = false;
      const left = (this.#taken.get(holder) ?? 1) - 1;
      if (left > 0) this.#taken.set(holder, left);
      else this.#taken.delete(holder);
    };
  }
}

const headerOf = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** A whole number of bytes in a header (decimal digits only). */
function byteCount(request: FastifyRequest, name: string): number {
  const value = headerOf(request, name);
  if (value === undefined || !/^[0-9]{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) throw new HubError('bad-request', `${name}: give a whole number of bytes`);
  return Number(value);
}

function contentOf(request: FastifyRequest): BlobContent {
  const sizeBytes = byteCount(request, 'upload-length');
  const metadata = decodeUploadMetadata(headerOf(request, 'upload-metadata') ?? '');
  if (!metadata) throw new HubError('bad-request', 'upload-metadata: give "sha256 <base64>,mediaType <base64>"');
  return parseRequest(blobContentSchema, { sha256: metadata.get('sha256'), sizeBytes, mediaType: metadata.get('mediaType') });
}

const param = (request: FastifyRequest, name: string): string => (request.params as Record<string, string>)[name] ?? '';

export function registerBlobRoutes(app: FastifyInstance<Server>, options: BlobRouteOptions): void {
  const { hub, authenticate, deviceOf, idleMs } = options;
  const access = hub.blobAccess;
  const transfers = new TransferSlots();

  // tus: every request names the protocol version; a client speaking another gets 412 and the versions we speak.
  const tusRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.header('tus-resumable', TUS_VERSION);
    await authenticate(request);
    if (headerOf(request, 'tus-resumable') !== TUS_VERSION) {
      reply.header('tus-version', TUS_VERSION);
      throw new HubError('tus-unsupported', `this hub speaks tus ${TUS_VERSION}: send Tus-Resumable: ${TUS_VERSION}`);
    }
  };
  const uploadHeaders = (reply: FastifyReply, upload: BlobUpload) =>
    reply.header('upload-offset', String(upload.offset)).header('upload-length', String(upload.sizeBytes)).header('cache-control', 'no-store');

  app.post('/v1/blobs/missing', { onRequest: authenticate, bodyLimit: 128 * 1024 }, async (request, reply) => {
    const text = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : undefined;
    const { sha256s } = parseRequest(blobMissingRequestSchema, parseJson(text), (issue) =>
      issue.path[0] === 'sha256s' && issue.code === 'too_big' ? new HubError('bad-request', `sha256s: ask about at most ${blobProtocolLimits.maxMissingQuery} hashes at a time`) : null,
    );
    reply.header('cache-control', 'no-store');
    return { missing: await access.missing(deviceOf(request), sha256s) };
  });

  app.post('/v1/uploads', { onRequest: tusRequest }, async (request, reply) => {
    const upload = await access.createUpload(deviceOf(request), contentOf(request));
    return uploadHeaders(reply, upload).header('location', `/v1/uploads/${upload.uploadId}`).code(201).send();
  });

  app.route({
    method: 'HEAD',
    url: '/v1/uploads/:id',
    onRequest: tusRequest,
    handler: async (request, reply) => uploadHeaders(reply, await access.uploadOf(deviceOf(request), param(request, 'id'))).code(200).send(),
  });

  // A chunk's body is read into memory whole, so its transfer slot, its upload's owner and an idle
  // timer guard it before its first byte is read: a credential holds at most four chunks at once,
  // and a made-up or another's upload id costs no body (blobChunkBodiesUncounted.test.ts).
  const chunkReleases = new WeakMap<FastifyRequest, () => void>();
  app.patch('/v1/uploads/:id', {
    onRequest: tusRequest,
    bodyLimit: blobProtocolLimits.maxChunkBytes,
    preParsing: async (request, reply, payload) => {
      byteCount(request, 'upload-offset');
      const type = (headerOf(request, 'content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
      if (type !== TUS_CHUNK_CONTENT_TYPE) throw new HubError('bad-request', `content-type: a chunk is sent as ${TUS_CHUNK_CONTENT_TYPE}`);
      await access.uploadOf(deviceOf(request), param(request, 'id'));
      const giveBack = transfers.take(deviceOf(request).credentialId);
      const body = payload.pipe(new PassThrough());
      const stall = () => {
        release();
        payload.unpipe();
        payload.resume();
        body.destroy(new HubError('upload-stalled', `the chunk sent nothing for ${idleMs} ms`));
      };
      const idle = setTimeout(stall, idleMs);
      const release = () => {
        clearTimeout(idle);
        giveBack();
      };
      payload.on('data', () => idle.refresh());
      payload.once('end', () => clearTimeout(idle));
      reply.raw.once('close', release);
      chunkReleases.set(request, release);
      return body;
    },
    handler: async (request, reply) => {
      try {
        const chunk = Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : new Uint8Array(0);
        const upload = await access.append(deviceOf(request), param(request, 'id'), byteCount(request, 'upload-offset'), chunk);
        return reply.header('upload-offset', String(upload.offset)).code(204).send();
      } finally {
        chunkReleases.get(request)?.();
      }
    },
  });

  app.delete('/v1/uploads/:id', { onRequest: tusRequest }, async (request, reply) => {
    await access.abort(deviceOf(request), param(request, 'id'));
    return reply.code(204).send();
  });

  app.get('/v1/blobs/:sha256', { onRequest: authenticate }, async (request, reply) => {
    const sha256 = param(request, 'sha256');
    if (!blobHashSchema.safeParse(sha256).success) throw new HubError('not-found', `no blob ${sha256} this device may read`);
    const blob = await access.readableBlob(deviceOf(request), sha256);
    const range = parseByteRange(headerOf(request, 'range'), blob.sizeBytes);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${blob.sizeBytes}`);
      throw new HubError('out-of-range', `blob ${sha256} has ${blob.sizeBytes} bytes; the range asked for is outside it`);
    }
    const release = transfers.take(deviceOf(request).credentialId);
    reply.raw.once('close', release);
    const start = range?.start ?? 0;
    const end = range ? range.end + 1 : blob.sizeBytes;
    // A blob never changes under its address: a reader may keep it for good, but only for itself.
    reply
      .header('content-type', blob.mediaType)
      .header('accept-ranges', 'bytes')
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', 'attachment')
      .header('etag', `"${sha256}"`);
    if (range) reply.code(206).header('content-range', `bytes ${start}-${end - 1}/${blob.sizeBytes}`);
    reply.header('content-length', String(end - start));
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let at = start; at < end; at += DOWNLOAD_PIECE_BYTES) yield await access.bytes(sha256, { offset: at, length: Math.min(DOWNLOAD_PIECE_BYTES, end - at) });
    }
    return reply.send(Readable.from(pieces(), { objectMode: false }));
  });
}
