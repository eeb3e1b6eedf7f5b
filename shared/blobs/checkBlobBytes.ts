import { BlobError } from './blobError';
import { blobHash } from './blobHash';
import type { BlobContent } from './blobRef';

/**
 * Throws unless `bytes` are exactly what `content` addresses. Every store runs this before it
 * keeps anything, on the device and at the hub alike: a blob's address is a promise about its
 * bytes, and a store that broke it would serve another photo under the same reference forever.
 */
export function checkBlobBytes(content: BlobContent, bytes: Uint8Array): void {
  if (bytes.length !== content.sizeBytes) {
    throw new BlobError('size-mismatch', `the blob ${content.sha256} should be ${content.sizeBytes} bytes, but ${bytes.length} arrived`);
  }
  const actual = blobHash(bytes);
  if (actual !== content.sha256) {
    throw new BlobError('hash-mismatch', `the bytes sent for blob ${content.sha256} hash to ${actual}`);
  }
}
