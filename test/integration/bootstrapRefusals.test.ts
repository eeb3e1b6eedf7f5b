// The adversarial pass on bootstraps (held): a revoked credential asking for one is refused 401
// before anything is read, and odd Accept or since values get the stream, the bootstrap or a 4xx
// refusal, never a 5xx.
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { BOOTSTRAP_CONTENT_TYPE } from '../../shared/sync/bootstrap';
import { PULL_CONTENT_TYPE } from '../../shared/sync/protocol';
import { startTestHub } from '../support/hub';
import { createUpdate, editContext, push } from '../support/hubRequests';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('a revoked device gets no bootstrap; odd Accept/since get the stream or a refusal, never a crash', async () => {
  const hub = await startTestHub({ bootstrap: { minRecords: 1, quality: 1 } });
  cleanups.push(() => hub.close());
  const join = await hub.join(await hub.invite('River'));
  const ctx = editContext(join.org.id, 'member');
  const input = { kind: 'practice' as const, title: 'private', summary: 'private: a summary long enough.', language: 'en', attribution: { holderKind: 'community' as const, holderName: 'X village', consent: 'community-approved' as const }, sharing: 'private' as const };
  expect((await push(hub.url, join.token, [{ id: `entry-${randomBytes(12).toString('hex')}`, type: 'entry', update: createUpdate('entry', input, ctx) }])).status).toBe(200);
  await hub.hub.bootstraps.prepare({ orgId: join.org.id, role: join.role as never });
  const ask = (token: string, since: string, accept = `${BOOTSTRAP_CONTENT_TYPE}, ${PULL_CONTENT_TYPE}`) =>
    fetch(`${hub.url}/v1/pull?since=${since}`, { headers: { authorization: `Bearer ${token}`, accept, 'accept-encoding': 'br' } });
  expect((await ask(join.token, '0')).headers.get('content-type')).toBe(BOOTSTRAP_CONTENT_TYPE);
  for (const since of ['00', '0&since=5', '%200', '-0', '0.0', '1e0', '']) {
    const r = await ask(join.token, since);
    expect(r.status, since).toBeLessThan(500);
  }
  for (const accept of [`${BOOTSTRAP_CONTENT_TYPE.toUpperCase()}`, `${BOOTSTRAP_CONTENT_TYPE};q=0`, `x, ${BOOTSTRAP_CONTENT_TYPE}`, ',,,;;;', 'a'.repeat(7000)]) {
    const r = await ask(join.token, '0', accept);
    expect(r.status, accept.slice(0, 40)).toBeLessThan(500);
  }
  await hub.storage.revokeCredentials({ credentialId: join.credentialId }, Date.now());
  const revoked = await ask(join.token, '0');
  expect(revoked.status).toBe(401);
  expect(revoked.headers.get('content-type')).not.toBe(BOOTSTRAP_CONTENT_TYPE);
}, 60_000);
