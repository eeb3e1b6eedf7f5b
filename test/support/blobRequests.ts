import { request as httpRequest } from 'node:http';
import { encodeUploadMetadata, TUS_CHUNK_CONTENT_TYPE, TUS_VERSION } from '../../shared/sync/blobProtocol';
import type { BlobContent } from '../../shared/blobs/blobRef';
import { request, type HubAnswer } from './hubRequests';

/*
 * Raw blob requests to a test hub (docs/PROTOCOL.md "Blobs"): the tus requests a client sends, one
 * at a time, so a test sees exactly what each answers.
 */

const tus = { 'tus-resumable': TUS_VERSION };

export function blobsMissing(url: string, token: string, sha256s: readonly string[]): Promise<HubAnswer> {
  return request(url, '/v1/blobs/missing', { method: 'POST', token, body: JSON.stringify({ sha256s }), headers: { 'content-type': 'application/json' } });
}

export function createUpload(url: string, token: string, content: BlobContent, headers: Record<string, string> = {}): Promise<HubAnswer> {
  return request(url, '/v1/uploads', {
    method: 'POST',
    token,
    headers: { ...tus, 'upload-length': String(content.sizeBytes), 'upload-metadata': encodeUploadMetadata(content), ...headers },
  });
}

export function uploadStatus(url: string, token: string, location: string): Promise<HubAnswer> {
  return request(url, location, { method: 'HEAD', token, headers: tus });
}

export function sendChunk(url: string, token: string, location: string, offset: number, chunk: Uint8Array, headers: Record<string, string> = {}): Promise<HubAnswer> {
  return request(url, location, { method: 'PATCH', token, body: chunk, headers: { ...tus, 'upload-offset': String(offset), 'content-type': TUS_CHUNK_CONTENT_TYPE, ...headers } });
}

export function deleteUpload(url: string, token: string, location: string): Promise<HubAnswer> {
  return request(url, location, { method: 'DELETE', token, headers: tus });
}

/** Creates an upload and sends `bytes` in chunks of `chunkBytes`; returns the last answer (204 when stored). */
export async function uploadBlob(url: string, token: string, content: BlobContent, bytes: Uint8Array, chunkBytes = 1 << 20): Promise<HubAnswer> {
  const created = await createUpload(url, token, content);
  if (created.status !== 201) return created;
  const location = created.headers.get('location')!;
  let offset = Number(created.headers.get('upload-offset'));
  let last = created;
  while (offset < bytes.length) {
    last = await sendChunk(url, token, location, offset, bytes.subarray(offset, offset + chunkBytes));
    if (last.status !== 204) return last;
    offset = Number(last.headers.get('upload-offset'));
  }
  return last;
}

/** GET /v1/blobs/<sha256> as bytes, with the answer's status and headers. */
export async function getBlob(url: string, token: string, sha256: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Uint8Array; body: unknown }> {
  const response = await fetch(`${url}/v1/blobs/${sha256}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  let body: unknown = null;
  if (response.headers.get('content-type')?.startsWith('application/json')) body = JSON.parse(new TextDecoder().decode(bytes));
  return { status: response.status, headers: response.headers, bytes, body };
}

/**
 * A PATCH whose connection drops after `sentBytes` of its body (a field link cut mid-chunk):
 * resolves once the socket is gone, with nothing answered.
 */
export function droppedChunk(url: string, token: string, location: string, offset: number, chunk: Uint8Array, sentBytes: number): Promise<void> {
  const target = new URL(location, url);
  return new Promise((resolve) => {
    const req = httpRequest(target, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, ...tus, 'upload-offset': String(offset), 'content-type': TUS_CHUNK_CONTENT_TYPE, 'content-length': String(chunk.length) },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(chunk.subarray(0, sentBytes), () => setTimeout(() => req.destroy(), 50));
  });
}
