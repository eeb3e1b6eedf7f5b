import { blobHash } from './blobHash';
import { blobContentSchema, type BlobContent } from './blobRef';

/** The content description of bytes this device holds: what a new BlobRef is made of. */
export const describeBlob = (bytes: Uint8Array, mediaType: string): BlobContent =>
  blobContentSchema.parse({ sha256: blobHash(bytes), sizeBytes: bytes.length, mediaType });
