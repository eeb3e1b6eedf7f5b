import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { errorBodySchema, PULL_CONTENT_TYPE, PullFrameReader, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, push, request, toBase64 } from '../support/hubRequests';

/*
 * What the hub's HTTP layer keeps on the wire beyond the error tables (those are hubBadInput's):
 * the paths that are not routes, a body read whatever its Content-Type, the pull stream's headers
 * and encodings, and preflights.
 */

let hub: TestHub;
let member: JoinResponse;
let counter = 0;

const entry = () => ({
  id: `entry-wire-${++counter}`,
  type: 'entry',
  update: createUpdate('entry', { kind: 'practice', title: 'Terraces', language: 'en' }, editContext(member.org.id, 'member')),
});

beforeAll(async () => {
  hub = await startTestHub();
  member = await hub.join(await hub.invite('Lijiang Terrace Farmers'));
});

afterAll(async () => {
  await hub?.close();
});

/** A raw GET: the body as sent (still compressed), with its headers. */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${hub.url}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function upgradeStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${hub.url.replace('http', 'ws')}${path}`);
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      socket.terminate();
      reject(new Error(`${path} accepted a WebSocket`));
    });
    socket.once('error', () => undefined);
  });
}

describe('the hub on the wire', () => {
  it('answers HEAD, a plain GET on a WebSocket path, a path that does not decode, and an upgrade to a path without one with 404 not-found', async () => {
    for (const [method, path] of [
      ['HEAD', '/health'],
      ['GET', '/v1/live'],
      ['GET', '/yjs/entry-x'],
      ['GET', '/v1/%zz'],
    ] as const) {
      const answer = await request(hub.url, path, { method, token: member.token });
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 404 });
      if (method !== 'HEAD') expect(errorBodySchema.parse(answer.body).error.code).toBe('not-found');
    }
    expect(await upgradeStatus('/health')).toBe(404);
    expect(await upgradeStatus('/v2/live')).toBe(404);
  });

  it('reads a push body whatever its Content-Type says, and gzip whatever the case of its Content-Encoding', async () => {
    const body = () => {
      const record = entry();
      return JSON.stringify({ records: [{ ...record, update: toBase64(record.update) }] });
    };
    for (const contentType of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      const answer = await request(hub.url, '/v1/push', { method: 'POST', token: member.token, body: body(), headers: { 'content-type': contentType } });
      expect({ contentType, status: answer.status }).toEqual({ contentType, status: 200 });
    }
    const answer = await request(hub.url, '/v1/push', { method: 'POST', token: member.token, body: gzipSync(body()), headers: { 'content-encoding': 'GZIP' } });
    expect(answer.status).toBe(200);
  });

  it('streams a pull as frames of its own content type, compressed as Accept-Encoding allows', async () => {
    expect((await push(hub.url, member.token, [entry(), entry()])).status).toBe(200);
    const decoded = new Map<string, (body: Buffer) => Buffer>([
      ['br', (body) => brotliDecompressSync(body)],
      ['gzip', (body) => gunzipSync(body)],
      ['identity', (body) => body],
    ]);
    for (const [acceptEncoding, expected] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
      ['identity', 'identity'],
    ] as const) {
      const answer = await rawGet('/v1/pull?since=0', { authorization: `Bearer ${member.token}`, 'accept-encoding': acceptEncoding });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(PULL_CONTENT_TYPE);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(String(answer.headers['vary']).toLowerCase()).toContain('accept-encoding');
      expect(answer.headers['content-encoding'] ?? 'identity').toBe(expected);
      const frames = new PullFrameReader().push(new Uint8Array(decoded.get(expected)!(answer.body)));
      const last = frames[frames.length - 1];
      expect(last).toMatchObject({ kind: 'page', isLast: true });
      expect(frames.flatMap((frame) => (frame.kind === 'page' ? frame.records : [])).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('answers a preflight without an Origin too, and lets browsers keep it for a day', async () => {
    const response = await fetch(`${hub.url}/v1/pull`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, PATCH, HEAD, DELETE');
    // The tus upload headers and Range too: a browser build uploads and resumes media (docs/PROTOCOL.md, Blobs).
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type, content-encoding, fieldwise-app-version, tus-resumable, upload-length, upload-metadata, upload-offset, range');
    expect(response.headers.get('access-control-max-age')).toBe('86400');
  });
});
