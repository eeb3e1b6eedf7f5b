import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_LINE_ACTOR, createInvitation } from '../../server/hub/networkAdmin';
import { HubError } from '../../server/hub/hubError';
import { startTestHub, type TestHub } from '../support/hub';
import { runHubCommandAsync } from '../support/hubProcess';
import { request } from '../support/hubRequests';

/*
 * An invitation of 0 days (found by the walk: the console's number field turned a typed 0 into 1
 * and made a one-day invitation without a word). Each door refuses it clearly and writes nothing:
 * the admin route with a coded 400 that says what is allowed, the command line with a usage error,
 * and the shared act itself, which both call.
 */

const opened: TestHub[] = [];
afterEach(async () => {
  for (const hub of opened.splice(0)) await hub.close();
});

async function written(hub: TestHub) {
  return { orgs: (await hub.storage.listOrgs()).length, invitations: (await hub.storage.listInvitations()).length, audit: (await hub.storage.listAudit({ limit: 1000 })).length, seq: await hub.storage.lastSeq() };
}

describe('an invitation valid for 0 days', () => {
  it('is refused by the admin route with 400 bad-request naming 1 to 90 days, and nothing is written', async () => {
    const hub = await startTestHub();
    opened.push(hub);
    const { token } = await hub.join(hub.secretariatCode, 'desk');
    const before = await written(hub);
    for (const expiresInDays of [0, -1, 1.5, 91]) {
      const answer = await request(hub.url, '/v1/admin/invitations', { method: 'POST', token, body: JSON.stringify({ orgName: 'Zero Day Cooperative', expiresInDays }), headers: { 'content-type': 'application/json' } });
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: { error: { code: 'bad-request', message: 'expiresInDays: an invitation is valid for 1 to 90 whole days' } } });
    }
    expect(await written(hub)).toEqual(before);
  });

  it('is refused by the shared act before any organization is made (what the command line calls)', async () => {
    const hub = await startTestHub();
    opened.push(hub);
    const before = await written(hub);
    const refusal = await createInvitation({ storage: hub.storage, actor: COMMAND_LINE_ACTOR, now: Date.now() }, { orgName: 'Zero Day Cooperative', expiresInDays: 0 }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(HubError);
    expect(refusal).toMatchObject({ code: 'bad-request' });
    expect(await written(hub)).toEqual(before);
  });

  it('is refused by `hub invite --days 0` with a usage error, and nothing is written', { timeout: 60_000 }, async () => {
    const hub = await startTestHub();
    opened.push(hub);
    const before = await written(hub);
    const result = await runHubCommandAsync(['invite', '--data', hub.dataDir, '--org-name', 'Zero Day Cooperative', '--role', 'member', '--days', '0']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--days must be a whole number from 1 to 90');
    expect(await written(hub)).toEqual(before);
  });
});
