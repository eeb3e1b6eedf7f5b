import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { EntryInput } from '../../shared/records/entry';
import { closeCodes, YJS_SUBPROTOCOL, YJS_TOKEN_SUBPROTOCOL_PREFIX, yjsLimits, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, push } from '../support/hubRequests';

/*
 * What one credential may do to `/yjs/<recordId>` (issue 12): set only its own awareness client,
 * of a bounded size; send a bounded number of messages per connection and per credential (many
 * sockets share one budget); hold a bounded number of sockets; and carry its token where no proxy
 * logs it (a first hello message or a subprotocol), the query staying a fallback.
 */

const entryInput: EntryInput = {
  kind: 'practice',
  title: 'Terraced fields',
  language: 'en',
  sharing: 'network',
  attribution: { holderKind: 'community', holderName: 'Hill village', consent: 'credit-by-name' },
};

let hub: TestHub;
let member: JoinResponse;
let observer: JoinResponse;
let recordId: string;
const sockets: WebSocket[] = [];
const providers: { provider: WebsocketProvider; doc: Y.Doc }[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  member = await hub.join(await hub.invite('River Aid'));
  observer = await hub.join(await hub.invite('Watchers', 'observer'));
  recordId = `entry-${randomUUID()}`;
  const answer = await push(hub.url, member.token, [{ id: recordId, type: 'entry', update: createUpdate('entry', entryInput, editContext(member.org.id, 'member')) }]);
  expect(answer.status).toBe(200);
});

afterEach(async () => {
  for (const { provider, doc } of providers.splice(0)) {
    provider.destroy();
    doc.destroy();
  }
  const open = sockets.splice(0);
  for (const socket of open) socket.terminate();
  // The hub frees a credential's places as each close reaches it.
  await waitFor(() => open.every((socket) => socket.readyState === socket.CLOSED), 'sockets to close');
  await sleep(50);
});

afterAll(async () => {
  await hub.close();
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** A raw client of `/yjs`: every message it receives, and how it was closed. */
interface RawClient {
  readonly socket: WebSocket;
  readonly messages: Uint8Array[];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Awareness states the hub sent, by client id (null once removed). */
  readonly awareness: Map<number, unknown>;
}

function rawClient(options: { token?: string; protocols?: string[]; record?: string } = {}): Promise<RawClient> {
  const query = options.token !== undefined ? `?token=${encodeURIComponent(options.token)}` : '';
  const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/yjs/${options.record ?? recordId}${query}`, options.protocols ?? []);
  sockets.push(socket);
  const messages: Uint8Array[] = [];
  const awareness = new Map<number, unknown>();
  socket.binaryType = 'nodebuffer';
  socket.on('message', (data: Buffer) => {
    const bytes = new Uint8Array(data);
    messages.push(bytes);
    const decoder = decoding.createDecoder(bytes);
    if (decoding.readVarUint(decoder) !== 1) return;
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
    for (let count = decoding.readVarUint(update); count > 0; count--) {
      const clientId = decoding.readVarUint(update);
      decoding.readVarUint(update);
      awareness.set(clientId, JSON.parse(decoding.readVarString(update)));
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages, closed, awareness }));
    socket.once('error', reject);
  });
}

function syncStep1(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint8Array(encoder, Y.encodeStateVector(new Y.Doc()));
  return encoding.toUint8Array(encoder);
}

function awarenessUpdate(entries: readonly { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(inner, entry.clientId);
    encoding.writeVarUint(inner, entry.clock);
    encoding.writeVarString(inner, JSON.stringify(entry.state));
  }
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
  return encoding.toUint8Array(encoder);
}

/** Waits until the hub has answered everything sent so far: it answers each sync step 1 in order. */
async function roundTrip(client: RawClient): Promise<void> {
  const before = client.messages.length;
  client.socket.send(syncStep1());
  await waitFor(() => client.messages.slice(before).some((message) => message[0] === 0 && message[1] === 1), 'the sync step 2');
}

describe('/yjs awareness', () => {
  it("drops awareness updates for another connection's client and keeps one state per connection", async () => {
    const owner = await rawClient({ token: member.token });
    owner.socket.send(awarenessUpdate([{ clientId: 1111, clock: 1, state: { user: 'River Aid' } }]));
    await roundTrip(owner);

    const attacker = await rawClient({ token: observer.token });
    attacker.socket.send(awarenessUpdate([{ clientId: 1111, clock: 50, state: { user: 'forged' } }, { clientId: 2222, clock: 1, state: { user: 'Watchers' } }]));
    // Its own state is 2222 from now on: further client ids are someone else's.
    attacker.socket.send(awarenessUpdate([{ clientId: 3333, clock: 1, state: { user: 'extra' } }, { clientId: 4444, clock: 1, state: { user: 'extra' } }]));
    await roundTrip(attacker);

    const onlooker = await rawClient({ token: member.token });
    await roundTrip(onlooker);
    expect(Object.fromEntries(onlooker.awareness)).toEqual({ 1111: { user: 'River Aid' }, 2222: { user: 'Watchers' } });
  });

  it('closes a connection whose awareness state is over its bound (4413 awareness-too-large)', async () => {
    const client = await rawClient({ token: observer.token });
    client.socket.send(awarenessUpdate([{ clientId: 5555, clock: 1, state: { junk: 'x'.repeat(yjsLimits.maxAwarenessStateBytes) } }]));
    expect(await client.closed).toEqual({ code: closeCodes.tooMuch, reason: 'awareness-too-large' });
    const onlooker = await rawClient({ token: member.token });
    await roundTrip(onlooker);
    expect(onlooker.awareness.has(5555)).toBe(false);
  });

  it('drops awareness updates over their rate instead of relaying them', async () => {
    const sender = await rawClient({ token: observer.token });
    const onlooker = await rawClient({ token: member.token });
    await roundTrip(onlooker);
    const before = onlooker.messages.length;
    for (let clock = 1; clock <= 60; clock++) sender.socket.send(awarenessUpdate([{ clientId: 6666, clock, state: { n: clock } }]));
    await roundTrip(sender);
    await roundTrip(onlooker);
    const relayed = onlooker.messages.slice(before).filter((message) => message[0] === 1).length;
    expect(relayed).toBeGreaterThan(0);
    expect(relayed).toBeLessThan(60);
  });
});

describe('/yjs message budgets', () => {
  it('closes a connection that sends more messages than its budget (4429 rate-limited)', async () => {
    const client = await rawClient({ token: observer.token });
    for (let i = 0; i < 1_000; i++) client.socket.send(syncStep1());
    expect(await client.closed).toEqual({ code: closeCodes.rateLimited, reason: 'rate-limited' });
  });

  it("shares one budget among a credential's sockets", async () => {
    const flooder = await hub.join(await hub.invite('Flood Works', 'observer'));
    const clients = await Promise.all(Array.from({ length: 12 }, () => rawClient({ token: flooder.token })));
    // Each socket stays under its own budget; together they are far over the credential's.
    const perSocket = Math.floor(yjsLimits.messageBurstPerConnection / 2);
    expect(perSocket * clients.length).toBeGreaterThan(2 * yjsLimits.messageBurstPerCredential);
    for (let i = 0; i < perSocket; i++) for (const client of clients) client.socket.send(syncStep1());
    await waitFor(() => clients.some((client) => client.socket.readyState === client.socket.CLOSED), 'a socket over the shared budget to close');
    const closed = clients.filter((client) => client.socket.readyState === client.socket.CLOSED);
    for (const client of closed) expect(await client.closed).toEqual({ code: closeCodes.rateLimited, reason: 'rate-limited' });
  });

  it('refuses more sockets per credential than allowed (4429 too-many-connections)', async () => {
    const holder = await hub.join(await hub.invite('Many Tabs', 'observer'));
    const allowed = await Promise.all(Array.from({ length: yjsLimits.maxConnectionsPerCredential }, () => rawClient({ token: holder.token })));
    await Promise.all(allowed.map((client) => roundTrip(client)));
    const extra = await rawClient({ token: holder.token });
    expect(await extra.closed).toEqual({ code: closeCodes.rateLimited, reason: 'too-many-connections' });
    // Another credential is not affected.
    await roundTrip(await rawClient({ token: member.token }));
  });

  it('closes a connection that sends an unknown message type (4400 bad-message)', async () => {
    const client = await rawClient({ token: observer.token });
    client.socket.send(new Uint8Array([7, 0]));
    expect(await client.closed).toEqual({ code: closeCodes.badMessage, reason: 'bad-message' });
  });
});

describe('/yjs credential out of the URL', () => {
  it('takes the token from a first hello message', async () => {
    const client = await rawClient();
    client.socket.send(JSON.stringify({ type: 'hello', token: member.token }));
    await roundTrip(client);
  });

  it('refuses a first message that is not a hello (4401 bad-request)', async () => {
    const client = await rawClient();
    client.socket.send(syncStep1());
    expect(await client.closed).toEqual({ code: closeCodes.unauthorized, reason: 'bad-request' });
  });

  it('takes the token from the subprotocol and never echoes it', async () => {
    const client = await rawClient({ protocols: [YJS_SUBPROTOCOL, `${YJS_TOKEN_SUBPROTOCOL_PREFIX}${member.token}`] });
    expect(client.socket.protocol).toBe(YJS_SUBPROTOCOL);
    await roundTrip(client);
  });

  it("syncs y-websocket's provider with its token in the subprotocol, not the URL", async () => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${hub.url.replace(/^http/, 'ws')}/yjs`, recordId, doc, {
      protocols: [YJS_SUBPROTOCOL, `${YJS_TOKEN_SUBPROTOCOL_PREFIX}${member.token}`],
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 100,
    });
    providers.push({ provider, doc });
    await waitFor(() => provider.synced, 'the provider to sync');
    // The hub's copy of the entry arrived.
    expect(Y.encodeStateVector(doc).length).toBeGreaterThan(1);
  });
});
