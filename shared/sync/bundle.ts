import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { encodeUtf8 } from 'lib0/string';
import { z } from 'zod';
import { recordIdSchema, recordTypeSchema, type RecordType } from '../records/recordType';
import { areBytesEqual } from '../records/yjsUpdates';

/*
 * Sync bundles: a file that carries sync on a USB stick when there is no connection at all
 * (docs/PROTOCOL.md, Bundles). Version 1, all integers lib0 varUints:
 *
 *   magic      8 bytes "FWBUNDLE"
 *   version    varUint (1)
 *   header     varString: JSON (bundleHeaderSchema), readable without inflating anything
 *   payload    varUint8Array: the records, deflate-raw compressed
 *   digest     32 bytes: SHA-256 of every byte before it
 *   signature  64 bytes: Ed25519 over SIGNING_CONTEXT || digest, by the device key (field ->
 *              hub) or the hub key (hub -> org)
 *
 * A bundle carries no bearer token: whoever finds the stick can read it but cannot sign another.
 * Reading is in three steps so untrusted bytes are looked at as little as possible before the
 * signature has been checked: `readBundle` (structure and digest), `verifyBundleSignature`
 * (needs the signer's public key, which the reader looks up from the header), `readBundleRecords`
 * (inflates within a byte budget).
 */

export const BUNDLE_MAGIC = new Uint8Array([0x46, 0x57, 0x42, 0x55, 0x4e, 0x44, 0x4c, 0x45]); // "FWBUNDLE"
export const BUNDLE_VERSION = 1;
export const BUNDLE_MEDIA_TYPE = 'application/vnd.fieldwise.bundle.v1';
export const BUNDLE_FILE_EXTENSION = 'fwbundle';
const DIGEST_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** Domain separation: a signature over a bundle digest can never pass for another kind of signature by the same key. */
const SIGNING_CONTEXT = encodeUtf8('fieldwise-bundle-v1\0');

export const bundleLimits = {
  /** Largest bundle file (compressed): the upload endpoint and the command line refuse more. */
  maxBundleBytes: 64 * 1024 * 1024,
  /** Largest inflated payload: a small file cannot inflate past this (a zip bomb). */
  maxPayloadBytes: 256 * 1024 * 1024,
  maxRecords: 100_000,
  maxHeaderBytes: 4 * 1024,
} as const;

export const bundleKindSchema = z.enum(['field-to-hub', 'hub-to-org']);
export type BundleKind = z.infer<typeof bundleKindSchema>;

const id = z.string().min(1).max(200);
const seq = z.number().int().nonnegative();

export const bundleHeaderSchema = z.strictObject({
  networkId: id,
  /** field -> hub: the signing device's organization; hub -> org: the organization it is for. */
  orgId: id,
  kind: bundleKindSchema,
  /** The signing device (field -> hub); null in a hub bundle. */
  deviceId: id.nullable(),
  credentialId: id.nullable(),
  createdAt: seq,
  /**
   * Hub -> org: the records changed after `fromSeq` up to and including `toSeq`, as a pull from
   * checkpoint `fromSeq` would give them. Field -> hub: both are the device's checkpoint when it
   * wrote the bundle (the hub state its changes were made against), for information.
   */
  fromSeq: seq,
  toSeq: seq,
  recordCount: z.number().int().nonnegative().max(bundleLimits.maxRecords),
});
export type BundleHeader = z.infer<typeof bundleHeaderSchema>;

export interface BundleRecord {
  readonly id: string;
  readonly type: RecordType;
  /** The owner as the writer knows it; a hub sets a new record's owner from the signer, never from here. */
  readonly ownerOrg: string;
  readonly createdAt: number;
  /** The hub's sequence number of the record's last change (hub bundles); 0 in a field bundle. */
  readonly seq: number;
  /** True when `update` is the record's whole state rather than the changes since `fromSeq`. */
  readonly isFullState: boolean;
  readonly update: Uint8Array;
}

export const bundleErrorCodes = ['not-a-bundle', 'unsupported-version', 'truncated', 'malformed', 'tampered', 'bad-signature', 'too-large'] as const;
export type BundleErrorCode = (typeof bundleErrorCodes)[number];

/** Why bytes are not a usable bundle; nothing has been applied when this is thrown. */
export class BundleError extends Error {
  override name = 'BundleError';
  constructor(
    readonly code: BundleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** deflate-raw, injected: browsers and Node both have CompressionStream (see `streamCompression`). */
export interface BundleCompression {
  deflate(bytes: Uint8Array): Promise<Uint8Array>;
  /** Inflates, throwing once more than `maxBytes` come out. */
  inflate(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

/** Signs a (domain-separated) message with Ed25519: a device key, or the hub's key (server/hub/hubKey.ts). */
export interface BundleSigner {
  sign(message: Uint8Array): Uint8Array;
}

export function signerFor(secretKey: Uint8Array): BundleSigner {
  return { sign: (message) => ed25519.sign(message, secretKey) };
}

/** A bundle whose structure and digest have been checked; its signature and records not yet. */
export interface ReadBundle {
  readonly header: BundleHeader;
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
  /** Compressed records. */
  readonly payload: Uint8Array;
  readonly sizeBytes: number;
}

// ---- keys -----------------------------------------------------------------------------------

export function newSigningKey(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = ed25519.utils.randomSecretKey();
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

/**
 * A key a signature can be trusted from: 32 bytes that decode strictly (RFC 8032) to a point that
 * is neither of small order nor outside the prime-order subgroup. A small-order key (the all-zero
 * bytes, say) "verifies" a made-up signature on any message, so whoever registered one could have
 * anyone forge bundles in that device's name.
 */
export function isValidPublicKey(bytes: Uint8Array): boolean {
  if (bytes.length !== 32) return false;
  try {
    const point = ed25519.Point.fromBytes(bytes, false);
    return !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    return false;
  }
}

// ---- writing --------------------------------------------------------------------------------

function encodeRecords(records: readonly BundleRecord[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, records.length);
  for (const record of records) {
    encoding.writeVarString(encoder, record.id);
    encoding.writeVarString(encoder, record.type);
    encoding.writeVarString(encoder, record.ownerOrg);
    encoding.writeVarUint(encoder, record.createdAt);
    encoding.writeVarUint(encoder, record.seq);
    encoding.writeVarUint(encoder, record.isFullState ? 1 : 0);
    encoding.writeVarUint8Array(encoder, record.update);
  }
  return encoding.toUint8Array(encoder);
}

function signingMessage(digest: Uint8Array): Uint8Array {
  const message = new Uint8Array(SIGNING_CONTEXT.length + digest.length);
  message.set(SIGNING_CONTEXT);
  message.set(digest, SIGNING_CONTEXT.length);
  return message;
}

/** Writes a signed bundle. The header's `recordCount` is set from `records`. */
export async function writeBundle(
  header: Omit<BundleHeader, 'recordCount'>,
  records: readonly BundleRecord[],
  signer: BundleSigner,
  compression: BundleCompression,
): Promise<Uint8Array> {
  const fullHeader = bundleHeaderSchema.parse({ ...header, recordCount: records.length });
  const payload = await compression.deflate(encodeRecords(records));
  const encoder = encoding.createEncoder();
  encoding.writeUint8Array(encoder, BUNDLE_MAGIC);
  encoding.writeVarUint(encoder, BUNDLE_VERSION);
  encoding.writeVarString(encoder, JSON.stringify(fullHeader));
  encoding.writeVarUint8Array(encoder, payload);
  const body = encoding.toUint8Array(encoder);
  const digest = sha256(body);
  const signature = signer.sign(signingMessage(digest));
  if (signature.length !== SIGNATURE_BYTES) throw new TypeError('the signer did not return an Ed25519 signature');
  const bytes = new Uint8Array(body.length + DIGEST_BYTES + SIGNATURE_BYTES);
  bytes.set(body);
  bytes.set(digest, body.length);
  bytes.set(signature, body.length + DIGEST_BYTES);
  if (bytes.length > bundleLimits.maxBundleBytes) throw new BundleError('too-large', `the bundle would be ${bytes.length} bytes; at most ${bundleLimits.maxBundleBytes} are allowed`);
  return bytes;
}

// ---- reading --------------------------------------------------------------------------------

/** lib0 throws a plain Error when a read runs past the end; that is a truncated field here. */
function readOrTruncated<T>(read: () => T, what: string): T {
  try {
    return read();
  } catch {
    throw new BundleError('truncated', `the file ends inside the bundle's ${what}: it was cut short (copied before it was complete?)`);
  }
}

/**
 * Checks the structure, size, version and digest, and parses the header. Throws BundleError:
 * `not-a-bundle`, `unsupported-version`, `truncated`, `malformed`, `tampered` or `too-large`.
 */
export function readBundle(bytes: Uint8Array): ReadBundle {
  if (bytes.length > bundleLimits.maxBundleBytes) throw new BundleError('too-large', `a bundle may be at most ${bundleLimits.maxBundleBytes} bytes`);
  if (bytes.length < BUNDLE_MAGIC.length) {
    if (bytes.length > 0 && areBytesEqual(bytes, BUNDLE_MAGIC.subarray(0, bytes.length))) throw new BundleError('truncated', 'the file ends inside the bundle\'s magic bytes');
    throw new BundleError('not-a-bundle', 'this file is not a Fieldwise sync bundle');
  }
  if (!areBytesEqual(bytes.subarray(0, BUNDLE_MAGIC.length), BUNDLE_MAGIC)) throw new BundleError('not-a-bundle', 'this file is not a Fieldwise sync bundle');
  const decoder = decoding.createDecoder(bytes.subarray(BUNDLE_MAGIC.length));
  const version = readOrTruncated(() => decoding.readVarUint(decoder), 'version');
  if (version !== BUNDLE_VERSION) {
    throw new BundleError('unsupported-version', `bundle format version ${version} is not supported (this software reads version ${BUNDLE_VERSION}); update the app or the hub`);
  }
  const headerLength = readOrTruncated(() => decoding.peekVarUint(decoder), 'header');
  if (headerLength > bundleLimits.maxHeaderBytes) throw new BundleError('malformed', 'the bundle header is too long');
  const headerText = readOrTruncated(() => decoding.readVarString(decoder), 'header');
  const payload = readOrTruncated(() => decoding.readVarUint8Array(decoder), 'records');
  const bodyLength = BUNDLE_MAGIC.length + decoder.pos;
  const remaining = bytes.length - bodyLength;
  if (remaining < DIGEST_BYTES + SIGNATURE_BYTES) throw new BundleError('truncated', 'the file ends before the bundle\'s digest and signature: it was cut short');
  if (remaining > DIGEST_BYTES + SIGNATURE_BYTES) throw new BundleError('malformed', `${remaining - DIGEST_BYTES - SIGNATURE_BYTES} unexpected bytes after the bundle`);
  const digest = bytes.slice(bodyLength, bodyLength + DIGEST_BYTES);
  if (!areBytesEqual(sha256(bytes.subarray(0, bodyLength)), digest)) {
    throw new BundleError('tampered', 'the bundle\'s contents do not match its digest: the file was changed or damaged after it was written');
  }
  let header: BundleHeader;
  try {
    header = bundleHeaderSchema.parse(JSON.parse(headerText));
  } catch {
    throw new BundleError('malformed', 'the bundle header is not valid');
  }
  return { header, digest, signature: bytes.slice(bodyLength + DIGEST_BYTES), payload, sizeBytes: bytes.length };
}

/** Throws BundleError `bad-signature` unless `publicKey` signed this bundle. */
export function verifyBundleSignature(bundle: ReadBundle, publicKey: Uint8Array): void {
  let isValid = false;
  try {
    // Strict verification, and never from a weak key (one registered before keys were checked).
    isValid = isValidPublicKey(publicKey) && ed25519.verify(bundle.signature, signingMessage(bundle.digest), publicKey, { zip215: false });
  } catch {
    isValid = false;
  }
  if (!isValid) throw new BundleError('bad-signature', 'the bundle\'s signature does not verify with the key of the device or hub it names');
}

/** Inflates and parses the records (after the signature was checked). Throws BundleError. */
export async function readBundleRecords(bundle: ReadBundle, compression: BundleCompression): Promise<BundleRecord[]> {
  let bytes: Uint8Array;
  try {
    bytes = await compression.inflate(bundle.payload, bundleLimits.maxPayloadBytes);
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError('malformed', 'the bundle\'s records could not be decompressed');
  }
  const decoder = decoding.createDecoder(bytes);
  const records: BundleRecord[] = [];
  try {
    const count = decoding.readVarUint(decoder);
    if (count !== bundle.header.recordCount) throw new BundleError('malformed', `the bundle says it holds ${bundle.header.recordCount} records but holds ${count}`);
    for (let i = 0; i < count; i++) {
      const recordId = recordIdSchema.parse(decoding.readVarString(decoder));
      const type = recordTypeSchema.parse(decoding.readVarString(decoder));
      const ownerOrg = decoding.readVarString(decoder);
      const createdAt = decoding.readVarUint(decoder);
      const recordSeq = decoding.readVarUint(decoder);
      const isFullState = decoding.readVarUint(decoder) === 1;
      const update = decoding.readVarUint8Array(decoder);
      records.push({ id: recordId, type, ownerOrg, createdAt, seq: recordSeq, isFullState, update });
    }
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError('malformed', 'the bundle\'s records are not valid');
  }
  if (decoding.hasContent(decoder)) throw new BundleError('malformed', 'unexpected bytes after the bundle\'s records');
  return records;
}

// ---- compression through CompressionStream --------------------------------------------------

interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}
interface ByteWriter {
  write(chunk: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}
interface TransformLike {
  readonly writable: { getWriter(): ByteWriter };
  readonly readable: { getReader(): ByteReader };
}
export type CompressionStreamPort = new (format: 'deflate-raw') => TransformLike;

async function pump(stream: TransformLike, input: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Written concurrently with reading: a transform stream stalls once its queue is full.
  // A copy: the platform's streams take only ArrayBuffer-backed arrays, and may transfer them.
  const writing = writer.write(new Uint8Array(input)).then(() => writer.close());
  writing.catch(() => undefined);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!value) continue;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      await writer.abort().catch(() => undefined);
      throw new BundleError('too-large', `the bundle's records inflate to more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  await writing;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** deflate-raw through the platform's CompressionStream / DecompressionStream (browsers, Node 18+). */
export function streamCompression(CompressionStream: CompressionStreamPort, DecompressionStream: CompressionStreamPort): BundleCompression {
  return {
    deflate: (bytes) => pump(new CompressionStream('deflate-raw'), bytes, Number.MAX_SAFE_INTEGER),
    inflate: (bytes, maxBytes) => pump(new DecompressionStream('deflate-raw'), bytes, maxBytes),
  };
}
