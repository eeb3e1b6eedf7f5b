import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

/*
 * Stored states are base64 in every thread (shared/store/base64.ts): Node's Buffer here, btoa in a
 * Web Worker (which has neither `window` nor Buffer: lib0's base64 failed there), the native
 * Uint8Array.toBase64 in recent Chromium. Each path gives the standard encoding, padding and all.
 */

const samples = [0, 1, 2, 3, 4, 31, 32, 33, 1000, 0x8000, 0x8001, 200_000].map((length) => new Uint8Array(randomBytes(length)));
const standard = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('base64 of stored states', () => {
  it("encodes as Node's Buffer does and decodes back, in Node", async () => {
    const { decodeBase64, encodeBase64 } = await import('../../shared/store/base64');
    for (const bytes of samples) {
      expect(encodeBase64(bytes)).toBe(standard(bytes));
      expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
    }
    // A view into a larger buffer encodes only its own bytes.
    const inner = samples[9]!.subarray(5, 105);
    expect(encodeBase64(inner)).toBe(standard(inner));
  });

  it('encodes the same where there is no Buffer (a Web Worker)', async () => {
    vi.stubGlobal('Buffer', undefined);
    const { decodeBase64, encodeBase64 } = await import('../../shared/store/base64');
    vi.unstubAllGlobals();
    for (const bytes of samples) {
      const text = encodeBase64(bytes);
      expect(text).toBe(standard(bytes));
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });
});
