import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import {
  BUNDLE_MAGIC,
  BundleError,
  bundleLimits,
  isValidPublicKey,
  newSigningKey,
  readBundle,
  readBundleRecords,
  signerFor,
  streamCompression,
  verifyBundleSignature,
  writeBundle,
  type BundleCompression,
  type BundleRecord,
} from '../../shared/sync/bundle';

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
    expect(bundle.header).toEqual({ ...header, recordCount: 2 });
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
    encoding.writeVarUint(future, 2);
    encoding.writeVarString(future, '{}');
    expect(await code(() => readBundle(encoding.toUint8Array(future)))).toBe('unsupported-version');
  });

  it('refuses an oversized file before reading it', async () => {
    const huge = new Uint8Array(bundleLimits.maxBundleBytes + 1);
    huge.set(BUNDLE_MAGIC);
    expect(await code(() => readBundle(huge))).toBe('too-large');
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
