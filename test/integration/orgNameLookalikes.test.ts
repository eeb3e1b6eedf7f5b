import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgMutators } from '../../shared/records/org';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, editContext, push, request } from '../support/hubRequests';

/*
 * Look-alike letters of other scripts (issue 12, "nobody can take another's name"), through the
 * real invitation and push endpoints: a name that differs from another organization's only by
 * Cyrillic or Greek letters that read as Latin ones, full-width forms or TR39's Latin look-alikes
 * is refused with 409 `name-taken` and changes nothing; Chinese names, and names that really
 * differ in another script, are accepted as before.
 */

let hub: TestHub;
let secretariat: JoinResponse;
let renamer: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  secretariat = await hub.join(hub.secretariatCode);
  await hub.join(await hub.invite('Xishan Co-op', 'member'));
  await hub.join(await hub.invite('西山合作社', 'member'));
  await hub.join(await hub.invite('River Aid', 'member'));
  await hub.join(await hub.invite('Millet Growers', 'member'));
  renamer = await hub.join(await hub.invite('Hill Women Weavers', 'member'));
});

afterAll(async () => {
  await hub.close();
});

async function invite(orgName: string) {
  const answer = await request(hub.url, '/v1/admin/invitations', {
    method: 'POST',
    token: secretariat.token,
    body: JSON.stringify({ orgName, role: 'member' }),
    headers: { 'content-type': 'application/json' },
  });
  return { status: answer.status, code: (answer.body as { error?: { code: string } }).error?.code };
}

async function rename(name: string) {
  const stored = (await hub.storage.getRecord(renamer.org.id))!;
  const update = changeUpdate(stored.state, (doc) => orgMutators.setProfile.apply(doc, { name }, editContext(renamer.org.id, 'member')));
  const answer = await push(hub.url, renamer.token, [{ id: renamer.org.id, type: 'org', update }]);
  return { status: answer.status, code: (answer.body as { error?: { code: string } }).error?.code };
}

const lookAlikes: readonly (readonly [string, string])[] = [
  ['a Cyrillic capital Х', '\u0425ishan Co-op'],
  ['Cyrillic small о and р', 'Xishan C\u043e-o\u0440'],
  ['a Cyrillic capital С', 'Xishan \u0421o-op'],
  ['Greek capitals in another case', '\u03a7ISHAN C\u039f-OP'],
  ['a Greek small ο', 'Xishan C\u03bf-op'],
  ['a Cyrillic і for i', 'X\u0456shan Co-op'],
  ['full-width letters mixed with Cyrillic', '\uff38ishan \u0421\u043e-op'],
  ['a digit zero for o', 'Xishan C0-op'],
];

describe('adversarial: look-alike letters of other scripts in organization names', () => {
  it.each(lookAlikes)("refuses to invite a new organization under another's name with %s (409 name-taken)", async (_label, name) => {
    const before = (await hub.storage.listOrgs()).length;
    expect(await invite(name)).toEqual({ status: 409, code: 'name-taken' });
    expect(await hub.storage.listOrgs()).toHaveLength(before);
  });

  // Renames try another organization's name, so no organization invited above (before this rule) matches exactly.
  it.each([
    ['a Cyrillic і', 'R\u0456ver Aid'],
    ['Cyrillic capitals in another case', 'RIV\u0415R \u0410ID'],
    ['a Greek capital Α', 'River \u0391id'],
    ['full-width letters and a Cyrillic е', '\uff32iv\u0435r Aid'],
    ['Latin capitals I for l', 'MiIIet Growers'],
    ['a digit 1 for l', 'Mil1et Growers'],
    ['rn for m', 'rnillet Growers'],
  ])("refuses a profile rename to another's name with %s (409 name-taken)", async (_label, name) => {
    const before = (await hub.storage.getRecord(renamer.org.id))!;
    expect(await rename(name)).toEqual({ status: 409, code: 'name-taken' });
    expect((await hub.storage.getRecord(renamer.org.id))!.seq).toBe(before.seq);
  });

  it('refuses the Latin name where a look-alike was registered first', async () => {
    expect((await invite('\u0420\u0430\u043d\u0434\u0430 Seeds')).status).toBe(200);
    expect(await invite('Paнда Seeds')).toEqual({ status: 409, code: 'name-taken' });
    expect(await rename('PAНДA SEEDS')).toEqual({ status: 409, code: 'name-taken' });
  });

  it('keeps Chinese names and names that really differ working as before', async () => {
    expect(await invite('西山合作社')).toEqual({ status: 409, code: 'name-taken' });
    expect(await invite('西山合作社 ')).toEqual({ status: 409, code: 'name-taken' });
    expect((await invite('东山合作社')).status).toBe(200);
    expect((await invite('Сосновый бор')).status).toBe(200);
    expect((await invite('Xishan Co-op West')).status).toBe(200);
    expect((await rename('西山农民合作社')).status).toBe(200);
    expect((await rename('Hill Women Weavers')).status).toBe(200);
    expect((await hub.storage.getRecord(renamer.org.id))!.projection['name']).toBe('Hill Women Weavers');
  });
});
