import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { entry, entryMutators } from '../../shared/records/entry';
import type { EditContext } from '../../shared/records/recordModule';
import { joinResponseSchema, PullFrameReader, type JoinResponse } from '../../shared/sync/protocol';
import { runHubCommand, startHubProcess, type HubProcess } from '../support/hubProcess';

/*
 * Two hub processes on one PostgreSQL serve the same network: a change pushed to one reaches a
 * client live-connected to the other within 2 seconds (LISTEN/NOTIFY). Runs when CI gives a
 * PostgreSQL URL; each run creates a database of its own and drops it.
 */

const baseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;

describe.runIf(Boolean(baseUrl))('two hub processes on one PostgreSQL', () => {
  const database = `fw_scaleout_${process.pid}_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;
  let hubs: HubProcess[] = [];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(baseUrl!);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    const init = runHubCommand(['init', '--database-url', databaseUrl, '--network', 'Scale-out network']);
    expect(init.status, init.stderr).toBe(0);
    hubs = await Promise.all([startHubProcess(['--database-url', databaseUrl]), startHubProcess(['--database-url', databaseUrl])]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.kill()));
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  async function joinAt(hub: HubProcess, orgName: string): Promise<JoinResponse> {
    const code = runHubCommand(['invite', '--database-url', databaseUrl, '--org-name', orgName, '--role', 'member']).lastLine;
    const response = await fetch(`${hub.url}/v1/join`, { method: 'POST', body: JSON.stringify({ code, deviceName: 'laptop' }) });
    return joinResponseSchema.parse(await response.json());
  }

  async function pushTo(hub: HubProcess, device: JoinResponse, records: readonly { id: string; update: Uint8Array }[]): Promise<Response> {
    return fetch(`${hub.url}/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${device.token}` },
      body: JSON.stringify({ records: records.map((record) => ({ id: record.id, type: 'entry', update: Buffer.from(record.update).toString('base64') })) }),
    });
  }

  it('a push to one process reaches a client live on the other within 2 seconds', async () => {
    const [first, second] = hubs as [HubProcess, HubProcess];
    const listener = await joinAt(first, 'Listening Org');
    const writer = await joinAt(second, 'Writing Org');

    const socket = new WebSocket(`${first.url.replace('http', 'ws')}/v1/live`);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'hello', token: listener.token }));
    const ready = JSON.parse(String(await new Promise((resolve) => socket.once('message', resolve)))) as { seq: number };

    const doc = new Y.Doc();
    entry.create(
      doc,
      entry.parseInput({ kind: 'practice', title: '跨进程同步 cross-process', language: 'zh', attribution: { holderKind: 'community', holderName: 'x', consent: 'community-approved' }, sharing: 'network' }),
      { orgId: writer.org.id, deviceId: writer.deviceId, role: 'member', now: Date.now() },
    );
    const announced = new Promise<{ seq: number; at: number }>((resolve) =>
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; seq: number };
        if (message.type === 'seq') resolve({ seq: message.seq, at: Date.now() });
      }),
    );
    const pushedAt = Date.now();
    const push = await fetch(`${second.url}/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer.token}` },
      body: JSON.stringify({ records: [{ id: 'entry-scaleout', type: 'entry', update: Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64') }] }),
    });
    expect(push.status).toBe(200);
    const { seq, at } = await announced;
    expect(seq).toBeGreaterThan(ready.seq);
    expect(at - pushedAt).toBeLessThan(2_000);
    socket.close();

    // And the listener pulls the change from its own process.
    const pull = await fetch(`${first.url}/v1/pull?since=${ready.seq}&projections=1`, { headers: { authorization: `Bearer ${listener.token}` } });
    const reader = new PullFrameReader();
    const titles: string[] = [];
    for await (const chunk of pull.body as unknown as AsyncIterable<Uint8Array>) {
      for (const frame of reader.push(chunk)) if (frame.kind === 'page') titles.push(...frame.records.map((r) => String(r.meta.projection?.title)));
    }
    expect(titles).toContain('跨进程同步 cross-process');
  }, 30_000);

  it('a push of more than 100 records reaches a /yjs room open on the other process', async () => {
    const [first, second] = hubs as [HubProcess, HubProcess];
    const writer = await joinAt(second, 'Bulk Writing Org');
    const reader = await joinAt(first, 'Bulk Reading Org');
    const context = (): EditContext => ({ orgId: writer.org.id, deviceId: writer.deviceId, role: 'member', now: Date.now() });
    const input = (title: string) =>
      entry.parseInput({ kind: 'practice', title, language: 'en', attribution: { holderKind: 'community', holderName: 'x', consent: 'community-approved' }, sharing: 'network' });

    const watched = new Y.Doc();
    entry.create(watched, input('before the bulk push'), context());
    expect((await pushTo(second, writer, [{ id: 'entry-watched', update: Y.encodeStateAsUpdate(watched) }])).status).toBe(200);

    const roomDoc = new Y.Doc();
    const provider = new WebsocketProvider(`${first.url.replace(/^http/, 'ws')}/yjs`, 'entry-watched', roomDoc, {
      params: { token: reader.token },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 100,
    });
    try {
      await waitFor(() => provider.synced && entry.read(roomDoc).title === 'before the bulk push', 'the room on the first process to sync');

      // Past the fan-out's 100 ids, the NOTIFY payload cannot name every record.
      const before = Y.encodeStateVector(watched);
      entryMutators.setFields.apply(watched, { title: 'changed in a bulk push' }, context());
      const bulk = Array.from({ length: 150 }, (_, index) => {
        const doc = new Y.Doc();
        entry.create(doc, input(`bulk ${index}`), context());
        const update = Y.encodeStateAsUpdate(doc);
        doc.destroy();
        return { id: `entry-bulk-${index}`, update };
      });
      // The watched record in the middle: neither the commit's first nor its last sequence number.
      const records = [...bulk.slice(0, 75), { id: 'entry-watched', update: Y.encodeStateAsUpdate(watched, before) }, ...bulk.slice(75)];
      const push = await pushTo(second, writer, records);
      expect(push.status, await push.clone().text()).toBe(200);
      await waitFor(() => entry.read(roomDoc).title === 'changed in a bulk push', 'the bulk change to reach the room on the other process');
    } finally {
      provider.destroy();
      roomDoc.destroy();
      watched.destroy();
    }
  }, 30_000);
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
