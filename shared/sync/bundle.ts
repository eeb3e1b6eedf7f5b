import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { encodeUtf8 } from 'lib0/string';
import { z } from 'zod';
import { blobContentSchema, type BlobContent, type BlobVariant } from '../blobs/blobRef';
import { recordIdSchema, recordTypeSchema, type RecordType } from '../records/recordType';
import { areBytesEqual } from '../records/yjsUpdates';
import { timeSlicer } from '../client/yieldToMain';

/*
 * Sync bundles: a file that carries sync on a USB stick when there is no connection at all
 * (docs/PROTOCOL.md, Bundles). Version 2 (version 1 is the same without `blobs`), all integers
 * lib0 varUints:
 *
 *   magic      8 bytes "FWBUNDLE"
 *   version    varUint (2; 1 is still read)
 *   header     varString: JSON (bundleHeaderSchema), readable without inflating anything
 *   payload    varUint8Array: the records, deflate-raw compressed
 *   blobs      version 2: count, then per blob its SHA-256 (32 bytes), media type (varString) and
 *              bytes (varUint8Array), in ascending hash order, not compressed (media already is)
 *   digest     32 bytes: SHA-256 of every byte before it
 *   signature  64 bytes: Ed25519 over SIGNING_CONTEXT || digest, by the device key (field ->
 *              hub) or the hub key (hub -> org)
 *
 * A bundle carries no bearer token: whoever finds the stick can read it but cannot sign another.
 * Reading is in three steps so untrusted bytes are looked at as little as possible before the
 * signature has been checked: `readBundle` (structure and digest; `readBundleAsync` the same with
 * the digest off the calling thread where the platform can), `verifyBundleSignature`
 * (needs the signer's public key, which the reader looks up from the header), `readBundleRecords`
 * (inflates within a byte budget). Blob entries are views into the file, never copies, so a bundle
 * costs its file plus its inflated records, as in version 1; whether a blob's bytes hash to its
 * address is for the store that takes it to check (checkBlobBytes), one blob at a time, so one bad
 * blob costs only itself.
 */

export const BUNDLE_MAGIC = new Uint8Array([0x46, 0x57, 0x42, 0x55, 0x4e, 0x44, 0x4c, 0x45]); // "FWBUNDLE"
export const BUNDLE_VERSION = 2;
/** Versions this software reads: 1 (records only, apps and hubs before media in bundles) and 2. */
export const READABLE_BUNDLE_VERSIONS: readonly number[] = [1, 2];
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
  /** Blob entries in one bundle (each also within the network's maxAttachmentBytes, checked by whoever takes it). */
  maxBlobs: 10_000,
} as const;

/**
 * How much media a bundle carries: each level adds the next rendition (blobRef.ts) to the one
 * before, so a stick that has room for little still shows every attachment as a thumbnail.
 */
export const bundleMediaLevels = ['none', 'thumbnails', 'previews', 'originals'] as const;
export type BundleMediaLevel = (typeof bundleMediaLevels)[number];
export const bundleMediaLevelSchema = z.enum(bundleMediaLevels);

const VARIANTS_AT: Record<BundleMediaLevel, readonly BlobVariant[]> = {
  none: [],
  thumbnails: ['thumbnail'],
  previews: ['thumbnail', 'preview'],
  originals: ['thumbnail', 'preview', 'original'],
};

/** Whether a bundle at `level` carries renditions of kind `variant`. */
export function isCarriedAt(level: BundleMediaLevel, variant: BlobVariant): boolean {
  return VARIANTS_AT[level].includes(variant);
}

export const bundleKindSchema = z.enum(['field-to-hub', 'hub-to-org']);
export type BundleKind = z.infer<typeof bundleKindSchema>;

const id = z.string().min(1).max(200);
const seq = z.number().int().nonnegative();

/** The header as version 1 writes it (no other field). */
export const bundleHeaderV1Schema = z.strictObject({
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

/** The header as version 2 writes it: version 1's, and what media the bundle carries. */
export const bundleHeaderSchema = bundleHeaderV1Schema.extend({
  /** The level the writer chose; the blobs are those renditions the reader may have, that fitted. */
  media: bundleMediaLevelSchema,
  blobCount: z.number().int().nonnegative().max(bundleLimits.maxBlobs),
  /** The sum of the blobs' sizes, so a reader can say what a stick holds before reading it. */
  blobBytes: seq,
});
/** A header as read: a version-1 bundle's reads as media `none` with no blobs. */
export type BundleHeader = z.infer<typeof bundleHeaderSchema>;
/** What a writer says; the counts are set from what it writes. */
export type BundleHeaderInput = Omit<BundleHeader, 'recordCount' | 'media' | 'blobCount' | 'blobBytes'>;

/** A blob carried in a bundle: its content (size = `bytes.length`) and bytes, not yet checked against the hash. */
export interface BundleBlob extends BlobContent {
  readonly bytes: Uint8Array;
}

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
  readonly version: number;
  readonly header: BundleHeader;
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
  /** Compressed records. */
  readonly payload: Uint8Array;
  /** Views into the file; read them only after the signature (verifyBundleSignature). */
  readonly blobs: readonly BundleBlob[];
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

/** The records of a bundle, encoded and compressed once: sized before the bundle is written. */
export interface BundlePayload {
  readonly recordCount: number;
  readonly compressed: Uint8Array;
}

export async function encodeBundlePayload(records: readonly BundleRecord[], compression: BundleCompression): Promise<BundlePayload> {
  return { recordCount: records.length, compressed: await compression.deflate(encodeRecords(records)) };
}

const varUintLength = (value: number): number => {
  let length = 1;
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) length += 1;
  return length;
};

/** Bytes one blob entry takes in a version-2 bundle. */
export function blobEntryBytes(content: BlobContent): number {
  const typeLength = encodeUtf8(content.mediaType).length;
  return DIGEST_BYTES + varUintLength(typeLength) + typeLength + varUintLength(content.sizeBytes) + content.sizeBytes;
}

/**
 * The exact size of a version-2 bundle of `payload` and blobs of `blobs`, with a header of
 * `headerBytes` (JSON, UTF-8; ~300 for a field bundle). Lets a writer show the size, and fit blobs
 * under the cap, before reading a byte of media.
 */
export function bundleSizeBytes(headerBytes: number, payload: BundlePayload, blobs: readonly BlobContent[]): number {
  const blobSection = varUintLength(blobs.length) + blobs.reduce((sum, blob) => sum + blobEntryBytes(blob), 0);
  return (
    BUNDLE_MAGIC.length + varUintLength(BUNDLE_VERSION) + varUintLength(headerBytes) + headerBytes +
    varUintLength(payload.compressed.length) + payload.compressed.length + blobSection + DIGEST_BYTES + SIGNATURE_BYTES
  );
}

/** The version-2 header a bundle of `payload` and `blobs` at `media` carries: the one definition for writing and sizing. */
export function completeHeader(header: BundleHeaderInput, payload: BundlePayload, media: BundleMediaLevel, blobs: readonly BlobContent[]): BundleHeader {
  return bundleHeaderSchema.parse({ ...header, recordCount: payload.recordCount, media, blobCount: blobs.length, blobBytes: blobs.reduce((sum, blob) => sum + blob.sizeBytes, 0) });
}

/** Bytes the header takes as JSON (UTF-8). */
export const headerBytesOf = (header: BundleHeader): number => encodeUtf8(JSON.stringify(header)).length;

export interface WriteBundleOptions {
  readonly media?: BundleMediaLevel;
  /** Each once (by hash); written in ascending hash order. Version 2 only. */
  readonly blobs?: readonly BundleBlob[];
  /** 1: what apps and hubs before media in bundles read (no blobs); for them and for tests. */
  readonly version?: 1 | 2;
}

const byHash = (a: BlobContent, b: BlobContent): number => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0);

/** Writes a signed bundle. The header's counts are set from `records` and `blobs`. */
export async function writeBundle(
  header: BundleHeaderInput,
  records: readonly BundleRecord[] | BundlePayload,
  signer: BundleSigner,
  compression: BundleCompression,
  options: WriteBundleOptions = {},
): Promise<Uint8Array> {
  const payload = 'compressed' in records ? records : await encodeBundlePayload(records, compression);
  const version = options.version ?? BUNDLE_VERSION;
  const blobs = [...(options.blobs ?? [])].sort(byHash);
  if (version === 1 && blobs.length > 0) throw new TypeError('a version-1 bundle carries no blobs');
  for (let i = 0; i < blobs.length; i++) {
    const blob = blobs[i]!;
    blobContentSchema.parse({ sha256: blob.sha256, sizeBytes: blob.sizeBytes, mediaType: blob.mediaType });
    if (blob.bytes.length !== blob.sizeBytes) throw new TypeError(`blob ${blob.sha256}: ${blob.bytes.length} bytes given for ${blob.sizeBytes}`);
    if (i > 0 && blobs[i - 1]!.sha256 === blob.sha256) throw new TypeError(`blob ${blob.sha256} given twice`);
  }
  const fullHeader = version === 1 ? bundleHeaderV1Schema.parse({ ...header, recordCount: payload.recordCount }) : completeHeader(header, payload, options.media ?? 'none', blobs);
  const encoder = encoding.createEncoder();
  encoding.writeUint8Array(encoder, BUNDLE_MAGIC);
  encoding.writeVarUint(encoder, version);
  encoding.writeVarString(encoder, JSON.stringify(fullHeader));
  encoding.writeVarUint8Array(encoder, payload.compressed);
  if (version === 2) {
    encoding.writeVarUint(encoder, blobs.length);
    for (const blob of blobs) {
      encoding.writeUint8Array(encoder, hexToBytes(blob.sha256));
      encoding.writeVarString(encoder, blob.mediaType);
      encoding.writeVarUint8Array(encoder, blob.bytes);
    }
  }
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

/** The framing of a bundle, read but not yet checked against its digest. */
interface BundleFraming {
  readonly version: number;
  readonly headerText: string;
  readonly payload: Uint8Array;
  readonly blobs: readonly BundleBlob[];
  /** Bytes the digest covers: every byte before it. */
  readonly bodyLength: number;
  readonly digest: Uint8Array;
}

function readFraming(bytes: Uint8Array): BundleFraming {
  if (bytes.length > bundleLimits.maxBundleBytes) throw new BundleError('too-large', `a bundle may be at most ${bundleLimits.maxBundleBytes} bytes`);
  if (bytes.length < BUNDLE_MAGIC.length) {
    if (bytes.length > 0 && areBytesEqual(bytes, BUNDLE_MAGIC.subarray(0, bytes.length))) throw new BundleError('truncated', 'the file ends inside the bundle\'s magic bytes');
    throw new BundleError('not-a-bundle', 'this file is not a Fieldwise sync bundle');
  }
  if (!areBytesEqual(bytes.subarray(0, BUNDLE_MAGIC.length), BUNDLE_MAGIC)) throw new BundleError('not-a-bundle', 'this file is not a Fieldwise sync bundle');
  const decoder = decoding.createDecoder(bytes.subarray(BUNDLE_MAGIC.length));
  const version = readOrTruncated(() => decoding.readVarUint(decoder), 'version');
  if (!READABLE_BUNDLE_VERSIONS.includes(version)) {
    throw new BundleError('unsupported-version', `bundle format version ${version} is not supported (this software reads versions ${READABLE_BUNDLE_VERSIONS.join(' and ')}); update the app or the hub`);
  }
  const headerLength = readOrTruncated(() => decoding.peekVarUint(decoder), 'header');
  if (headerLength > bundleLimits.maxHeaderBytes) throw new BundleError('malformed', 'the bundle header is too long');
  const headerText = readOrTruncated(() => decoding.readVarString(decoder), 'header');
  const payload = readOrTruncated(() => decoding.readVarUint8Array(decoder), 'records');
  const blobs = version === 1 ? [] : readBlobEntries(decoder);
  const bodyLength = BUNDLE_MAGIC.length + decoder.pos;
  const remaining = bytes.length - bodyLength;
  if (remaining < DIGEST_BYTES + SIGNATURE_BYTES) throw new BundleError('truncated', 'the file ends before the bundle\'s digest and signature: it was cut short');
  if (remaining > DIGEST_BYTES + SIGNATURE_BYTES) throw new BundleError('malformed', `${remaining - DIGEST_BYTES - SIGNATURE_BYTES} unexpected bytes after the bundle`);
  return { version, headerText, payload, blobs, bodyLength, digest: bytes.slice(bodyLength, bodyLength + DIGEST_BYTES) };
}

/** The rest of reading, once `computed` (the SHA-256 of the framing's body) is known. */
function readChecked(bytes: Uint8Array, framing: BundleFraming, computed: Uint8Array): ReadBundle {
  const { version, headerText, payload, blobs, bodyLength, digest } = framing;
  if (!areBytesEqual(computed, digest)) {
    throw new BundleError('tampered', 'the bundle\'s contents do not match its digest: the file was changed or damaged after it was written');
  }
  let header: BundleHeader;
  try {
    const json: unknown = JSON.parse(headerText);
    header = version === 1 ? { ...bundleHeaderV1Schema.parse(json), media: 'none', blobCount: 0, blobBytes: 0 } : bundleHeaderSchema.parse(json);
  } catch {
    throw new BundleError('malformed', 'the bundle header is not valid');
  }
  if (header.blobCount !== blobs.length || header.blobBytes !== blobs.reduce((sum, blob) => sum + blob.sizeBytes, 0)) {
    throw new BundleError('malformed', `the bundle header says it holds ${header.blobCount} blobs of ${header.blobBytes} bytes, which is not what it holds`);
  }
  return { version, header, digest, signature: bytes.slice(bodyLength + DIGEST_BYTES), payload, blobs, sizeBytes: bytes.length };
}

/**
 * Checks the structure, size, version and digest, and parses the header. Throws BundleError:
 * `not-a-bundle`, `unsupported-version`, `truncated`, `malformed`, `tampered` or `too-large`.
 */
export function readBundle(bytes: Uint8Array): ReadBundle {
  const framing = readFraming(bytes);
  return readChecked(bytes, framing, sha256(bytes.subarray(0, framing.bodyLength)));
}

/** SHA-256 of some bytes, possibly computed elsewhere than on the calling thread. */
export type Sha256Digest = (bytes: Uint8Array) => Promise<Uint8Array>;

interface SubtleDigest {
  digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
}

/**
 * WebCrypto's SHA-256 where the platform has it (a window in a secure context, a worker, Node),
 * which Chromium computes off the calling thread: the JavaScript one took one task of 45 to 280 ms
 * of the UI thread for a bundle of 10,000 records (issue 17). Elsewhere the JavaScript one.
 */
export const platformSha256: Sha256Digest = async (bytes) => {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleDigest } }).crypto?.subtle;
  if (typeof subtle?.digest !== 'function') return sha256(bytes);
  // WebCrypto takes only ArrayBuffer-backed arrays (a file's bytes are): anything else is copied.
  const data = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  return new Uint8Array(await subtle.digest('SHA-256', data));
};

/**
 * readBundle with the digest computed by `digestOf` (by default WebCrypto's, off this thread where
 * the platform has it): the same checks in the same order, refusing exactly what readBundle refuses.
 */
export async function readBundleAsync(bytes: Uint8Array, digestOf: Sha256Digest = platformSha256): Promise<ReadBundle> {
  const framing = readFraming(bytes);
  return readChecked(bytes, framing, await digestOf(bytes.subarray(0, framing.bodyLength)));
}

/**
 * The blob section's framing: views into the file, in strictly ascending hash order (so a hash is
 * never carried twice). The media type is checked here; the bytes against the hash by the store.
 */
function readBlobEntries(decoder: decoding.Decoder): BundleBlob[] {
  const count = readOrTruncated(() => decoding.readVarUint(decoder), 'blobs');
  if (count > bundleLimits.maxBlobs) throw new BundleError('malformed', `a bundle may hold at most ${bundleLimits.maxBlobs} blobs`);
  const blobs: BundleBlob[] = [];
  for (let i = 0; i < count; i++) {
    const sha256 = bytesToHex(readOrTruncated(() => decoding.readUint8Array(decoder, DIGEST_BYTES), 'blobs'));
    const mediaType = readOrTruncated(() => decoding.readVarString(decoder), 'blobs');
    const bytes = readOrTruncated(() => decoding.readVarUint8Array(decoder), 'blobs');
    // lib0 hands out views without a bounds check: a length past the end is a file cut short.
    if (decoder.pos > decoder.arr.length) throw new BundleError('truncated', "the file ends inside the bundle's blobs: it was cut short");
    const content = blobContentSchema.safeParse({ sha256, sizeBytes: bytes.length, mediaType });
    if (!content.success) throw new BundleError('malformed', `blob ${sha256} has no valid media type`);
    if (i > 0 && blobs[i - 1]!.sha256 >= sha256) throw new BundleError('malformed', "the bundle's blobs are not in ascending hash order, or one is carried twice");
    blobs.push({ ...content.data, bytes });
  }
  return blobs;
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
  // 10,000 records took one task of 75 ms and more on the UI thread to read: read in slices (issue 17).
  const slice = timeSlicer();
  try {
    const count = decoding.readVarUint(decoder);
    if (count !== bundle.header.recordCount) throw new BundleError('malformed', `the bundle says it holds ${bundle.header.recordCount} records but holds ${count}`);
    for (let i = 0; i < count; i++) {
      await slice();
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

const STREAM_CHUNK_BYTES = 64 * 1024;

async function pump(stream: TransformLike, input: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Written concurrently with reading: a transform stream stalls once its queue is full.
  // In chunks, giving the thread back between them: a browser inflates on the calling thread, and
  // a bundle of 10,000 records written in one piece inflated in one task of 45 ms and more (issue 17).
  // Copies: the platform's streams take only ArrayBuffer-backed arrays, and may transfer them.
  const writing = (async () => {
    const slice = timeSlicer();
    for (let offset = 0; offset < input.length; offset += STREAM_CHUNK_BYTES) {
      await slice();
      await writer.write(input.slice(offset, offset + STREAM_CHUNK_BYTES));
    }
    await writer.close();
  })();
  writing.catch(() => undefined);
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Read in slices too: each read makes the stream inflate what was written, and reads that
  // follow one another in microtasks inflated a bundle of 10,000 records in one task of 78 ms.
  const readSlice = timeSlicer();
  for (;;) {
    await readSlice();
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
