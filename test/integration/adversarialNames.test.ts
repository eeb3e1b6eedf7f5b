import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgMutators } from '../../shared/records/org';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, editContext, push, request } from '../support/hubRequests';

/*
 * Adversarial review (issue 12: "an organization cannot take another's name"): names that read the
 * same on screen (invisible characters, doubled spaces) and a new organization invited under a
 * taken name. Look-alike letters of other scripts (a Cyrillic А): orgNameLookalikes.test.ts.
 */

let hub: TestHub;
let impostor: JoinResponse;
let secretariat: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  secretariat = await hub.join(hub.secretariatCode);
  await hub.join(await hub.invite('River Aid', 'member'));
  impostor = await hub.join(await hub.invite('Hill Women Weavers', 'member'));
});

afterAll(async () => {
  await hub.close();
});

async function renameImpostor(name: string) {
  const stored = (await hub.storage.getRecord(impostor.org.id))!;
  const update = changeUpdate(stored.state, (doc) => orgMutators.setProfile.apply(doc, { name }, editContext(impostor.org.id, 'member')));
  const answer = await push(hub.url, impostor.token, [{ id: impostor.org.id, type: 'org', update }]);
  return { status: answer.status, code: (answer.body as { error?: { code: string } }).error?.code };
}

describe('adversarial: look-alike organization names', () => {
  it.each([
    ['a zero-width space inside', 'River\u200B Aid'],
    ['a doubled inner space (HTML shows one)', 'River  Aid'],
  ])('refuses a profile name that reads as another organization’s: %s', async (_label, name) => {
    expect(await renameImpostor(name)).toEqual({ status: 409, code: 'name-taken' });
  });
});

describe('adversarial: a second organization under a name already taken', () => {
  it("refuses to invite a new organization under another organization's name (ignoring case)", async () => {
    const answer = await request(hub.url, '/v1/admin/invitations', {
      method: 'POST',
      token: secretariat.token,
      body: JSON.stringify({ orgName: 'river aid', role: 'member' }),
      headers: { 'content-type': 'application/json' },
    });
    expect({ status: answer.status, code: (answer.body as { error?: { code: string } }).error?.code }).toEqual({ status: 409, code: 'name-taken' });
  });
});
