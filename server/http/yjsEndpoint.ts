import type { IncomingMessage } from 'node:http';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { RawData, WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { z } from 'zod';
import type { RuleFacts } from '../../shared/records/recordModule';
import { recordIdSchema, type RecordHeader } from '../../shared/records/recordType';
import { areBytesEqual, mergeUpdates } from '../../shared/records/yjsUpdates';
import { canRead } from '../../shared/rules/rules';
import { closeCodes, limits, YJS_TOKEN_SUBPROTOCOL_PREFIX, yjsLimits } from '../../shared/sync/protocol';
import type { AuthenticatedDevice, CommitEvent, Hub } from '../hub/hub';
import { HubError } from '../hub/hubError';
import type { StoredRecord } from '../storage/hubStorage';
import { jsonLogger, type Logger, type UpgradeRoute } from './httpServer';
import { MessageBudget } from './messageBudget';
import { refusalStatus } from './refusalStatus';

/*
 * The standard Yjs endpoint, `/yjs/<recordId>`: the y-protocols sync and awareness messages
 * y-websocket's WebsocketProvider speaks, for live co-editing of one record the credential may
 * read. Unlike y-websocket's own server, an incoming update is never applied to the room: it goes
 * through hub.commit (authorize -> validate -> commit), and the room's doc only ever takes what
 * storage holds, so a refused update reaches no one and what a room relays is exactly what a pull
 * would return.
 *
 * A room never integrates a Yjs update on the hub's main thread: integrating can cost far more
 * than the bytes (quadratic for conflicting writes to one key, ~1 s for an update the validation
 * worker just accepted, several seconds to load a state grown by many such pushes). The room keeps
 * the stored state's bytes and its state vector instead of a Y.Doc; a client's sync step 1 is
 * answered with `Y.diffUpdate` of those bytes, and a catch-up relays the diff between the stored
 * state and the one the room had. Both only decode and re-encode structs, linear in bytes
 * whatever the structs would cost to integrate, but still ~0.5 s for a 4 MiB state of small
 * structs on a busy machine: they run in the validation workers too (hub.diffState), in the
 * room's task order. The room's Y.Doc is empty: it carries awareness only.
 *
 * The credential comes, in this order of preference, in a first text message
 * `{"type":"hello","token":"…"}`, in the subprotocol `fieldwise-token.<token>` (offered beside
 * `fieldwise`, which the hub selects: the token is never echoed), or, as a fallback for providers
 * that can set neither, in `?token=`. Nothing here logs a URL or a header.
 *
 * What one credential may cost: a message budget per connection and one per credential shared by
 * all of its sockets (over it, the socket closes with 4429), a few sockets per credential, and
 * awareness only for the connection's own client (updates for other client ids are dropped), of
 * a bounded size, at a bounded rate (updates over it are dropped).
 */

export const YJS_PREFIX = '/yjs';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;

/** Peers that answer no ping within this long are dropped (y-websocket's server uses 30 s too). */
const PING_INTERVAL_MS = 30_000;
/** Messages a connection may send while it is still being authenticated, and updates waiting for a commit. */
const MAX_BUFFERED_BYTES = limits.maxBodyBytes;
/** Never used as a room's own: roomFor takes it only when the room exists already. */
const room0StateVector = new Uint8Array([0]);

class Connection {
  /**
   * The one awareness client this connection speaks for: the first client id it sets a state for
   * that no other connection holds. Removed for everyone when it closes.
   */
  awarenessClientId: number | null = null;
  readonly messageBudget = new MessageBudget({ perSecond: yjsLimits.messagesPerSecondPerConnection, burst: yjsLimits.messageBurstPerConnection });
  readonly awarenessBudget = new MessageBudget({ perSecond: yjsLimits.awarenessPerSecondPerConnection, burst: yjsLimits.awarenessBurstPerConnection });
  /** Updates received and not yet committed, oldest first. */
  readonly pending: Uint8Array[] = [];
  pendingBytes = 0;
  isAlive = true;

  constructor(
    readonly socket: WebSocket,
    readonly device: AuthenticatedDevice,
    // Kept to authenticate again before each commit, so an expired or revoked credential commits
    // nothing even before closeRevoked runs. Never logged.
    readonly token: string,
    /** Shared by every socket of this credential. */
    readonly credentialBudget: MessageBudget,
  ) {}

  send(message: Uint8Array): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(message);
  }
}

/** The ids along a record's chain of read-through targets (RuleFacts.target, nested). */
function targetIdsOf(facts: RuleFacts): ReadonlySet<string> {
  const ids = new Set<string>();
  for (let target = facts.target; target !== undefined && !ids.has(target.id); target = target.facts.target) ids.add(target.id);
  return ids;
}

class Room {
  /** Never holds content (see the top of the file): awareness needs a doc. */
  readonly doc = new Y.Doc();
  readonly awareness: awarenessProtocol.Awareness;
  readonly connections = new Map<WebSocket, Connection>();
  /** Which connection speaks for each awareness client id. */
  readonly awarenessOwners = new Map<number, Connection>();
  readonly header: RecordHeader;
  /** Every change up to this sequence number is in `state`. */
  seq: number;
  /** The record's stored state as of `seq`, as storage holds it (never integrated here). */
  state: Uint8Array;
  stateVector: Uint8Array;
  /**
   * The records this one is read through (a comment's entry, a translation's original, a comment
   * on a translation's both): a commit of any of them may change who reads this one.
   */
  targetIds: ReadonlySet<string>;
  /** The highest sequence number a commit event announced for this record. */
  wantedSeq = 0;
  isCatchUpQueued = false;
  isClosed = false;
  private tail: Promise<void> = Promise.resolve();
  private readonly pingTimer: NodeJS.Timeout;

  constructor(
    record: StoredRecord,
    stateVector: Uint8Array,
    private readonly onError: (error: unknown) => void,
  ) {
    this.header = record.header;
    this.seq = record.seq;
    this.state = record.state;
    this.stateVector = stateVector;
    this.targetIds = targetIdsOf(record.facts);
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    // The hub is no peer: it shows no presence of its own.
    this.awareness.setLocalState(null);
    this.pingTimer = setInterval(() => this.ping(), PING_INTERVAL_MS);
  }

  get id(): string {
    return this.header.id;
  }

  /** Runs tasks one at a time, in order, so commits and catch-ups apply in sequence order. */
  run(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch(this.onError);
  }

  broadcast(message: Uint8Array): void {
    for (const connection of this.connections.values()) connection.send(message);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.pingTimer);
    // Destroying the doc destroys the awareness and its timer too.
    this.doc.destroy();
  }

  private ping(): void {
    for (const connection of this.connections.values()) {
      if (!connection.isAlive) {
        connection.socket.terminate();
        continue;
      }
      connection.isAlive = false;
      connection.socket.ping();
    }
  }
}

function syncMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function awarenessMessage(awareness: awarenessProtocol.Awareness, clientIds: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clientIds));
  return encoding.toUint8Array(encoder);
}

function bytesOf(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The record id of `/yjs/<recordId>`, or null when the path names none. */
function recordIdOf(url: URL): string | null {
  const rest = url.pathname.slice(YJS_PREFIX.length + 1);
  if (!url.pathname.startsWith(`${YJS_PREFIX}/`) || rest.includes('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return null;
  }
  const parsed = recordIdSchema.safeParse(decoded);
  return parsed.success ? parsed.data : null;
}

interface AwarenessEntry {
  readonly clientId: number;
  readonly clock: number;
  readonly stateJson: string;
}

/** y-protocols' awareness update: count, then (clientID, clock, state JSON) per client. */
function readAwarenessEntries(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const entries: AwarenessEntry[] = [];
  for (let count = decoding.readVarUint(decoder); count > 0; count--) {
    entries.push({ clientId: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder), stateJson: decoding.readVarString(decoder) });
  }
  return entries;
}

function writeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, entry.stateJson);
  }
  return encoding.toUint8Array(encoder);
}

const helloSchema = z.strictObject({ type: z.literal('hello'), token: z.string().min(1).max(4096) });

function helloToken(text: string): string | undefined {
  try {
    const parsed = helloSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.token : undefined;
  } catch {
    return undefined;
  }
}

/** The token of the subprotocol `fieldwise-token.<token>`, else of `?token=`; undefined when neither (a hello follows). */
function tokenOffered(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers['sec-websocket-protocol'];
  const offered = (typeof header === 'string' ? header : '').split(',').map((protocol) => protocol.trim());
  const fromProtocol = offered.find((protocol) => protocol.startsWith(YJS_TOKEN_SUBPROTOCOL_PREFIX));
  if (fromProtocol !== undefined) return fromProtocol.slice(YJS_TOKEN_SUBPROTOCOL_PREFIX.length);
  return url.searchParams.get('token') ?? undefined;
}

/** An update that carries no structs and no deletions (a step 2 from a client with nothing new). */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}

export interface YjsRouteOptions {
  readonly logger?: Logger;
}

export function createYjsRoute(hub: Hub, options: YjsRouteOptions = {}): UpgradeRoute & { close(): void } {
  const log = options.logger ?? jsonLogger;
  const storage = hub.storage;
  const rooms = new Map<string, Room>();
  let isClosed = false;

  const logError = (error: unknown) =>
    log({ level: 'error', path: YJS_PREFIX, message: error instanceof Error ? error.message : String(error) });

  /** The record's open room, or a new one on `record` (whose state vector is `stateVector`). */
  function roomFor(record: StoredRecord, stateVector: Uint8Array): Room {
    const existing = rooms.get(record.header.id);
    if (existing) {
      requestCatchUp(existing, record.seq);
      return existing;
    }
    const room = new Room(record, stateVector, logError);
    rooms.set(room.id, room);
    room.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      // To every connection, the sender included: y-websocket's client takes its own echoed
      // awareness renewal (every 15 s) as the sign of life that keeps it from reconnecting.
      room.broadcast(awarenessMessage(room.awareness, [...added, ...updated, ...removed]));
    });
    // A commit may have landed between reading the record and subscribing to this room.
    requestCatchUp(room, Number.MAX_SAFE_INTEGER);
    return room;
  }

  function leave(room: Room, connection: Connection): void {
    if (room.connections.get(connection.socket) !== connection) return;
    room.connections.delete(connection.socket);
    const clientId = connection.awarenessClientId;
    if (clientId !== null && room.awarenessOwners.get(clientId) === connection) {
      room.awarenessOwners.delete(clientId);
      awarenessProtocol.removeAwarenessStates(room.awareness, [clientId], null);
    }
    if (room.connections.size === 0) {
      room.close();
      if (rooms.get(room.id) === room) rooms.delete(room.id);
    }
  }

  function drop(room: Room, connection: Connection, code: number, reason: string): void {
    leave(room, connection);
    connection.socket.close(code, reason);
  }

  function requestCatchUp(room: Room, seq: number): void {
    room.wantedSeq = Math.max(room.wantedSeq, seq);
    if (room.isCatchUpQueued) return;
    room.isCatchUpQueued = true;
    room.run(async () => {
      room.isCatchUpQueued = false;
      const wanted = room.wantedSeq;
      room.wantedSeq = 0;
      if (wanted > room.seq) await catchUp(room);
    });
  }

  /**
   * Brings the room's state up to what storage holds and relays the difference. Connections that may
   * no longer read the record (it became a private draft) are closed before anything is relayed.
   */
  async function catchUp(room: Room): Promise<void> {
    const record = await storage.getRecord(room.id);
    if (!record || room.isClosed || record.seq <= room.seq) return;
    // The stored state holds every acknowledged update (compacted or not): what it has beyond the
    // room's state vector, plus its deletions, is what the room's peers lack.
    const diffed = areBytesEqual(record.state, room.state) ? null : await hub.diffState(room.id, record.state, room.stateVector);
    if (room.isClosed) return;
    const update = diffed?.update ?? null;
    if (diffed) {
      room.state = record.state;
      room.stateVector = diffed.stateVector;
    }
    room.seq = Math.max(room.seq, record.seq);
    // The stored facts, not the doc's: a comment's read scope is its target's (rules.ts,
    // readThroughTarget), which changes with no change to the comment's own doc.
    room.targetIds = targetIdsOf(record.facts);
    for (const connection of [...room.connections.values()]) {
      if (!canRead(connection.device, room.header, record.facts)) drop(room, connection, closeCodes.forbidden, 'forbidden');
    }
    if (update === null) return;
    room.broadcast(syncMessage((encoder) => syncProtocol.writeUpdate(encoder, update)));
  }

  /** Commits a connection's waiting updates, merged, as one push would; refused ones are dropped. */
  async function flush(room: Room, connection: Connection): Promise<void> {
    const batch: Uint8Array[] = [];
    let batchBytes = 0;
    while (connection.pending.length > 0 && (batch.length === 0 || batchBytes + connection.pending[0]!.length <= limits.maxUpdateBytes)) {
      const next = connection.pending.shift()!;
      batch.push(next);
      batchBytes += next.length;
    }
    connection.pendingBytes -= batchBytes;
    if (connection.pending.length > 0) room.run(() => flush(room, connection));
    if (batch.length === 0) return;

    let device: AuthenticatedDevice;
    try {
      device = await hub.authenticate(connection.token);
    } catch (error) {
      connection.pending.length = 0;
      drop(room, connection, closeCodes.unauthorized, error instanceof HubError ? error.code : 'unauthorized');
      return;
    }
    const update = mergeUpdates(batch);
    try {
      await hub.commit(device, [{ id: room.id, type: room.header.type, update }]);
    } catch (error) {
      if (!(error instanceof HubError)) {
        // The client still holds the change: reconnecting sends it again in its sync step 2.
        drop(room, connection, closeCodes.internal, 'internal');
        throw error;
      }
      log({ level: 'warn', path: YJS_PREFIX, recordId: room.id, status: refusalStatus[error.code].status, code: error.code });
      return;
    }
    await catchUp(room);
  }

  function receive(room: Room, connection: Connection, message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    switch (decoding.readVarUint(decoder)) {
      case MESSAGE_SYNC: {
        const step = decoding.readVarUint(decoder);
        if (step === syncProtocol.messageYjsSyncStep1) {
          const stateVector = decoding.readVarUint8Array(decoder);
          // In the room's order: after the catch-ups before it, so the answer is what the room has.
          room.run(async () => {
            let missing: Uint8Array;
            try {
              missing = (await hub.diffState(room.id, room.state, stateVector)).update!;
            } catch (error) {
              if (!(error instanceof HubError)) throw error;
              drop(room, connection, closeCodes.badMessage, 'bad-message');
              return;
            }
            connection.send(
              syncMessage((encoder) => {
                encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
                encoding.writeVarUint8Array(encoder, missing);
              }),
            );
          });
        } else if (step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate) {
          const update = decoding.readVarUint8Array(decoder);
          if (isEmptyUpdate(update)) return;
          connection.pending.push(update);
          connection.pendingBytes += update.length;
          if (connection.pendingBytes > MAX_BUFFERED_BYTES) {
            connection.pending.length = 0;
            drop(room, connection, closeCodes.tooMuch, 'update-too-large');
          } else if (connection.pending.length === 1) {
            // More than one waiting means a flush is queued already; it takes them all.
            room.run(() => flush(room, connection));
          }
        } else {
          throw new Error('unknown sync step');
        }
        return;
      }
      case MESSAGE_AWARENESS: {
        // Presence is ephemeral and renewed every 15 s: over its budget an update is dropped.
        if (!connection.awarenessBudget.take()) return;
        const entries = readAwarenessEntries(decoding.readVarUint8Array(decoder));
        // A provider relays every state it knows, others' included: those are dropped, not refused.
        const own = entries.filter((entry) => claimsAwareness(room, connection, entry));
        if (own.some((entry) => Buffer.byteLength(entry.stateJson) > yjsLimits.maxAwarenessStateBytes)) {
          drop(room, connection, closeCodes.tooMuch, 'awareness-too-large');
          return;
        }
        if (own.length > 0) awarenessProtocol.applyAwarenessUpdate(room.awareness, writeAwarenessEntries(own), connection);
        return;
      }
      case MESSAGE_QUERY_AWARENESS:
        connection.send(awarenessMessage(room.awareness, [...room.awareness.getStates().keys()]));
        return;
      default:
        // messageAuth (which only a server sends) and anything unknown: the message is not understood.
        throw new Error('unknown message type');
    }
  }

  /**
   * Whether `entry` is this connection's own awareness client. A connection claims the first client
   * id it sets a state for that no other connection holds; another socket of the same credential
   * may take it over with a newer clock (a reconnecting provider whose old socket is not yet gone).
   */
  function claimsAwareness(room: Room, connection: Connection, entry: AwarenessEntry): boolean {
    if (connection.awarenessClientId !== null) return entry.clientId === connection.awarenessClientId;
    if (entry.stateJson === 'null') return false;
    const owner = room.awarenessOwners.get(entry.clientId);
    if (owner) {
      const knownClock = room.awareness.meta.get(entry.clientId)?.clock ?? -1;
      if (owner.device.credentialId !== connection.device.credentialId || entry.clock <= knownClock) return false;
      owner.awarenessClientId = null;
    }
    connection.awarenessClientId = entry.clientId;
    room.awarenessOwners.set(entry.clientId, connection);
    return true;
  }

  /** Authenticates, checks the record and read access, and joins the room; null when refused. */
  async function open(socket: WebSocket, url: URL, token: string, reserve: (credentialId: string) => MessageBudget | null): Promise<{ room: Room; connection: Connection } | null> {
    const recordId = recordIdOf(url);
    if (recordId === null) {
      socket.close(closeCodes.notFound, 'not-found');
      return null;
    }
    let device: AuthenticatedDevice;
    try {
      device = await hub.authenticate(token);
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      socket.close(closeCodes.unauthorized, error.code);
      return null;
    }
    const credentialBudget = reserve(device.credentialId);
    if (!credentialBudget) {
      socket.close(closeCodes.rateLimited, 'too-many-connections');
      return null;
    }
    const record = await storage.getRecord(recordId);
    // A record this credential may not read is answered as a missing one: a different close code
    // would tell anyone whether another organization's ballot or private draft exists.
    if (!record || !canRead(device, record.header, record.facts)) {
      socket.close(closeCodes.notFound, 'not-found');
      return null;
    }
    if (socket.readyState !== socket.OPEN) return null;
    if (isClosed) {
      socket.close(closeCodes.goingAway, 'shutting-down');
      return null;
    }
    // A new room's state vector comes from the workers too; another socket may open it meanwhile.
    const stateVector = rooms.has(record.header.id) ? null : (await hub.diffState(record.header.id, record.state, null)).stateVector;
    if (socket.readyState !== socket.OPEN) return null;
    if (isClosed) {
      socket.close(closeCodes.goingAway, 'shutting-down');
      return null;
    }
    // Without an await since `rooms.has`, a null state vector means the room is there to join.
    const room = roomFor(record, stateVector ?? room0StateVector);
    const connection = new Connection(socket, device, token, credentialBudget);
    room.connections.set(socket, connection);
    connection.send(
      syncMessage((encoder) => {
        encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep1);
        encoding.writeVarUint8Array(encoder, room.stateVector);
      }),
    );
    const states = room.awareness.getStates();
    if (states.size > 0) connection.send(awarenessMessage(room.awareness, [...states.keys()]));
    return { room, connection };
  }

  const unsubscribe = hub.onDidCommit((event: CommitEvent) => {
    for (const id of event.recordIds) {
      const room = rooms.get(id);
      if (room) requestCatchUp(room, event.seq);
    }
    // A commit of a target re-derives its attached records' read scope under later seqs, down the chain (attachedFacts.ts).
    const changed = new Set(event.recordIds);
    for (const room of rooms.values()) if ([...room.targetIds].some((id) => changed.has(id))) requestCatchUp(room, event.seq);
  });

  /** Sockets per credential (counted from authentication to close), and each credential's shared budget. */
  const socketsPerCredential = new Map<string, number>();
  const credentialBudgets = new Map<string, MessageBudget>();

  function reserveSocket(credentialId: string): MessageBudget | null {
    const count = socketsPerCredential.get(credentialId) ?? 0;
    if (count >= yjsLimits.maxConnectionsPerCredential) return null;
    socketsPerCredential.set(credentialId, count + 1);
    let budget = credentialBudgets.get(credentialId);
    if (!budget) {
      budget = new MessageBudget({ perSecond: yjsLimits.messagesPerSecondPerCredential, burst: yjsLimits.messageBurstPerCredential });
      credentialBudgets.set(credentialId, budget);
    }
    return budget;
  }

  function releaseSocket(credentialId: string): void {
    const count = (socketsPerCredential.get(credentialId) ?? 1) - 1;
    if (count > 0) {
      socketsPerCredential.set(credentialId, count);
      return;
    }
    socketsPerCredential.delete(credentialId);
    // A spent budget is kept: closing and reopening sockets must not refill it.
    if (credentialBudgets.get(credentialId)?.isFull) credentialBudgets.delete(credentialId);
  }

  return {
    prefix: YJS_PREFIX,
    accept(socket: WebSocket, request: IncomingMessage, url: URL) {
      let joined: { room: Room; connection: Connection } | null = null;
      let reservedFor: string | null = null;
      const reserve = (credentialId: string) => {
        // A socket already closed would never release its place.
        if (socket.readyState !== socket.OPEN) return null;
        const budget = reserveSocket(credentialId);
        if (budget) reservedFor = credentialId;
        return budget;
      };
      // The client speaks first (hello, sync step 1, awareness) while it is still being authenticated.
      const early: Uint8Array[] = [];
      let earlyBytes = 0;
      const handle = (message: Uint8Array) => {
        if (!joined) return;
        const { room, connection } = joined;
        // Both budgets are spent by every message; over either, the socket closes (its client
        // reconnects and its sync step 2 sends again whatever was not committed).
        if (!connection.messageBudget.take() || !connection.credentialBudget.take()) {
          connection.pending.length = 0;
          drop(room, connection, closeCodes.rateLimited, 'rate-limited');
          return;
        }
        try {
          receive(room, connection, message);
        } catch {
          drop(room, connection, closeCodes.badMessage, 'bad-message');
        }
      };
      const offered = tokenOffered(request, url);
      let isAwaitingHello = offered === undefined;
      const helloTimer = isAwaitingHello ? setTimeout(() => socket.close(closeCodes.unauthorized, 'no hello'), yjsLimits.helloTimeoutMs) : null;
      socket.on('message', (data, isBinary) => {
        if (isAwaitingHello) {
          isAwaitingHello = false;
          if (helloTimer) clearTimeout(helloTimer);
          const token = isBinary ? undefined : helloToken(String(data));
          if (token === undefined) socket.close(closeCodes.unauthorized, 'bad-request');
          else start(token);
          return;
        }
        if (!isBinary) {
          socket.close(closeCodes.badMessage, 'bad-message');
          return;
        }
        const message = bytesOf(data);
        if (joined) return handle(message);
        earlyBytes += message.length;
        if (earlyBytes > MAX_BUFFERED_BYTES) socket.close(closeCodes.tooMuch, 'too-much-before-ready');
        else early.push(message);
      });
      socket.on('pong', () => {
        if (joined) joined.connection.isAlive = true;
      });
      socket.on('close', () => {
        if (helloTimer) clearTimeout(helloTimer);
        if (joined) leave(joined.room, joined.connection);
        if (reservedFor !== null) releaseSocket(reservedFor);
        reservedFor = null;
      });
      socket.on('error', () => socket.terminate());
      const start = (token: string) =>
        open(socket, url, token, reserve)
          .then((result) => {
            if (!result) return;
            joined = result;
            if (socket.readyState !== socket.OPEN) return leave(result.room, result.connection);
            for (const message of early.splice(0)) {
              if (joined.room.connections.get(socket) === joined.connection) handle(message);
            }
          })
          .catch((error: unknown) => {
            logError(error);
            socket.close(closeCodes.internal, 'internal');
          });
      if (offered !== undefined) void start(offered);
    },
    closeRevoked(credentialIds: ReadonlySet<string>) {
      for (const room of [...rooms.values()]) {
        for (const connection of [...room.connections.values()]) {
          if (credentialIds.has(connection.device.credentialId)) drop(room, connection, closeCodes.revoked, 'token-revoked');
        }
      }
    },
    closeExpired(now: number) {
      for (const room of [...rooms.values()]) {
        for (const connection of [...room.connections.values()]) {
          if (connection.device.expiresAt <= now) drop(room, connection, closeCodes.unauthorized, 'token-expired');
        }
      }
    },
    close() {
      isClosed = true;
      unsubscribe();
      for (const room of [...rooms.values()]) {
        for (const connection of [...room.connections.values()]) drop(room, connection, closeCodes.goingAway, 'shutting-down');
        // A room still opening (its state loading in a worker) has no connection yet to drop: its
        // awareness timer would outlive the hub.
        room.close();
      }
      rooms.clear();
    },
  };
}
