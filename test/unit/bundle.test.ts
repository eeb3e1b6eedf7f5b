import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { sha256 } from '@noble/hashes/sha2.js';
import { blobHash } from '../../shared/blobs/blobHash';
import {
  BUNDLE_MAGIC,
  BundleError,
  bundleLimits,
  bundleSizeBytes,
  completeHeader,
  encodeBundlePayload,
  headerBytesOf,
  isValidPublicKey,
  newSigningKey,
  platformSha256,
  readBundle,
  readBundleAsync,
  readBundleRecords,
  signerFor,
  streamCompression,
  verifyBundleSignature,
  writeBundle,
  type BundleBlob,
  type BundleCompression,
  type BundleRecord,
} from '../../shared/sync/bundle';
import { chooseBundleMedia, type BundleMediaCandidate } from '../../shared/sync/bundleMedia';

/* The bundle codec: what it writes reads back, and every damaged or foreign file is refused by code. */

const compression: BundleCompression = streamCompression(CompressionStream, DecompressionStream);

const header = {
  networkId: 'net-1',
  orgId: 'org-a',
  kind: 'field-to-hub' as const,
  deviceId: 'dev-1',
  credentialId: 'cred-1',
  createdAt: 1_700_000_000_000,
  fromSeq: 12,
  toSeq: 12,
};

function recordUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('fields').set('title', text);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

const records: BundleRecord[] = [
  { id: 'entry-aaa', type: 'entry', ownerOrg: 'org-a', createdAt: 5, seq: 0, isFullState: false, update: recordUpdate('水井维护 well upkeep') },
  { id: 'comment-bbb', type: 'comment', ownerOrg: 'org-a', createdAt: 6, seq: 0, isFullState: true, update: recordUpdate('x'.repeat(5000)) },
];

async function code(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof BundleError) return error.code;
    throw error;
  }
  throw new Error('expected a BundleError');
}

describe('sync bundle codec', () => {
  const key = newSigningKey();

  it('reads back the header and records it wrote, signed by the writer', async () => {
    const bytes = await writeBundle(header, records, signerFor(key.secretKey), compression);
    expect([...bytes.subarray(0, 8)]).toEqual([...BUNDLE_MAGIC]);
    const bundle = readBundle(bytes);
    expect(bundle.version).toBe(2);
    expect(bundle.header).toEqual({ ...header, recordCount: 2, media: 'none', blobCount: 0, blobBytes: 0 });
    verifyBundleSignature(bundle, key.publicKey);
    const read = await readBundleRecords(bundle, compression);
    expect(read).toEqual(records);
    // Compressed: the 5000 repeated characters take far less room than they would raw.
    expect(bytes.length).toBeLessThan(1000);
  });

  it('reads an empty bundle', async () => {
    const bundle = readBundle(await writeBundle(header, [], signerFor(key.secretKey), compression));
    expect(bundle.header.recordCount).toBe(0);
    expect(await readBundleRecords(bundle, compression)).toEqual([]);
  });

  it('refuses a bundle signed by another key', async () => {
    const bytes = await writeBundle(header, records, signerFor(newSigningKey().secretKey), compression);
    expect(await code(() => verifyBundleSignature(readBundle(bytes), key.publicKey))).toBe('bad-signature');
  });

  it('refuses a small-order public key, and the signature anyone can make for one', async () => {
    // The all-zero key is a point of small order: with it, R = the identity point and s = 0 pass a
    // lenient (cofactored) check on any message, so nobody would need the secret key to forge.
    const weakKey = new Uint8Array(32);
    const identity = new Uint8Array(32);
    identity[0] = 1;
    expect(isValidPublicKey(weakKey)).toBe(false);
    expect(isValidPublicKey(identity)).toBe(false);
    expect(isValidPublicKey(key.publicKey)).toBe(true);
    const forged = await writeBundle(header, records, { sign: () => new Uint8Array([...identity, ...new Uint8Array(32)]) }, compression);
    expect(await code(() => verifyBundleSignature(readBundle(forged), weakKey))).toBe('bad-signature');
  });

  it('refuses every single flipped byte, whichever part it is in', async () => {
    const bytes = await writeBundle(header, records, signerFor(key.secretKey), compression);
    const codes = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      const damaged = bytes.slice();
      damaged[i] = damaged[i]! ^ 0x01;
      const refusal = await code(async () => {
        const bundle = readBundle(damaged);
        verifyBundleSignature(bundle, key.publicKey);
        await readBundleRecords(bundle, compression);
      });
      codes.add(refusal);
    }
    // The magic, lengths, body, digest and signature each fail in their own way.
    expect([...codes].sort()).toEqual(expect.arrayContaining(['bad-signature', 'not-a-bundle', 'tampered']));
    expect([...codes].every((c) => ['bad-signature', 'not-a-bundle', 'tampered', 'truncated', 'malformed', 'unsupported-version'].includes(c))).toBe(true);
  });

  it('reads asynchronously (the digest by WebCrypto or in JavaScript) exactly what it reads at once, and refuses each flipped byte and each cut alike', async () => {
    const bytes = await writeBundle(header, records, signerFor(key.secretKey), compression, { media: 'none' });
    const digests = [platformSha256, async (body: Uint8Array) => sha256(body)];
    for (const digestOf of digests) expect(await readBundleAsync(bytes, digestOf)).toEqual(readBundle(bytes));
    expect(await platformSha256(bytes)).toEqual(sha256(bytes));
    const variants: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const damaged = bytes.slice();
      damaged[i] = damaged[i]! ^ 0x01;
      variants.push(damaged);
    }
    for (let length = 0; length < bytes.length; length += 7) variants.push(bytes.subarray(0, length));
    const codes = new Set<string>();
    for (const [i, variant] of variants.entries()) {
      const atOnce = await code(async () => verifyBundleSignature(readBundle(variant), key.publicKey));
      codes.add(atOnce);
      for (const digestOf of digests) expect(await code(async () => verifyBundleSignature(await readBundleAsync(variant, digestOf), key.publicKey)), `variant ${i}`).toBe(atOnce);
    }
    expect([...codes]).toEqual(expect.arrayContaining(['tampered', 'truncated', 'bad-signature']));
  });

  it('says a flipped byte in the records is tampering', async () => {
    const bytes = await writeBundle(header, records, signerFor(key.secretKey), compression);
    const damaged = bytes.slice();
    damaged[bytes.length - 200] = damaged[bytes.length - 200]! ^ 0x40;
    expect(await code(() => readBundle(damaged))).toBe('tampered');
  });

  it('says a file cut short anywhere is truncated', async () => {
    const bytes = await writeBundle(header, records, signerFor(key.secretKey), compression);
    for (const length of [1, 5, 9, 20, 60, bytes.length - 97, bytes.length - 50, bytes.length - 1]) {
      expect(await code(() => readBundle(bytes.subarray(0, length))), `cut at ${length}`).toBe('truncated');
    }
  });

  it('refuses extra bytes after the signature', async () => {
    const bytes = await writeBundle(header, records, signerFor(key.secretKey), compression);
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(await code(() => readBundle(longer))).toBe('malformed');
  });

  it('refuses what is not a bundle, and a version it does not know', async () => {
    expect(await code(() => readBundle(new Uint8Array(0)))).toBe('not-a-bundle');
    expect(await code(() => readBundle(new TextEncoder().encode('{"records": []} and more text')))).toBe('not-a-bundle');
    const future = encoding.createEncoder();
    encoding.writeUint8Array(future, BUNDLE_MAGIC);
    encoding.writeVarUint(future, 3);
    encoding.writeVarString(future, '{}');
    expect(await code(() => readBundle(encoding.toUint8Array(future)))).toBe('unsupported-version');
  });

  it('refuses an oversized file before reading it', async () => {
    const huge = new Uint8Array(bundleLimits.maxBundleBytes + 1);
    huge.set(BUNDLE_MAGIC);
    expect(await code(() => readBundle(huge))).toBe('too-large');
  });

  it('inflates what it deflated when the compressed bytes span many chunks', async () => {
    // Incompressible bytes: the compressed form is as long, so it is written in several pieces.
    const input = new Uint8Array(300_000);
    for (let i = 0; i < input.length; i += 65_536) crypto.getRandomValues(input.subarray(i, i + 65_536));
    const deflated = await compression.deflate(input);
    expect(deflated.length).toBeGreaterThan(4 * 64 * 1024);
    expect(await compression.inflate(deflated, input.length)).toEqual(input);
    expect(await code(compression.inflate(deflated, input.length - 1))).toBe('too-large');
  });

  it('gives the thread back while it reads what it inflates, even from a stream that answers every read at once', async () => {
    // As a browser's DecompressionStream can: each read answered in a microtask, after inflating
    // a piece on the calling thread (here 1 ms of work a piece, 60 pieces).
    const PIECES = 60;
    class EagerInflater {
      private left = PIECES;
      readonly writable = { getWriter: () => ({ write: async () => undefined, close: async () => undefined, abort: async () => undefined }) };
      readonly readable = {
        getReader: () => ({
          read: async () => {
            if (this.left === 0) return { done: true };
            this.left -= 1;
            const busyUntil = performance.now() + 1;
            while (performance.now() < busyUntil);
            return { done: false, value: new Uint8Array(1024) };
          },
          cancel: async () => undefined,
        }),
      };
    }
    const eager = streamCompression(EagerInflater, EagerInflater);
    let turns = 0;
    let isInflating = true;
    const tick = () => {
      if (!isInflating) return;
      turns += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    const inflated = await eager.inflate(new Uint8Array(16), 1024 * 1024);
    isInflating = false;
    expect(inflated.length).toBe(PIECES * 1024);
    // 60 ms of reading in slices of 8 ms: each yield lets the ticker run.
    expect(turns).toBeGreaterThan(3);
  });

  it('stops inflating records that would grow past the budget (a zip bomb)', async () => {
    const bomb = await compression.deflate(new Uint8Array(4 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(10_000);
    expect(await code(compression.inflate(bomb, 1024 * 1024))).toBe('too-large');
  });

  it('refuses a header that does not match the schema, even when correctly signed', async () => {
    await expect(writeBundle({ ...header, kind: 'sideways' as never }, records, signerFor(key.secretKey), compression)).rejects.toThrow();
    await expect(writeBundle({ ...header, networkId: '' }, records, signerFor(key.secretKey), compression)).rejects.toThrow();
  });
});

function blobOf(text: string, mediaType = 'image/jpeg'): BundleBlob {
  const bytes = new TextEncoder().encode(text);
  return { sha256: blobHash(bytes), sizeBytes: bytes.length, mediaType, bytes };
}

describe('sync bundle codec, version 2: blobs after the records', () => {
  const key = newSigningKey();
  const blobs = [blobOf('thumbnail of the drip line'), blobOf('a voice note'.repeat(300), 'audio/webm'), blobOf('preview '.repeat(50))];

  it('reads back its blobs in ascending hash order, counted in the header', async () => {
    const bytes = await writeBundle(header, records, signerFor(key.secretKey), compression, { media: 'previews', blobs });
    const bundle = readBundle(bytes);
    verifyBundleSignature(bundle, key.publicKey);
    expect(bundle.header).toMatchObject({ media: 'previews', blobCount: 3, blobBytes: blobs.reduce((sum, blob) => sum + blob.sizeBytes, 0) });
    const sorted = [...blobs].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
    expect(bundle.blobs.map(({ sha256, sizeBytes, mediaType }) => ({ sha256, sizeBytes, mediaType }))).toEqual(sorted.map(({ sha256, sizeBytes, mediaType }) => ({ sha256, sizeBytes, mediaType })));
    expect(bundle.blobs.map((blob) => blobHash(blob.bytes))).toEqual(sorted.map((blob) => blob.sha256));
    expect(await readBundleRecords(bundle, compression)).toEqual(records);
  });

  it('covers the blobs with the digest: a flipped byte in a blob is tampering', async () => {
    const bytes = await writeBundle(header, [], signerFor(key.secretKey), compression, { media: 'originals', blobs });
    const damaged = bytes.slice();
    damaged[bytes.length - 96 - 10] = damaged[bytes.length - 96 - 10]! ^ 0x01;
    expect(await code(() => readBundle(damaged))).toBe('tampered');
  });

  it('says a file cut short inside its blobs is truncated', async () => {
    const bytes = await writeBundle(header, [], signerFor(key.secretKey), compression, { media: 'originals', blobs });
    for (const length of [bytes.length - 96 - 1, bytes.length - 96 - 3000, bytes.length - 97 - blobs[0]!.sizeBytes]) {
      expect(await code(() => readBundle(bytes.subarray(0, length))), `cut at ${length}`).toBe('truncated');
    }
  });

  /** A version-2 file written by hand (to say what writeBundle never would), with a right digest. */
  async function handWritten(headerJson: string, entries: readonly BundleBlob[]): Promise<Uint8Array> {
    const payload = await encodeBundlePayload([], compression);
    const encoder = encoding.createEncoder();
    encoding.writeUint8Array(encoder, BUNDLE_MAGIC);
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarString(encoder, headerJson);
    encoding.writeVarUint8Array(encoder, payload.compressed);
    encoding.writeVarUint(encoder, entries.length);
    for (const blob of entries) {
      encoding.writeUint8Array(encoder, Buffer.from(blob.sha256, 'hex'));
      encoding.writeVarString(encoder, blob.mediaType);
      encoding.writeVarUint8Array(encoder, blob.bytes);
    }
    const body = encoding.toUint8Array(encoder);
    return new Uint8Array([...body, ...sha256(body), ...new Uint8Array(64)]);
  }

  it('refuses a blob carried twice', async () => {
    const payload = await encodeBundlePayload([], compression);
    const twice = [blobs[0]!, blobs[0]!];
    const file = await handWritten(JSON.stringify(completeHeader(header, payload, 'thumbnails', twice)), twice);
    expect(await code(() => readBundle(file))).toBe('malformed');
  });

  it('refuses a header whose blob counts are not what the bundle holds', async () => {
    const payload = await encodeBundlePayload([], compression);
    const one = [blobs[0]!];
    const honest = await handWritten(JSON.stringify(completeHeader(header, payload, 'thumbnails', one)), one);
    expect(readBundle(honest).header.blobCount).toBe(1);
    const fewer = await handWritten(JSON.stringify({ ...completeHeader(header, payload, 'thumbnails', one), blobCount: 0 }), one);
    expect(await code(() => readBundle(fewer))).toBe('malformed');
    const lighter = await handWritten(JSON.stringify({ ...completeHeader(header, payload, 'thumbnails', one), blobBytes: 1 }), one);
    expect(await code(() => readBundle(lighter))).toBe('malformed');
  });

  it('still reads a version-1 bundle, as one with no media', async () => {
    const bytes = await writeBundle(header, records, signerFor(key.secretKey), compression, { version: 1 });
    const bundle = readBundle(bytes);
    expect(bundle.version).toBe(1);
    expect(bundle.header).toEqual({ ...header, recordCount: 2, media: 'none', blobCount: 0, blobBytes: 0 });
    verifyBundleSignature(bundle, key.publicKey);
    expect(await readBundleRecords(bundle, compression)).toEqual(records);
  });

  it('knows the exact size of a bundle before writing it', async () => {
    const payload = await encodeBundlePayload(records, compression);
    const candidates: BundleMediaCandidate[] = blobs.map(({ sha256, sizeBytes, mediaType }, i) => ({ sha256, sizeBytes, mediaType, variant: i === 0 ? 'thumbnail' : 'original' }));
    for (const level of ['none', 'thumbnails', 'originals'] as const) {
      const choice = chooseBundleMedia(level, candidates, payload, header);
      const chosen = blobs.filter((blob) => choice.blobs.some((c) => c.sha256 === blob.sha256));
      const bytes = await writeBundle(header, payload, signerFor(key.secretKey), compression, { media: level, blobs: chosen });
      expect(bytes.length, level).toBe(choice.sizeBytes);
      expect(bundleSizeBytes(headerBytesOf(choice.header), payload, chosen)).toBe(bytes.length);
    }
    expect(chooseBundleMedia('thumbnails', candidates, payload, header).blobs).toHaveLength(1);
  });

  it('fills a bundle smallest rendition first and counts what did not fit under the cap', async () => {
    const payload = await encodeBundlePayload([], compression);
    const big = (n: number, variant: BundleMediaCandidate['variant'], mib: number): BundleMediaCandidate => ({ sha256: n.toString(16).padStart(64, '0'), sizeBytes: mib * 1024 * 1024, mediaType: 'image/jpeg', variant });
    const choice = chooseBundleMedia('originals', [big(1, 'original', 40), big(2, 'original', 30), big(3, 'preview', 1), big(4, 'thumbnail', 1)], payload, header);
    expect(choice.blobs.map((blob) => blob.variant)).toEqual(['thumbnail', 'preview', 'original']);
    expect(choice.leftOut.map((blob) => blob.sizeBytes)).toEqual([40 * 1024 * 1024]);
    expect(choice.sizeBytes).toBeLessThanOrEqual(bundleLimits.maxBundleBytes);
  });
});
