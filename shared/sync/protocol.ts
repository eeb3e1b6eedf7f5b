import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { z } from 'zod';
import { recordHeaderSchema, recordIdSchema, recordTypeSchema } from '../records/recordType';
import { governanceErrorCodes } from '../governance/governanceErrorCodes';

/*
 * The wire format of sync, shared by the hub and the client. docs/PROTOCOL.md is the prose
 * version; this file is the executable one. Version 1.
 *
 * Push is JSON (small, easy to write a client for). Pull is a stream of binary frames, because
 * base64 inside JSON would hide the Yjs text from the compressor and cost a third more on the wire.
 */

export const PULL_CONTENT_TYPE = 'application/vnd.fieldwise.pull.v1';

export const limits = {
  /** Largest request body the hub reads (after decompression). */
  maxBodyBytes: 8 * 1024 * 1024,
  /** Largest single record update in a push. */
  maxUpdateBytes: 1024 * 1024,
  /** Largest record state the hub keeps. */
  maxRecordBytes: 4 * 1024 * 1024,
  maxRecordsPerPush: 500,
  /** Time budget for validating one update (decode, apply to the stored state, read): enforced while it runs. */
  maxApplyMs: 1000,
  /** What one update may hold, checked before it is applied (docs/PROTOCOL.md, Limits). */
  maxUpdateNewClients: 256,
  maxUpdateStructs: 100_000,
  maxUpdateDeleteRanges: 100_000,
  maxUpdateNestingDepth: 32,
  requestsPerMinute: 600,
  /** Records per pull page; a page and its checkpoint are applied together. */
  pullPageRecords: 250,
} as const;

export const errorCodes = [
  'bad-json',
  'bad-request',
  'body-too-large',
  'batch-too-large',
  'update-too-large',
  'record-too-large',
  'bad-update',
  'update-too-slow',
  'update-too-complex',
  'missing-dependency',
  'unknown-type',
  'header-mismatch',
  'wrong-id',
  'forbidden',
  'unauthorized',
  'token-expired',
  'token-revoked',
  'invitation-invalid',
  'rate-limited',
  'not-found',
  ...governanceErrorCodes,
  // Sync bundles and device keys (docs/PROTOCOL.md, Bundles).
  'bad-bundle',
  'bundle-signature-invalid',
  'bundle-foreign',
  'bundle-revoked',
  'device-key-conflict',
  // The hub's own state, not the request's (docs/PROTOCOL.md, Errors): retry after Retry-After, or later.
  'hub-busy',
  'internal',
  // Structure a record type's layout has no room for (docs/PROTOCOL.md, Record layouts).
  'bad-structure',
  'name-taken',
  'bundle-expired',
  // The secretariat's administration (docs/PROTOCOL.md, Administration).
  'admin-only',
  'device-wiped',
  'invitation-used',
  'invitation-expired',
  'invitation-withdrawn',
  'invitation-not-pending',
  'already-revoked',
  'org-revoked',
  'not-steward',
  'secretariat-protected',
  'unknown-scope',
  'bad-region-tree',
  // Per-organization quotas (docs/PROTOCOL.md, Errors): new records per minute (429, Retry-After), stored bytes (413).
  'quota-records',
  'quota-bytes',
  // An upload whose body stopped arriving (docs/PROTOCOL.md, Errors).
  'upload-stalled',
  // A state that breaks a record invariant (docs/PROTOCOL.md, Record invariants): 422 with `field`.
  'invariant-violated',
  // Blob uploads and downloads (docs/PROTOCOL.md, Blobs).
  'blob-too-large',
  'size-mismatch',
  'offset-mismatch',
  'hash-mismatch',
  'unknown-upload',
  'out-of-range',
  'tus-unsupported',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** Every refusal: a 4xx status with this body (and the hub's own failures, 500 `internal` and 503 `hub-busy`). Nothing was written. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    recordId: z.string().optional(),
    /** `token-revoked`, `device-wiped`: the secretariat's words, and when the device was revoked. */
    reason: z.string().optional(),
    revokedAt: z.number().optional(),
    /** `invariant-violated`: the projected field at fault. */
    field: z.string().optional(),
    /** `offset-mismatch`: the byte the upload stands at, where the next chunk must start. */
    offset: z.number().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

// ---- WebSocket close codes ---------------------------------------------------------------------

/**
 * Why the hub closed a `/v1/live` or `/yjs/<recordId>` WebSocket (docs/PROTOCOL.md, Close codes);
 * the close reason names the refusal (`token-revoked`, `forbidden`, an error code). A client stops
 * reconnecting on `unauthorized` (with an auth error code) and `revoked`; the others are about one
 * connection or one record.
 */
export const closeCodes = {
  /** The hub is shutting down (`/yjs`); reason `shutting-down`. Reconnect later. */
  goingAway: 1001,
  /** The hub failed (`/yjs`); reason `internal`. The client still holds its change and sends it again. */
  internal: 1011,
  /** A text frame or a message that does not decode (`/yjs`); reason `bad-message`. */
  badMessage: 4400,
  /** A refused hello (`/v1/live`) or token (`/yjs`); reason: the error code (`bad-request` for a malformed hello, `no hello` when none came within 10 s). */
  unauthorized: 4401,
  /** The credential was revoked while connected (both); reason `token-revoked`. */
  revoked: 4403,
  /** The credential may not read the record, also once it stops being readable (`/yjs`); reason `forbidden`. */
  forbidden: 4403,
  /** No such record, or a path that names none (`/yjs`); reason `not-found`. */
  notFound: 4404,
  /** More buffered than the hub keeps for a connection (`/yjs`); reason `update-too-large` or `too-much-before-ready`; an awareness state over its bound, reason `awareness-too-large`. */
  tooMuch: 4413,
  /** Over the message budget of the connection or its credential, reason `rate-limited`; or more sockets than a credential may hold, reason `too-many-connections` (`/yjs`). Reconnect after a few seconds. */
  rateLimited: 4429,
} as const;

/**
 * Budgets of `/yjs/<recordId>` (docs/PROTOCOL.md, Standard Yjs). Messages are counted per
 * connection and per credential (all of its sockets together); awareness updates have a budget of
 * their own per connection, and those over it are dropped, not relayed.
 */
export const yjsLimits = {
  messagesPerSecondPerConnection: 20,
  messageBurstPerConnection: 100,
  messagesPerSecondPerCredential: 40,
  messageBurstPerCredential: 200,
  awarenessPerSecondPerConnection: 5,
  awarenessBurstPerConnection: 20,
  /** One awareness state (its JSON) at most. */
  maxAwarenessStateBytes: 4 * 1024,
  maxConnectionsPerCredential: 16,
  /** A connection without a token in its URL or subprotocol sends its hello within this long. */
  helloTimeoutMs: 10_000,
} as const;

/** The subprotocol a `/yjs` client offers (and the hub selects) beside `fieldwise-token.<token>`. */
export const YJS_SUBPROTOCOL = 'fieldwise';
export const YJS_TOKEN_SUBPROTOCOL_PREFIX = 'fieldwise-token.';

// ---- join -------------------------------------------------------------------------------------

export const joinRequestSchema = z.strictObject({
  code: z.string().min(1).max(800),
  // No control characters: PostgreSQL text refuses NUL, and a name shows up in the orgs list.
  deviceName: z.string().trim().min(1).max(200).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
  /** The device's Ed25519 public key (base64url, 32 bytes), which signs its sync bundles. */
  devicePublicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url Ed25519 public key').optional(),
  /** The app's version, shown to the secretariat (docs/PROTOCOL.md, Administration). */
  appVersion: z.string().regex(/^[\x20-\x7e]{1,40}$/, 'must be printable ASCII, at most 40 characters').optional(),
});
export type JoinRequest = z.infer<typeof joinRequestSchema>;

export const joinResponseSchema = z.object({
  token: z.string(),
  credentialId: z.string(),
  org: z.object({ id: z.string(), name: z.string() }),
  role: z.string(),
  deviceId: z.string(),
  networkId: z.string(),
});
export type JoinResponse = z.infer<typeof joinResponseSchema>;

/**
 * `POST /v1/device-key`: registers the public key of a device that joined without one. A key is
 * set once per credential: the same key again is accepted, another one refused.
 */
export const deviceKeyRequestSchema = z.strictObject({
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url Ed25519 public key'),
});
export type DeviceKeyRequest = z.infer<typeof deviceKeyRequestSchema>;

// ---- push -------------------------------------------------------------------------------------

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const pushRequestSchema = z.strictObject({
  records: z
    .array(
      z.strictObject({
        id: recordIdSchema,
        type: recordTypeSchema,
        /** A Yjs update (all of this record's pending updates merged), base64. */
        update: base64.min(1, 'an empty update changes nothing'),
      }),
    )
    .min(1)
    .max(limits.maxRecordsPerPush),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const pushResponseSchema = z.object({
  /** One per pushed record, in request order: the sequence number its change was committed at
   * (or the record's current one, where the update changed nothing because the hub had it). */
  acks: z.array(z.object({ id: z.string(), seq: z.number().int().nonnegative() })),
  seq: z.number().int().nonnegative(),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

// ---- pull -------------------------------------------------------------------------------------

export const pulledRecordMetaSchema = recordHeaderSchema.extend({
  seq: z.number().int().nonnegative(),
  /**
   * The hub's projection, only when the pull asked for it (`projections=1`): a Yjs client
   * computes it from the update, and sending both would move every record's content twice.
   */
  projection: z.record(z.string(), z.unknown()).optional(),
});

export interface PulledRecord {
  readonly meta: z.infer<typeof pulledRecordMetaSchema>;
  /** True when `update` is the record's whole state (the checkpoint predates its compaction). */
  readonly isFullState: boolean;
  readonly update: Uint8Array;
}

export type PullFrame =
  | {
      readonly kind: 'page';
      readonly records: readonly PulledRecord[];
      readonly checkpoint: number;
      readonly isLast: boolean;
      /**
       * Records in this page's range that this reader may no longer read (made private again, a
       * hidden comment, a ballot made secret): the client deletes its copies. Absent means none.
       */
      readonly withdrawn?: readonly string[];
    }
  | { readonly kind: 'error'; readonly error: ErrorBody['error'] };

const FRAME_PAGE = 1;
const FRAME_ERROR = 2;

/** One frame, prefixed with its length so a reader can cut a byte stream into frames. */
export function encodePullFrame(frame: PullFrame): Uint8Array {
  const body = encoding.createEncoder();
  if (frame.kind === 'page') {
    encoding.writeVarUint(body, FRAME_PAGE);
    encoding.writeVarUint(body, frame.records.length);
    for (const record of frame.records) {
      encoding.writeVarString(body, JSON.stringify(record.meta));
      encoding.writeVarUint(body, record.isFullState ? 1 : 0);
      encoding.writeVarUint8Array(body, record.update);
    }
    encoding.writeVarUint(body, frame.checkpoint);
    encoding.writeVarUint(body, frame.isLast ? 1 : 0);
    // Written only when there are some; a reader finding no bytes left reads none.
    if (frame.withdrawn && frame.withdrawn.length > 0) {
      encoding.writeVarUint(body, frame.withdrawn.length);
      for (const id of frame.withdrawn) encoding.writeVarString(body, id);
    }
  } else {
    encoding.writeVarUint(body, FRAME_ERROR);
    encoding.writeVarString(body, JSON.stringify(frame.error));
  }
  const bytes = encoding.toUint8Array(body);
  const framed = encoding.createEncoder();
  encoding.writeVarUint8Array(framed, bytes);
  return encoding.toUint8Array(framed);
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

function decodeFrameBody(bytes: Uint8Array): PullFrame {
  const decoder = decoding.createDecoder(bytes);
  const kind = decoding.readVarUint(decoder);
  if (kind === FRAME_PAGE) {
    const count = decoding.readVarUint(decoder);
    const records: PulledRecord[] = [];
    for (let i = 0; i < count; i++) {
      const meta = pulledRecordMetaSchema.parse(JSON.parse(decoding.readVarString(decoder)));
      const isFullState = decoding.readVarUint(decoder) === 1;
      records.push({ meta, isFullState, update: decoding.readVarUint8Array(decoder) });
    }
    const checkpoint = decoding.readVarUint(decoder);
    const isLast = decoding.readVarUint(decoder) === 1;
    if (!decoding.hasContent(decoder)) return { kind: 'page', records, checkpoint, isLast };
    const withdrawn: string[] = [];
    for (let i = decoding.readVarUint(decoder); i > 0; i--) withdrawn.push(recordIdSchema.parse(decoding.readVarString(decoder)));
    return { kind: 'page', records, checkpoint, isLast, withdrawn };
  }
  if (kind === FRAME_ERROR) return { kind: 'error', error: errorBodySchema.shape.error.parse(JSON.parse(decoding.readVarString(decoder))) };
  throw new ProtocolError(`unknown pull frame kind ${kind}`);
}

/**
 * Cuts a pull response body, arriving in chunks of any size, into frames. Feed chunks with
 * `push`; complete frames come out in order.
 */
export class PullFrameReader {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): PullFrame[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    const frames: PullFrame[] = [];
    for (;;) {
      const header = readLengthPrefix(this.buffer);
      if (!header || this.buffer.length < header.start + header.length) break;
      frames.push(decodeFrameBody(this.buffer.subarray(header.start, header.start + header.length)));
      this.buffer = this.buffer.slice(header.start + header.length);
    }
    return frames;
  }

  /** True when bytes of an unfinished frame are left over (the stream was cut). */
  get hasPartialFrame(): boolean {
    return this.buffer.length > 0;
  }
}

/** A varUint length prefix, or null when not all of its bytes have arrived. */
function readLengthPrefix(bytes: Uint8Array): { length: number; start: number } | null {
  let length = 0;
  let multiplier = 1;
  for (let i = 0; i < bytes.length && i < 8; i++) {
    const byte = bytes[i]!;
    length += (byte & 0x7f) * multiplier;
    if (byte < 0x80) return { length, start: i + 1 };
    multiplier *= 128;
  }
  if (bytes.length >= 8) throw new ProtocolError('frame length prefix too long');
  return null;
}

// ---- network status -------------------------------------------------------------------------

/**
 * One organization's sync status as the hub saw it at `asOf`: when any of its devices was last
 * heard from, and (for the secretariat only, null otherwise) how many records it may read changed
 * after its last complete pull.
 */
export const orgSyncStatusSchema = z.object({
  orgId: z.string(),
  lastSeenAt: z.number().int().nonnegative().nullable(),
  waitingChanges: z.number().int().nonnegative().nullable(),
  asOf: z.number().int().nonnegative(),
});
export type OrgSyncStatus = z.infer<typeof orgSyncStatusSchema>;

export const networkStatusResponseSchema = z.object({
  asOf: z.number().int().nonnegative(),
  orgs: z.array(orgSyncStatusSchema),
});
export type NetworkStatusResponse = z.infer<typeof networkStatusResponseSchema>;
