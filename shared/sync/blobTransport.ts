import { toBase64 } from 'lib0/buffer';
import { encodeUtf8 } from 'lib0/string';
import { z } from 'zod';
import { blobHashSchema, type BlobContent } from '../blobs/blobRef';
import { describe, httpFailure, networkFailure, type FetchPort, type FetchResponse } from './httpTransport';
import type { TransportResult } from './transport';

/*
 * The blob routes of the hub (docs/PROTOCOL.md, "Blobs"), as the blob sync uses them: one batched
 * question (which of these hashes does the hub lack), uploads in the tus 1.0 core protocol
 * (create, HEAD for the offset, PATCH a chunk at that offset), and downloads by byte range. Like
 * httpTransport.ts, the network is injected and nothing here touches a global.
 */

export const TUS_VERSION = '1.0.0';
export const TUS_CHUNK_TYPE = 'application/offset+octet-stream';
/** The most hashes one `missing` question may carry. */
export const MAX_MISSING_QUESTION = 1000;

export interface UploadPlace {
  /** The upload's id, from the hub's `Location: /v1/uploads/<id>`. */
  readonly uploadId: string;
  /** Bytes the hub holds; equal to the size when it holds the whole blob (nothing to send). */
  readonly offset: number;
}

/** What a PATCH came to: the new offset, or the hub stands elsewhere (409) and says where. */
export type ChunkOutcome = { readonly kind: 'appended'; readonly offset: number } | { readonly kind: 'offset-mismatch'; readonly offset: number };

export interface BlobRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export interface DownloadedRange {
  readonly bytes: Uint8Array;
  /** The blob's whole length, from `Content-Range` (or the body's length on a 200). */
  readonly totalBytes: number;
}

export interface BlobTransport {
  /** Of `sha256s` (at most MAX_MISSING_QUESTION), those the hub lacks or will not let this device read. */
  missing(sha256s: readonly string[]): Promise<TransportResult<string[]>>;
  /** POST /v1/uploads: begins (or finds) the upload of `content`. */
  createUpload(content: BlobContent): Promise<TransportResult<UploadPlace>>;
  /** HEAD /v1/uploads/<id>: the offset; null when the hub no longer knows the upload (404). */
  uploadOffset(uploadId: string): Promise<TransportResult<number | null>>;
  /** PATCH /v1/uploads/<id>: `chunk` at `offset`. A 404 is a failure with code `unknown-upload`. */
  appendChunk(uploadId: string, offset: number, chunk: Uint8Array): Promise<TransportResult<ChunkOutcome>>;
  /** GET /v1/blobs/<sha256> with a Range; null when absent or not readable (404). */
  download(sha256: string, range: BlobRange): Promise<TransportResult<DownloadedRange | null>>;
}

export interface HttpBlobTransportOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch: FetchPort;
}

const missingResponseSchema = z.object({ missing: z.array(blobHashSchema) });
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** tus' Upload-Metadata: comma-separated `key base64(value)` pairs. */
function uploadMetadata(content: BlobContent): string {
  return `sha256 ${toBase64(encodeUtf8(content.sha256))},mediaType ${toBase64(encodeUtf8(content.mediaType))}`;
}

function headerNumber(response: FetchResponse, name: string): number | null {
  const value = response.headers.get(name);
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  const number = Number(value.trim());
  return Number.isSafeInteger(number) ? number : null;
}

/**
 * The upload id out of a `Location`, relative or absolute. The id is taken and the URL rebuilt on
 * the hub's own base: a Location naming another host never receives this device's token.
 */
export function uploadIdOfLocation(location: string | null): string | null {
  if (location === null) return null;
  const match = /\/v1\/uploads\/([^/?#]+)\/?$/.exec(location.trim());
  return match && UPLOAD_ID.test(match[1]!) ? match[1]! : null;
}

async function drain(response: FetchResponse): Promise<void> {
  await response.body?.getReader().cancel().catch(() => undefined);
}

async function readBody(response: FetchResponse): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value && value.length > 0) {
      parts.push(value);
      total += value.length;
    }
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

export function createHttpBlobTransport(options: HttpBlobTransportOptions): BlobTransport {
  const match = /^(https?)(:\/\/.+?)\/*$/i.exec(options.baseUrl.trim());
  if (!match) throw new TypeError('the hub address must start with http:// or https://');
  const base = `${match[1]!.toLowerCase()}${match[2]!}`;
  const authorization = `Bearer ${options.token}`;

  async function request(path: string, init: Parameters<FetchPort>[1]): Promise<TransportResult<FetchResponse>> {
    try {
      return { ok: true, value: await options.fetch(`${base}${path}`, init) };
    } catch (error) {
      return networkFailure(describe(error));
    }
  }

  return {
    async missing(sha256s) {
      if (sha256s.length > MAX_MISSING_QUESTION) throw new RangeError(`at most ${MAX_MISSING_QUESTION} hashes per question`);
      const sent = await request('/v1/blobs/missing', {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ sha256s }),
      });
      if (!sent.ok) return sent;
      const response = sent.value;
      if (response.status !== 200) return httpFailure(response);
      try {
        const asked = new Set(sha256s);
        // Only hashes that were asked about: a hub (or a proxy) cannot make this device fetch others.
        return { ok: true, value: missingResponseSchema.parse(JSON.parse(await response.text())).missing.filter((sha256) => asked.has(sha256)) };
      } catch (error) {
        return networkFailure(`unexpected missing-blobs response: ${describe(error)}`);
      }
    },

    async createUpload(content) {
      const sent = await request('/v1/uploads', {
        method: 'POST',
        headers: { authorization, 'tus-resumable': TUS_VERSION, 'upload-length': String(content.sizeBytes), 'upload-metadata': uploadMetadata(content) },
      });
      if (!sent.ok) return sent;
      const response = sent.value;
      if (response.status !== 201) return httpFailure(response);
      await drain(response);
      const uploadId = uploadIdOfLocation(response.headers.get('location'));
      const offset = headerNumber(response, 'upload-offset') ?? 0;
      if (uploadId === null) return networkFailure('the hub created an upload without a usable Location');
      if (offset > content.sizeBytes) return networkFailure(`the hub says it holds ${offset} bytes of a ${content.sizeBytes}-byte blob`);
      return { ok: true, value: { uploadId, offset } };
    },

    async uploadOffset(uploadId) {
      const sent = await request(`/v1/uploads/${uploadId}`, { method: 'HEAD', headers: { authorization, 'tus-resumable': TUS_VERSION } });
      if (!sent.ok) return sent;
      const response = sent.value;
      await drain(response);
      if (response.status === 404 || response.status === 410) return { ok: true, value: null };
      if (response.status !== 200 && response.status !== 204) return { ok: false, failure: { kind: 'http', status: response.status, code: null, message: `HTTP ${response.status}` } };
      const offset = headerNumber(response, 'upload-offset');
      return offset === null ? networkFailure('the hub answered HEAD without an Upload-Offset') : { ok: true, value: offset };
    },

    async appendChunk(uploadId, offset, chunk) {
      const sent = await request(`/v1/uploads/${uploadId}`, {
        method: 'PATCH',
        headers: { authorization, 'tus-resumable': TUS_VERSION, 'upload-offset': String(offset), 'content-type': TUS_CHUNK_TYPE },
        body: new Uint8Array(chunk),
      });
      if (!sent.ok) return sent;
      const response = sent.value;
      if (response.status === 204 || response.status === 200) {
        await drain(response);
        const next = headerNumber(response, 'upload-offset');
        return next === null ? networkFailure('the hub took a chunk without saying the new Upload-Offset') : { ok: true, value: { kind: 'appended', offset: next } };
      }
      if (response.status === 409) {
        // The offset is in the JSON body (and in Upload-Offset where the hub sends it).
        const text = await response.text().catch(() => '');
        let bodyOffset: number | null = null;
        try {
          const parsed = JSON.parse(text) as { error?: { code?: unknown; offset?: unknown }; offset?: unknown };
          const candidate = parsed.error?.offset ?? parsed.offset;
          if (typeof candidate === 'number' && Number.isSafeInteger(candidate) && candidate >= 0) bodyOffset = candidate;
        } catch {
          // Not JSON: the header, or a HEAD, has to say.
        }
        const at = bodyOffset ?? headerNumber(response, 'upload-offset');
        if (at !== null) return { ok: true, value: { kind: 'offset-mismatch', offset: at } };
        return { ok: false, failure: { kind: 'http', status: 409, code: 'offset-mismatch', message: 'the chunk did not start where the upload stands' } };
      }
      if (response.status === 404) {
        await drain(response);
        return { ok: false, failure: { kind: 'http', status: 404, code: 'unknown-upload', message: `the hub no longer knows upload ${uploadId}` } };
      }
      return httpFailure(response);
    },

    async download(sha256, range) {
      const sent = await request(`/v1/blobs/${sha256}`, { method: 'GET', headers: { authorization, range: `bytes=${range.start}-${range.end}` } });
      if (!sent.ok) return sent;
      const response = sent.value;
      if (response.status === 404) {
        await drain(response);
        return { ok: true, value: null };
      }
      if (response.status !== 200 && response.status !== 206) return httpFailure(response);
      let bytes: Uint8Array;
      try {
        bytes = await readBody(response);
      } catch (error) {
        return networkFailure(describe(error));
      }
      if (response.status === 200) {
        // A hub (or proxy) that ignored the Range sent the whole blob: keep the part asked for.
        return { ok: true, value: { bytes: bytes.slice(range.start, range.end + 1), totalBytes: bytes.length } };
      }
      const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range')?.trim() ?? '');
      if (!contentRange || Number(contentRange[1]) !== range.start || Number(contentRange[2]) - Number(contentRange[1]) + 1 !== bytes.length) {
        return networkFailure('the hub answered a range with other bytes than asked for');
      }
      return { ok: true, value: { bytes, totalBytes: Number(contentRange[3]) } };
    },
  };
}
