import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { HubError } from '../hub/hubError';

/**
 * Reads a request body up to `maxBytes` (counted after decompression, so a small gzip bomb cannot
 * grow past the limit). Accepts `Content-Encoding: gzip` or none.
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  return (await readBodyBytes(request, maxBytes)).toString('utf8');
}

/** The body as bytes (a sync bundle), with the same limits as `readBody`. */
export async function readBodyBytes(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new HubError(400, 'bad-request', `unsupported content encoding ${encoding}`);
  const declared = Number(request.headers['content-length'] ?? 0);
  if (encoding === 'identity' && declared > maxBytes) throw new HubError(413, 'body-too-large', `the body may be at most ${maxBytes} bytes`);
  const source = encoding === 'gzip' ? request.pipe(createGunzip()) : request;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        request.unpipe();
        request.resume(); // drain the rest so the connection can answer
        throw new HubError(413, 'body-too-large', `the body may be at most ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError(400, 'bad-request', 'the body could not be read (bad gzip?)');
  }
  return Buffer.concat(chunks);
}
