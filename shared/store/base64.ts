/*
 * Base64 for stored states, the same in every thread. lib0's picks Node's Buffer wherever there is
 * no `window`, which a Web Worker lacks (the fold worker failed on it, issue 17); this takes the
 * platform's native Uint8Array.toBase64 where it has one (Chromium 140 and later: several times
 * faster than building a string for btoa), Node's Buffer in Node, and btoa otherwise.
 */

interface NativeBase64Bytes extends Uint8Array {
  toBase64?: () => string;
}
interface NativeBase64Constructor {
  fromBase64?: (text: string) => Uint8Array;
}
interface NodeBufferLike {
  from(bytes: ArrayBuffer, byteOffset: number, length: number): { toString(encoding: 'base64'): string };
  from(text: string, encoding: 'base64'): Uint8Array;
}

const nodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;
const hasNativeBase64 = typeof (Uint8Array.prototype as NativeBase64Bytes).toBase64 === 'function' && typeof (Uint8Array as NativeBase64Constructor).fromBase64 === 'function';

/** Bytes per String.fromCharCode call: well under every engine's limit on arguments. */
const CHUNK = 0x8000;

export function encodeBase64(bytes: Uint8Array): string {
  if (hasNativeBase64) return (bytes as NativeBase64Bytes).toBase64!();
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

export function decodeBase64(text: string): Uint8Array {
  if (hasNativeBase64) return (Uint8Array as NativeBase64Constructor).fromBase64!(text);
  if (nodeBuffer) {
    const buffer = nodeBuffer.from(text, 'base64');
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
