import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';

/* The renderer calls the hub from app:// or another origin: preflights pass, answers are readable. */

describe('cross-origin access to the hub', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('answers a preflight for an authorized push from another origin', async () => {
    const response = await fetch(`${hub.url}/v1/push`, {
      method: 'OPTIONS',
      headers: { origin: 'app://fieldwise', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('lets another origin read refusals, including when to retry', async () => {
    const response = await fetch(`${hub.url}/v1/pull?since=0`, { headers: { origin: 'http://127.0.0.1:5173' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toContain('retry-after');
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
