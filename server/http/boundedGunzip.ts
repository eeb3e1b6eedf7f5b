import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { HubError } from '../hub/hubError';

/*
 * A gzip request body, inflated as it arrives and stopped at `maxBytes`: the moment the inflated
 * bytes pass the cap the inflater is destroyed (no more CPU for the rest of a bomb), the body
 * fails with 413 `body-too-large`, and what the client still sends is read and thrown away
 * compressed, so its answer reaches it. At most `maxBytes` of inflated body is ever held.
 */

export type InflatingBody = Readable & { receivedEncodedLength: number };

export function boundedGunzip(raw: IncomingMessage, maxBytes: number): InflatingBody {
  const gunzip = createGunzip();
  let inflatedBytes = 0;
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      inflatedBytes += chunk.length;
      if (inflatedBytes > maxBytes) done(new HubError('body-too-large', `the body may be at most ${maxBytes} bytes after decompression`));
      else done(null, chunk);
    },
  }) as Transform & { receivedEncodedLength: number };
  // Fastify compares this with Content-Length (which counts the compressed bytes).
  body.receivedEncodedLength = 0;
  const countEncoded = (chunk: Buffer) => {
    body.receivedEncodedLength += chunk.length;
  };
  raw.on('data', countEncoded);
  const stop = () => {
    raw.unpipe(gunzip);
    gunzip.destroy();
    raw.off('data', countEncoded);
    // Drained, not inflated: the client may go on sending; its 413 is already on the way.
    raw.resume();
  };
  body.once('error', stop);
  gunzip.once('error', () => {
    stop();
    body.destroy(new HubError('bad-request', 'the body could not be read (bad gzip?)'));
  });
  raw.once('close', () => {
    if (!raw.complete) body.destroy(new HubError('bad-request', 'the request ended before its body did'));
  });
  raw.pipe(gunzip).pipe(body);
  return body;
}
