import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { entryMutators } from '../../shared/records/entry';
import { BOOTSTRAP_CONTENT_TYPE } from '../../shared/sync/bootstrap';
import { PULL_CONTENT_TYPE } from '../../shared/sync/protocol';
import { startTestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';

/*
 * Found by the adversarial pass: a bootstrap with more than 250 changes after its checkpoint is
 * dropped, and was rebuilt at once on the next ask, so one member device editing 251 of its own
 * records before each `GET /v1/pull?since=0` made the hub rebuild its scope at brotli 11 (about
 * 40 s of a core per 10,000 records) every round. A dropped bootstrap is now rebuilt at most every
 * refreshAfterMs (5 minutes); new devices take the plain pull meanwhile.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('a member device cannot force a rebuild of its scope’s bootstrap with every round of 251 edits', async () => {
  const hub = await startTestHub({ bootstrap: { minRecords: 1, quality: 1 } });
  cleanups.push(() => hub.close());
  const join = await hub.join(await hub.invite('Attacker co-op'));
  const ctx = editContext(join.org.id, 'member');
  const ids = Array.from({ length: 251 }, () => `entry-${randomBytes(12).toString('hex')}`);
  const input = (title: string) => ({ kind: 'practice' as const, title, summary: `${title}: a summary long enough.`, language: 'en', attribution: { holderKind: 'community' as const, holderName: 'X village', consent: 'community-approved' as const }, sharing: 'private' as const });
  expect((await push(hub.url, join.token, ids.map((id, i) => ({ id, type: 'entry', update: createUpdate('entry', input(`note ${i}`), ctx) })))).status).toBe(200);

  let builds = 0;
  const bootstraps = hub.hub.bootstraps as unknown as { buildNow: (...args: unknown[]) => Promise<unknown> };
  const buildNow = bootstraps.buildNow.bind(bootstraps);
  bootstraps.buildNow = (...args: unknown[]) => {
    builds += 1;
    return buildNow(...args);
  };
  const ask = async () => {
    const response = await fetch(`${hub.url}/v1/pull?since=0`, { headers: { authorization: `Bearer ${join.token}`, accept: `${BOOTSTRAP_CONTENT_TYPE}, ${PULL_CONTENT_TYPE}`, 'accept-encoding': 'br' } });
    await response.arrayBuffer();
    return response.headers.get('content-type') ?? '';
  };
  await hub.hub.bootstraps.prepare({ orgId: join.org.id, role: 'member' });
  expect(builds).toBe(1);
  expect(await ask()).toContain(BOOTSTRAP_CONTENT_TYPE);

  const types: string[] = [];
  for (let round = 0; round < 4; round++) {
    const edits = [];
    for (const id of ids) {
      const state = (await hub.storage.getRecord(id))!.state;
      edits.push({ id, type: 'entry', update: changeUpdate(state, (doc) => entryMutators.setFields.apply(doc, { title: `round ${round} ${id}` }, ctx)) });
    }
    expect((await push(hub.url, join.token, edits)).status).toBe(200);
    types.push(await ask());
    // Time for a rebuild the ask might have started to begin.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The stale bootstrap is never served; no rebuild within the 5 minutes.
  expect(types.every((type) => type.startsWith(PULL_CONTENT_TYPE))).toBe(true);
  expect(builds).toBe(1);
}, 120_000);
