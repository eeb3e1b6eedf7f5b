// When a credential ends, over real HTTP and WebSocket on a real hub (SQLite, loopback, the hub's
// clock moved by hand): revoking an organization withdraws its pending invitations, and an expired
// credential loses its open /v1/live and /yjs sockets and can no longer have its bundles imported.
import { toBase64UrlEncoded } from 'lib0/buffer';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { newSigningKey, streamCompression } from '../../shared/sync/bundle';
import { exportFieldBundle } from '../../shared/sync/bundleTransfer';
import { joinResponseSchema, type JoinResponse } from '../../shared/sync/protocol';
import { manualClock, startTestHub, type TestHub } from '../support/hub';
import { request } from '../support/hubRequests';
import { syncedClient, type SyncedClient } from '../support/syncedClient';

const HOUR_MS = 3_600_000;
const opened: { close(): Promise<void> | void }[] = [];

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function joinWith(hub: TestHub, code: string, body: Record<string, unknown> = {}): Promise<{ status: number; body: unknown }> {
  const answer = await request(hub.url, '/v1/join', { method: 'POST', body: JSON.stringify({ code, deviceName: 'field laptop', ...body }), headers: { 'content-type': 'application/json' } });
  return { status: answer.status, body: answer.body };
}

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

async function liveSocket(hub: TestHub, token: string): Promise<WebSocket> {
  const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/v1/live`);
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'hello', token }));
  const first = await new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
  expect(JSON.parse(first)).toMatchObject({ type: 'ready' });
  return socket;
}

async function yjsSocket(hub: TestHub, token: string, recordId: string): Promise<WebSocket> {
  const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/yjs/${recordId}?token=${encodeURIComponent(token)}`);
  // The hub answers a reader with its sync step 1: the socket is in the room.
  await new Promise((resolve, reject) => {
    socket.once('message', resolve);
    socket.once('close', (code) => reject(new Error(`closed ${code}`)));
  });
  return socket;
}

describe('revoking an organization', () => {
  it('withdraws its pending invitations: none of them joins a device afterwards', async () => {
    const hub = await startTestHub();
    opened.push(hub);
    const first = joinResponseSchema.parse((await joinWith(hub, await hub.invite('Fengyu Farmers Cooperative'))).body);
    const pending = await hub.inviteDevice(first.org.id);
    const other = await hub.invite('Cangshan Seed Bank');
    // What `hub revoke --org` does.
    expect(await hub.storage.revokeCredentials({ orgId: first.org.id }, Date.now())).toBe(1);
    expect(await joinWith(hub, pending)).toMatchObject({ status: 403, body: { error: { code: 'invitation-withdrawn' } } });
    // Another organization's invitation is untouched.
    expect((await joinWith(hub, other)).status).toBe(200);
  });
});

describe('an expired credential', () => {
  async function expiringHub(): Promise<{ hub: TestHub; advance(ms: number): void }> {
    const clock = manualClock(Date.now());
    const hub = await startTestHub({ now: clock.now, tokenTtlMs: HOUR_MS });
    opened.push(hub);
    return { hub, advance: (ms) => clock.advance(ms) };
  }

  it('loses its open /v1/live and /yjs sockets within seconds of expiring', async () => {
    const { hub, advance } = await expiringHub();
    const member = joinResponseSchema.parse((await joinWith(hub, await hub.invite('Fengyu Farmers Cooperative'))).body);
    const live = await liveSocket(hub, member.token);
    const yjs = await yjsSocket(hub, member.token, 'network');
    opened.push({ close: () => live.terminate() }, { close: () => yjs.terminate() });
    const closed = Promise.all([closeOf(live), closeOf(yjs)]);
    advance(HOUR_MS + 1);
    expect(await closed).toEqual([
      { code: 4401, reason: 'token-expired' },
      { code: 4401, reason: 'token-expired' },
    ]);
    const refused = await request(hub.url, '/v1/pull?since=0', { token: member.token });
    expect(refused).toMatchObject({ status: 401, body: { error: { code: 'token-expired' } } });
  });

  it('has no bundle it signed imported, also one written before it expired', async () => {
    const { hub, advance } = await expiringHub();
    const key = newSigningKey();
    const answer = await joinWith(hub, await hub.invite('Xishan Water Users'), { devicePublicKey: toBase64UrlEncoded(key.publicKey) });
    const field: JoinResponse = joinResponseSchema.parse(answer.body);
    const device: SyncedClient = await syncedClient(hub, field, { engine: { isLive: false } });
    opened.push(device);
    const entryId = await device.client.create('entry', { kind: 'practice', title: 'Drip irrigation', language: 'en', sharing: 'network', attribution: { holderKind: 'community', holderName: 'Xishan', consent: 'community-approved' } });
    const { bytes } = await exportFieldBundle(device.client, {
      networkId: field.networkId,
      credentialId: field.credentialId,
      secretKey: key.secretKey,
      compression: streamCompression(CompressionStream, DecompressionStream),
    });
    advance(HOUR_MS + 1);
    // Carried to the hub by a device whose own credential is fresh.
    const courier = joinResponseSchema.parse((await joinWith(hub, await hub.invite('Eryuan Seed Bank'))).body);
    const seq = await hub.storage.lastSeq();
    const upload = await request(hub.url, '/v1/bundles', { method: 'POST', token: courier.token, body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    expect(upload).toMatchObject({ status: 403, body: { error: { code: 'bundle-expired' } } });
    expect(await hub.storage.lastSeq()).toBe(seq);
    expect(await hub.storage.getRecord(entryId)).toBeNull();
  });
});
