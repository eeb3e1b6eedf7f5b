import { request as httpRequest, type ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadLimits } from '../../server/http/httpServer';
import { errorBodySchema, limits, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { pushBody, request, type HubAnswer } from '../support/hubRequests';

/*
 * What a compressed upload may cost the hub (issue 12): a gzip body stops inflating at its limit
 * with 413; only so many uploads are inflated at once (503 `hub-busy` with Retry-After beyond);
 * and one credential may upload only so many bundles a minute (429 with Retry-After), each of
 * which may inflate to 256 MiB.
 */

let hub: TestHub;
let uploader: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  uploader = await hub.join(await hub.invite('Stick Carriers'));
});

afterAll(async () => {
  await hub?.close();
});

const notABundle = new TextEncoder().encode('this is not a bundle at all');

function uploadBundle(token: string, body: Uint8Array = notABundle): Promise<HubAnswer> {
  return request(hub.url, '/v1/bundles', { method: 'POST', token, body, headers: { 'content-type': 'application/octet-stream' } });
}

/** A bundle upload that sends its headers and a first chunk, then holds the rest back. */
function hangingUpload(token: string): Promise<{ request: ClientRequest; answered: Promise<number> }> {
  const url = new URL('/v1/bundles', hub.url);
  const pending = httpRequest(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(1024 * 1024) },
  });
  const answered = new Promise<number>((resolve) => {
    pending.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    pending.on('error', () => resolve(0));
  });
  pending.flushHeaders();
  return new Promise((resolve) => pending.write(Buffer.alloc(1024), () => resolve({ request: pending, answered })));
}

describe('compressed uploads', () => {
  it('stops inflating a gzip bomb at the body limit and refuses it with 413 body-too-large', async () => {
    // 64 MiB of zeros gzip to ~64 KiB; the push limit is 8 MiB.
    const bomb = gzipSync(Buffer.alloc(8 * limits.maxBodyBytes));
    const answer = await pushBody(hub.url, uploader.token, bomb, { 'content-encoding': 'gzip' });
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 413, body: { error: { code: 'body-too-large' } } });
    errorBodySchema.parse(answer.body);
    expect((await request(hub.url, '/health')).status).toBe(200);
  });

  it('refuses a bundle upload beyond those inflated at once with 503 hub-busy and Retry-After, and takes it again once they are done', async () => {
    const holders = await Promise.all(Array.from({ length: uploadLimits.concurrentBundles }, async (_, i) => hub.join(await hub.invite(`Holder ${i}`))));
    const hanging = await Promise.all(holders.map((holder) => hangingUpload(holder.token)));
    const latecomer = await hub.join(await hub.invite('Latecomer'));
    // The held uploads take their places as soon as the hub has read their headers.
    let answer = await uploadBundle(latecomer.token);
    for (let attempt = 0; attempt < 4 && answer.status !== 503; attempt++) {
      await sleep(100);
      answer = await uploadBundle(latecomer.token);
    }
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 503, body: { error: { code: 'hub-busy' } } });
    errorBodySchema.parse(answer.body);
    expect(answer.headers.get('retry-after')).toBe(String(uploadLimits.busyRetryAfterSeconds));

    for (const { request: held } of hanging) held.destroy();
    await Promise.all(hanging.map(({ answered }) => answered));
    const freed = await hub.join(await hub.invite('After the rush'));
    let after = await uploadBundle(freed.token);
    for (let attempt = 0; attempt < 4 && after.status === 503; attempt++) {
      await sleep(100);
      after = await uploadBundle(freed.token);
    }
    expect({ status: after.status, body: after.body }).toMatchObject({ status: 400, body: { error: { code: 'bad-bundle' } } });
  });

  it(`allows one credential ${uploadLimits.bundlesPerMinute} bundle uploads a minute, then 429 rate-limited with Retry-After`, async () => {
    const carrier = await hub.join(await hub.invite('Busy Carrier'));
    for (let i = 0; i < uploadLimits.bundlesPerMinute; i++) expect((await uploadBundle(carrier.token)).status).toBe(400);
    const refused = await uploadBundle(carrier.token);
    expect({ status: refused.status, body: refused.body }).toMatchObject({ status: 429, body: { error: { code: 'rate-limited' } } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Its pushes and pulls are counted apart from its bundles.
    expect((await request(hub.url, '/v1/pull?since=0', { token: carrier.token })).status).toBe(200);
  });
});
