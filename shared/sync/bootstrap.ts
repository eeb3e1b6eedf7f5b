import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as string from 'lib0/string';
import * as Y from 'yjs';
import { recordHeaderSchema } from '../records/recordType';
import { encodePullFrame, ProtocolError, type PulledRecord } from './protocol';

/*
 * The bootstrap (docs/PROTOCOL.md, "Bootstrap"): everything one read scope may read, from
 * checkpoint 0 up to a checkpoint, in one body laid out for the compressor. The hub builds it
 * once per scope, compresses it once at brotli's top quality and serves the same bytes to every
 * new device of that scope; a device then pulls from its checkpoint on as usual.
 *
 * Why this layout (measured on the sync bench's corpus, brotli 11, against brotli 11 of the
 * projections as JSON; docs/BENCHMARKS.md): on 2,000 records the updates alone are 1.53x in
 * Yjs's v1 encoding, 1.42x in v2, and 1.28x as v2 cut into its columns (v2 already writes each
 * kind of value in its own section: clocks, clients, info bytes, strings, ...) with each column of
 * every record put together: the strings of all records sit together like the JSON's, the clocks
 * with the clocks. Headers are columns too (ids as bytes, tables of types and owners, deltas of
 * times and sequence numbers). The whole bootstrap of 10,102 records is 1.49x.
 *
 * Body (lib0 encoding; varUint unless said):
 *   version (1), checkpoint, count N,
 *   ids: a table of prefixes (count, varStrings; '' for none) and N prefix indices, then 12 bytes
 *   for each id with a prefix (`<prefix>-<the 24 lowercase hex digits of the bytes>`), then a
 *   varString for each without one (in record order),
 *   type table (count, varStrings), N type indices,
 *   owner table (count, varStrings), N owner indices, N createdAt deltas (varInt, from 0),
 *   N seq deltas (varInt, from 0),
 *   COLUMNS (11) times: N lengths, then the N byte strings of that column back to back.
 * A record's v2 update is rebuilt as: varUint 0, columns 0-4 each as a varUint8Array,
 * varUint8Array(varUint(length of column 5) + column 5 + column 6), columns 7-9 each as a
 * varUint8Array, then column 10 as it is. Column 5 is the UTF-8 text of the v2 string column,
 * column 6 the string lengths that follow it there; column 10 is the v2 "rest".
 */

export const BOOTSTRAP_CONTENT_TYPE = 'application/vnd.fieldwise.bootstrap.v1';
/** Response header: "1" when nothing this reader may read changed after the bootstrap's checkpoint. */
export const BOOTSTRAP_COMPLETE_HEADER = 'fieldwise-bootstrap-complete';

const VERSION = 1;
const COLUMNS = 11;
/** A bound on what a decoder accepts, far above any real network (the hub's records are bounded by storage, not by this). */
const MAX_RECORDS = 10_000_000;

export interface BootstrapRecord {
  readonly meta: { readonly id: string; readonly type: string; readonly ownerOrg: string; readonly createdAt: number; readonly seq: number };
  /** The record's whole state, Yjs v1 (as in a pull page). */
  readonly update: Uint8Array;
}

/** A v2 update cut into its COLUMNS columns (see the file's comment). */
function columnsOf(v2: Uint8Array): Uint8Array[] {
  const decoder = decoding.createDecoder(v2);
  if (decoding.readVarUint(decoder) !== 0) throw new ProtocolError('unknown Yjs v2 feature flag');
  const columns: Uint8Array[] = [];
  for (let i = 0; i < 9; i++) columns.push(decoding.readVarUint8Array(decoder));
  const strings = decoding.createDecoder(columns[5]!);
  const textLength = decoding.readVarUint(strings);
  const text = decoding.readUint8Array(strings, textLength);
  columns.splice(5, 1, text, strings.arr.subarray(strings.pos));
  columns.push(v2.subarray(decoder.pos));
  return columns;
}

function updateOf(columns: readonly Uint8Array[]): Uint8Array {
  const out = encoding.createEncoder();
  encoding.writeVarUint(out, 0);
  for (let i = 0; i < 5; i++) encoding.writeVarUint8Array(out, columns[i]!);
  const strings = encoding.createEncoder();
  encoding.writeVarUint(strings, columns[5]!.length);
  encoding.writeUint8Array(strings, columns[5]!);
  encoding.writeUint8Array(strings, columns[6]!);
  encoding.writeVarUint8Array(out, encoding.toUint8Array(strings));
  for (let i = 7; i < 10; i++) encoding.writeVarUint8Array(out, columns[i]!);
  encoding.writeUint8Array(out, columns[10]!);
  return encoding.toUint8Array(out);
}

function writeTable(encoder: encoding.Encoder, values: readonly string[]): void {
  const index = new Map<string, number>();
  for (const value of values) if (!index.has(value)) index.set(value, index.size);
  encoding.writeVarUint(encoder, index.size);
  for (const value of index.keys()) encoding.writeVarString(encoder, value);
  for (const value of values) encoding.writeVarUint(encoder, index.get(value)!);
}

/** Ids made by the apps (`<prefix>-<24 hex digits>`): random, so as 12 bytes they cost less than as 24 letters. */
const MADE_ID = /^([a-z]{1,32})-([0-9a-f]{24})$/;

function writeIds(encoder: encoding.Encoder, ids: readonly string[]): void {
  const parts = ids.map((id) => MADE_ID.exec(id));
  writeTable(
    encoder,
    parts.map((match) => (match ? match[1]! : '')),
  );
  for (const match of parts) if (match) for (let i = 0; i < 24; i += 2) encoding.writeUint8(encoder, parseInt(match[2]!.slice(i, i + 2), 16));
  parts.forEach((match, i) => {
    if (!match) encoding.writeVarString(encoder, ids[i]!);
  });
}

/** The body of `records` whose v2 updates are already cut into columns (`split`, in record order). */
function writeBootstrap(checkpoint: number, records: readonly BootstrapRecord[], split: readonly Uint8Array[][]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, VERSION);
  encoding.writeVarUint(encoder, checkpoint);
  encoding.writeVarUint(encoder, records.length);
  writeIds(
    encoder,
    records.map((record) => record.meta.id),
  );
  writeTable(
    encoder,
    records.map((record) => record.meta.type),
  );
  writeTable(
    encoder,
    records.map((record) => record.meta.ownerOrg),
  );
  let previous = 0;
  for (const record of records) {
    encoding.writeVarInt(encoder, record.meta.createdAt - previous);
    previous = record.meta.createdAt;
  }
  previous = 0;
  for (const record of records) {
    encoding.writeVarInt(encoder, record.meta.seq - previous);
    previous = record.meta.seq;
  }
  for (let column = 0; column < COLUMNS; column++) {
    for (const columns of split) encoding.writeVarUint(encoder, columns[column]!.length);
    for (const columns of split) encoding.writeUint8Array(encoder, columns[column]!);
  }
  return encoding.toUint8Array(encoder);
}

const columnsOfRecord = (record: BootstrapRecord) => columnsOf(Y.convertUpdateFormatV1ToV2(record.update));

/** The uncompressed bootstrap body of `records` (whole v1 states, in sequence order), read up to `checkpoint`. */
export function encodeBootstrap(checkpoint: number, records: readonly BootstrapRecord[]): Uint8Array {
  return writeBootstrap(checkpoint, records, records.map(columnsOfRecord));
}

/** Records converted to v2 between two pauses of encodeBootstrapInSlices. */
const RECORDS_PER_SLICE = 200;

/**
 * encodeBootstrap with `pause` awaited every RECORDS_PER_SLICE records: a hub's thread serves
 * requests between them (converting 10,000 states took 0.9 s on a loaded two-core machine).
 */
export async function encodeBootstrapInSlices(checkpoint: number, records: readonly BootstrapRecord[], pause: () => Promise<void>): Promise<Uint8Array> {
  const split: Uint8Array[][] = [];
  for (let start = 0; start < records.length; start += RECORDS_PER_SLICE) {
    for (const record of records.slice(start, start + RECORDS_PER_SLICE)) split.push(columnsOfRecord(record));
    await pause();
  }
  return writeBootstrap(checkpoint, records, split);
}

/** Reads with bounds checks: a length that runs past the body is a corrupt bootstrap, never a read beyond it. */
class Reader {
  private readonly decoder: decoding.Decoder;
  constructor(bytes: Uint8Array) {
    this.decoder = decoding.createDecoder(bytes);
  }
  private need(bytes: number): void {
    if (this.decoder.pos + bytes > this.decoder.arr.length) throw new ProtocolError('the bootstrap ends too early');
  }
  uint(): number {
    this.need(1);
    const value = decoding.readVarUint(this.decoder);
    if (!Number.isSafeInteger(value)) throw new ProtocolError('a bootstrap number is out of range');
    return value;
  }
  int(): number {
    this.need(1);
    return decoding.readVarInt(this.decoder);
  }
  count(max: number): number {
    const value = this.uint();
    if (value > max) throw new ProtocolError(`a bootstrap count (${value}) is out of range`);
    return value;
  }
  bytes(length: number): Uint8Array {
    this.need(length);
    return decoding.readUint8Array(this.decoder, length);
  }
  string(): string {
    return string.decodeUtf8(this.bytes(this.count(this.decoder.arr.length)));
  }
  get isAtEnd(): boolean {
    return this.decoder.pos === this.decoder.arr.length;
  }
}

export interface DecodedBootstrap {
  readonly checkpoint: number;
  readonly records: readonly PulledRecord[];
}

/** Records per pull page a bootstrap is handed on in: each page's updates are rebuilt when it is read, in a task of its own. */
export const BOOTSTRAP_PAGE_RECORDS = 100;

/**
 * A bootstrap body read as far as its records' places: its structure (counts, tables, lengths,
 * ids) is checked whole here, and the records' headers and updates are rebuilt only when
 * `records` asks for them, so a client never turns 10,000 updates back into v1 in one task (0.9 s
 * on a loaded two-core machine).
 */
export interface BootstrapIndex {
  readonly checkpoint: number;
  readonly count: number;
  /** Records `from` to `to` (exclusive), headers parsed and updates rebuilt; a ProtocolError for one that does not decode. */
  records(from: number, to: number): PulledRecord[];
}

/** Reads a bootstrap body's structure (already decompressed); throws ProtocolError on anything but one this module wrote. */
export function indexBootstrap(bytes: Uint8Array): BootstrapIndex {
  const reader = new Reader(bytes);
  try {
    const version = reader.uint();
    if (version !== VERSION) throw new ProtocolError(`unknown bootstrap version ${version}`);
    const checkpoint = reader.uint();
    // Every record takes at least a few bytes, so the count is bounded by the body's length too.
    const count = reader.count(Math.min(MAX_RECORDS, bytes.length));
    const table = () => {
      const values = Array.from({ length: reader.count(count) }, () => reader.string());
      return Array.from({ length: count }, () => {
        const value = values[reader.uint()];
        if (value === undefined) throw new ProtocolError('a bootstrap table index is out of range');
        return value;
      });
    };
    const prefixes = table();
    const madeIds = prefixes.map((prefix) => (prefix === '' ? '' : `${prefix}-${Array.from(reader.bytes(12), (byte) => byte.toString(16).padStart(2, '0')).join('')}`));
    const ids = prefixes.map((prefix, i) => (prefix === '' ? reader.string() : madeIds[i]!));
    const types = table();
    const owners = table();
    const deltas = () => {
      let value = 0;
      return Array.from({ length: count }, () => (value += reader.int()));
    };
    const createdAts = deltas();
    const seqs = deltas();
    // In sequence order, as a pull sends them: a page's last sequence number is then its checkpoint.
    seqs.forEach((seq, i) => {
      if (!Number.isSafeInteger(seq) || seq < 0 || seq > checkpoint) throw new ProtocolError('a bootstrap record has a sequence number beyond its checkpoint');
      if (i > 0 && seq < seqs[i - 1]!) throw new ProtocolError('bootstrap records are not in sequence order');
    });
    const columns: Uint8Array[][] = Array.from({ length: count }, () => []);
    for (let column = 0; column < COLUMNS; column++) {
      const lengths = Array.from({ length: count }, () => reader.count(bytes.length));
      for (let i = 0; i < count; i++) columns[i]!.push(reader.bytes(lengths[i]!));
    }
    if (!reader.isAtEnd) throw new ProtocolError('bytes after the bootstrap');
    const record = (i: number): PulledRecord => {
      const header = recordHeaderSchema.safeParse({ id: ids[i], type: types[i], ownerOrg: owners[i], createdAt: createdAts[i] });
      if (!header.success) throw new ProtocolError(`bootstrap record ${i} has a header no record may have`);
      let update: Uint8Array;
      try {
        update = Y.convertUpdateFormatV2ToV1(updateOf(columns[i]!));
      } catch {
        throw new ProtocolError(`the update of bootstrap record ${header.data.id} does not decode`);
      }
      return { meta: { ...header.data, seq: seqs[i]! }, isFullState: true, update };
    };
    return {
      checkpoint,
      count,
      records: (from, to) => Array.from({ length: Math.max(0, Math.min(to, count) - from) }, (_, k) => record(from + k)),
    };
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError(`corrupt bootstrap: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads a whole bootstrap body (already decompressed) at once; throws ProtocolError on anything but one this module wrote. */
export function decodeBootstrap(bytes: Uint8Array): DecodedBootstrap {
  const index = indexBootstrap(bytes);
  return { checkpoint: index.checkpoint, records: index.records(0, index.count) };
}

/**
 * A bootstrap as the pull stream a hub would have sent for it, one page of BOOTSTRAP_PAGE_RECORDS
 * at a time, each rebuilt when the consumer asks for it: the last page has `isLast` as given
 * (false when the rest is to be pulled from the checkpoint). Each page comes with its checkpoint
 * (its last record's sequence number; the bootstrap's own on the last), so a consumer that stops
 * at a record that does not decode knows where a plain pull takes over.
 */
export function* bootstrapPullPages(index: BootstrapIndex, isLast: boolean): Generator<{ readonly frame: Uint8Array; readonly checkpoint: number }> {
  for (let start = 0; start < index.count || start === 0; start += BOOTSTRAP_PAGE_RECORDS) {
    const records = index.records(start, start + BOOTSTRAP_PAGE_RECORDS);
    const isFinal = start + BOOTSTRAP_PAGE_RECORDS >= index.count;
    const checkpoint = isFinal ? index.checkpoint : records.at(-1)!.meta.seq;
    yield { frame: encodePullFrame({ kind: 'page', records, checkpoint, isLast: isFinal && isLast }), checkpoint };
    if (isFinal) break;
  }
}
