import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * The address of a blob: the SHA-256 of its bytes in lowercase hex. The one definition for the
 * device and the hub; a store that hashes while streaming (node:crypto on the hub's disk) must
 * give the same digest.
 */
export const blobHash = (bytes: Uint8Array): string => bytesToHex(sha256(bytes));
