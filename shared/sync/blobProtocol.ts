import { z } from 'zod';
import { blobHashSchema } from '../blobs/blobRef';

/*
 * The wire format of the blob routes (docs/PROTOCOL.md "Blobs"), shared by the hub and the
 * client's blob sync: the tus 1.0 core protocol (tus.io) for uploads, plain HTTP range reads for
 * downloads, one JSON question for "which of these do I need to send".
 */

export const TUS_VERSION = '1.0.0';
/** A PATCH body's Content-Type (tus core). */
export const TUS_CHUNK_CONTENT_TYPE = 'application/offset+octet-stream';

export const blobProtocolLimits = {
  /** Hashes in one `POST /v1/blobs/missing`. */
  maxMissingQuery: 1000,
  /** The largest PATCH body the hub reads; the app sends 1 MiB, so a drop re-sends at most that. */
  maxChunkBytes: 4 * 1024 * 1024,
} as const;

export const blobMissingRequestSchema = z.strictObject({
  sha256s: z.array(blobHashSchema).max(blobProtocolLimits.maxMissingQuery),
});
export type BlobMissingRequest = z.infer<typeof blobMissingRequestSchema>;

export interface BlobMissingResponse {
  /** Those the hub does not hold, or the caller may not read (one answer for both), in the order asked, each once. */
  readonly missing: readonly string[];
}

/** `Upload-Metadata` for a blob upload: `sha256 <base64 of the hex>,mediaType <base64 of the type>`. */
export function encodeUploadMetadata(content: { readonly sha256: string; readonly mediaType: string }): string {
  const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  return `sha256 ${base64(content.sha256)},mediaType ${base64(content.mediaType)}`;
}

/** The key/value pairs of an `Upload-Metadata` header (tus core: `key base64,key base64`); null when malformed. */
export function decodeUploadMetadata(header: string): Map<string, string> | null {
  const pairs = new Map<string, string>();
  for (const item of header.split(',')) {
    const [key, value, ...rest] = item.trim().split(' ');
    if (!key || rest.length > 0 || pairs.has(key)) return null;
    if (value === undefined) {
      pairs.set(key, '');
      continue;
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return null;
    try {
      pairs.set(key, new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0))));
    } catch {
      return null;
    }
  }
  return pairs;
}

/** A single `Range: bytes=…` of a blob of `size` bytes: the range, 'unsatisfiable', or null (no usable Range: the whole blob). */
export function parseByteRange(header: string | undefined, size: number): { readonly start: number; readonly end: number } | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, or another unit: RFC 9110 lets a server ignore Range and send the whole.
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
