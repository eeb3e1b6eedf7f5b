import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestHub, type TestHub } from '../support/hub';

/* Which paths take a WebSocket upgrade: `/v1/live` itself and `/yjs/<recordId>`, nothing else. */

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});

afterAll(async () => {
  await hub?.close();
});

/** The HTTP status the hub answers an upgrade to `path` with (101 when it takes it). */
function upgradeStatus(path: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}${path}`);
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      socket.terminate();
      resolve(response.statusCode ?? 0);
    });
    socket.once('error', () => resolve(0));
  });
}

describe('WebSocket paths', () => {
  it('takes an upgrade at /v1/live and refuses one below it with 404', async () => {
    expect(await upgradeStatus('/v1/live')).toBe(101);
    expect(await upgradeStatus('/v1/live/extra')).toBe(404);
  });
});
