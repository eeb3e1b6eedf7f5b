import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEvent } from '../../renderer/sync/syncLogText';
import { syncLabel, type SyncLabel } from '../../renderer/sync/syncStateLabel';
import type { EntryInput } from '../../shared/records/entry';
import type { SyncStatus } from '../../shared/sync/syncEngine';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';

/*
 * Issue 13, "say only what is true": each state of the sync bar, driven through a real hub behind a
 * loopback relay the test cuts (or makes answer 503, as a proxy in front of a hub that is down
 * does), read through the same pure label function the bar renders, and the Sync screen's log
 * describing the same next try.
 */

const practice: EntryInput = {
  kind: 'practice',
  title: 'Drip irrigation from recycled bottles',
  body: 'Fill the bottles every third day.',
  tags: ['water'],
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

type LinkMode = 'up' | 'cut' | 'hub-down' | 'no-websockets';

/**
 * A TCP relay to the hub: `cut` resets every connection; `hub-down` answers HTTP 503 itself;
 * `no-websockets` carries HTTP but resets WebSocket upgrades, as some filtering proxies do.
 */
async function openLink(hubUrl: string) {
  const target = new URL(hubUrl);
  // What a reverse proxy says while the hub behind it is down.
  const proxyError = createHttpServer((request, response) => {
    // Read the request first: answering mid-upload would reset the client's connection.
    request.resume();
    request.once('end', () => response.writeHead(503, { 'content-type': 'text/html' }).end('<h1>503 Service Unavailable</h1>'));
  });
  await new Promise<void>((resolve) => proxyError.listen(0, '127.0.0.1', resolve));
  const proxyErrorPort = (proxyError.address() as AddressInfo).port;
  const sockets = new Set<Socket>();
  let mode: LinkMode = 'up';
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const relay = (client: Socket, port: number, host: string, head?: Buffer) => {
    const upstream = connect(port, host);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    if (head) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const server: Server = createServer((client) => {
    track(client);
    if (mode === 'cut') return client.resetAndDestroy();
    if (mode === 'hub-down') return relay(client, proxyErrorPort, '127.0.0.1');
    if (mode === 'up') return relay(client, Number(target.port), target.hostname);
    client.once('data', (head: Buffer) => {
      if (/\r\nupgrade:\s*websocket/i.test(head.toString('latin1'))) return client.resetAndDestroy();
      relay(client, Number(target.port), target.hostname, head);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Resolves once no connection made before the change is left. */
    async set(next: LinkMode) {
      mode = next;
      const before = [...sockets];
      // A cut link resets; a proxy whose hub went down closes its connections in good order.
      if (next === 'cut') for (const socket of sockets) socket.resetAndDestroy();
      if (next === 'hub-down') for (const socket of before) socket.end();
      if (next !== 'up') await Promise.all(before.map((socket) => (socket.closed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    },
    async close() {
      for (const socket of sockets) socket.resetAndDestroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      proxyError.closeAllConnections();
      await new Promise<void>((resolve) => proxyError.close(() => resolve()));
    },
  };
}

const formatTime = (at: number) => new Date(at).toISOString();

let hub: TestHub;
let link: Awaited<ReturnType<typeof openLink>>;
let device: SyncedClient;
/** Every label the bar would have shown, in order. */
let labels: SyncLabel[];
let statuses: SyncStatus[];

beforeEach(async () => {
  hub = await startTestHub();
  link = await openLink(hub.url);
  const join = await hub.join(await hub.invite('Xishan Water Users', 'member'));
  // Retries and live reconnects wait 30 s: the test moves on by facts and "Sync now", never by sleeping.
  device = await syncedClient({ url: link.url }, join, { engine: { backoff: { baseMs: 60_000, capMs: 60_000 }, random: () => 0.5, localDebounceMs: 60_000, localMaxWaitMs: 60_000, maxBatchBytes: 256 } });
  labels = [];
  statuses = [];
  device.engine.onDidChangeStatus((status) => {
    statuses.push(status);
    labels.push(syncLabel({ kind: 'engine', status }, formatTime));
  });
});

afterEach(async () => {
  await device.close();
  await link.close();
  await hub.close();
});

const label = () => syncLabel({ kind: 'engine', status: device.engine.status }, formatTime);

describe('the sync bar through a real hub and a link that is cut', () => {
  it('connecting, syncing n of m, synced and live; unreachable once cut, never green', async () => {
    for (let i = 0; i < 4; i += 1) await device.client.create('entry', { ...practice, title: `Practice ${i}` });
    void device.engine.start();
    await waitFor(() => label().key === 'sync.state.syncedLive', 10_000, 'synced and live');
    expect(labels[0]).toMatchObject({ state: 'connecting', key: 'sync.state.connecting' });
    // Four records in bodies of about 256 bytes: the bar counted them out.
    expect(labels.filter((shown) => shown.key === 'sync.state.push').map((shown) => shown.values)).toContainEqual({ done: 4, total: 4 });
    expect(label()).toMatchObject({ state: 'synced', pendingCount: 0 });

    await link.set('cut');
    await waitFor(() => !device.engine.status.isLive, 10_000, 'the live socket to see the cut');
    // The reported bug: a green "synced" while the hub could not be reached.
    expect(label()).toMatchObject({ state: 'unreachable', key: 'sync.state.syncedNotLive' });
  });

  it('offline with the next try, the log naming the same try in words; synced (not "unreachable") as soon as a sync succeeds', async () => {
    void device.engine.start();
    await waitFor(() => label().key === 'sync.state.syncedLive', 10_000, 'synced and live');
    await link.set('cut');
    await device.client.create('entry', practice);
    await device.engine.syncNow();
    const offline = label();
    expect(offline).toMatchObject({ state: 'offline', key: 'sync.state.offlineSyncedRetry', pendingCount: 1 });
    expect(offline.nextRetryAt).toBe(device.engine.status.state === 'offline' ? device.engine.status.nextRetryAt : -1);
    expect(offline.values.time).toBe(formatTime(offline.nextRetryAt!));

    const log = [...(await device.engine.log())].reverse();
    const latest = log[0]!;
    expect(latest.kind).toBe('error');
    const line = describeEvent(latest, formatTime, offline.nextRetryAt);
    // The same next try as the bar, and the reason in words, not the transport's "fetch failed".
    expect(line).toEqual({ key: 'sync.log.error', values: { time: offline.values.time }, keys: { phase: 'sync.phase.push', reason: 'sync.reason.network' } });

    // The link returns for HTTP only: the sync succeeds while the live socket cannot connect.
    await link.set('no-websockets');
    const from = labels.length;
    await device.engine.syncNow();
    expect(device.engine.status.isLive).toBe(false);
    const after = labels.slice(from);
    const firstSynced = after.findIndex((shown) => shown.state === 'synced');
    expect(firstSynced).toBeGreaterThanOrEqual(0);
    // The other reported bug: "cannot reach the hub" right after a successful sync.
    expect(after.slice(firstSynced).map((shown) => shown.state)).not.toContain('unreachable');
    expect(label()).toMatchObject({ state: 'synced', key: 'sync.state.synced', pendingCount: 0 });
  });

  it('an error with a reason in words and the next try when the hub answers 503', async () => {
    void device.engine.start();
    await waitFor(() => label().key === 'sync.state.syncedLive', 10_000, 'synced and live');
    await link.set('hub-down');
    await device.client.create('entry', practice);
    await device.engine.syncNow();
    const shown = label();
    expect(shown).toMatchObject({ state: 'error', key: 'sync.state.error', values: { reason: 'sync.reason.hubError' } });
    expect(shown.nextRetryAt).not.toBeNull();
    expect(shown.values.time).toBe(formatTime(shown.nextRetryAt!));
    const latest = [...(await device.engine.log())].reverse()[0]!;
    expect(describeEvent(latest, formatTime, shown.nextRetryAt)).toMatchObject({ values: { time: shown.values.time }, keys: { reason: 'sync.reason.hubError' } });
    // The hub answered (with an error): it is not "unreachable".
    expect(device.engine.status.unreachableSince).toBeNull();
  });
});
