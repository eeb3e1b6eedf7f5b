import { request as httpRequest, type ClientRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';

/*
 * Adversarial review (issue 12, "Compressed uploads"): the places for inflating uploads (2 bundle
 * uploads, 16 gzip bodies) are shared by all credentials and held for as long as the body takes
 * to arrive. One credential (an observer's) sending its bodies slowly holds every place, and every
 * other device's upload is refused 503 hub-busy.
 */

let hub: TestHub;
let observer: JoinResponse;
let member: JoinResponse;
const held: ClientRequest[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  observer = await hub.join(await hub.invite('Provincial Water Bureau', 'observer'));
  member = await hub.join(await hub.invite('Fengyu Farmers Cooperative', 'member'));
});

afterAll(async () => {
  for (const request of held) request.destroy();
  await hub.close();
});

/** Starts an upload that sends its first bytes and then nothing more. */
function slowUpload(path: string, token: string, headers: Record<string, string>, firstBytes: Uint8Array = Buffer.alloc(16)): void {
  const url = new URL(path, hub.url);
  const request = httpRequest(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-length': String(1024 * 1024), ...headers } });
  request.on('error', () => {});
  request.write(firstBytes);
  held.push(request);
}

describe('adversarial: one credential holds every inflation place', () => {
  it("takes another organization's bundle upload while one observer trickles two uploads", async () => {
    slowUpload('/v1/bundles', observer.token, { 'content-type': 'application/octet-stream' });
    slowUpload('/v1/bundles', observer.token, { 'content-type': 'application/octet-stream' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const response = await fetch(`${hub.url}/v1/bundles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(Buffer.from('not a bundle')),
    });
    // Secure: the member's (bad) bundle is read and refused for what it is, not hub-busy.
    expect(response.status).toBe(400);
  });

  it("takes another organization's gzip push while one observer trickles sixteen", async () => {
    // The first bytes of a real gzip stream: the inflater waits for the rest.
    const start = gzipSync(JSON.stringify({ records: [] }).padEnd(4096, ' ')).subarray(0, 12);
    for (let i = 0; i < 16; i++) slowUpload('/v1/push', observer.token, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, start);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const response = await fetch(`${hub.url}/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: new Uint8Array(gzipSync(JSON.stringify({ records: [] }))),
    });
    expect(response.status).toBe(400);
  });
});

describe('an upload that stops sending gives its place back', () => {
  let idleHub: TestHub;
  beforeAll(async () => {
    idleHub = await startTestHub({ uploadIdleMs: 200 });
  });
  afterAll(async () => {
    await idleHub.close();
  });

  /** An upload that sends its first bytes and then nothing more; resolves with the hub's answer. */
  function stalledUpload(path: string, token: string, headers: Record<string, string>, firstBytes: Uint8Array = Buffer.alloc(16)): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(new URL(path, idleHub.url), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-length': String(1024 * 1024), ...headers } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      request.write(firstBytes);
      held.push(request);
    });
  }

  it('refuses two devices that stall their bundle uploads with 408 upload-stalled, and reads the next device\'s bundle', async () => {
    const first = await idleHub.join(await idleHub.invite('Provincial Water Bureau', 'observer'));
    const second = await idleHub.join(await idleHub.invite('County Water Office', 'observer'));
    const next = await idleHub.join(await idleHub.invite('Fengyu Farmers Cooperative', 'member'));
    const answers = await Promise.all([first, second].map((who) => stalledUpload('/v1/bundles', who.token, { 'content-type': 'application/octet-stream' })));
    for (const answer of answers) expect({ status: answer.status, code: (JSON.parse(answer.body) as { error: { code: string } }).error.code }).toEqual({ status: 408, code: 'upload-stalled' });
    const response = await fetch(`${idleHub.url}/v1/bundles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${next.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(Buffer.from('not a bundle')),
    });
    expect(response.status).toBe(400);
  });

  it('refuses a stalled gzip push with 408 upload-stalled', async () => {
    const sender = await idleHub.join(await idleHub.invite('Erhai Watershed Alliance', 'member'));
    const start = gzipSync(JSON.stringify({ records: [] }).padEnd(4096, ' ')).subarray(0, 12);
    const answer = await stalledUpload('/v1/push', sender.token, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, start);
    expect({ status: answer.status, code: (JSON.parse(answer.body) as { error: { code: string } }).error.code }).toEqual({ status: 408, code: 'upload-stalled' });
  });
});
