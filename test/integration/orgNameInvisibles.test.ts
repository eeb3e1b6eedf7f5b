import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgMutators } from '../../shared/records/org';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, editContext, push, request } from '../support/hubRequests';

/*
 * Adversarial pass (adv-attack): org-name look-alikes the skeleton missed, through the real
 * invitation and push endpoints. Invisible characters that are not format characters (\p{Cf}) —
 * the combining grapheme joiner, variation selectors, Hangul fillers, Khmer inherent vowels — and
 * the blank Braille pattern (drawn as a space), and Lisu and Cherokee capitals that are drawn as
 * Latin ones, let "Xishan Co-op" be taken again with a name that reads the same. Each failed
 * before orgNameSkeleton.ts dropped default-ignorable code points and mapped those letters.
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
  ['a combining grapheme joiner', 'Xishan\u034F Co-op'],
  ['a variation selector', 'Xishan Co-op\uFE0F'],
  ['a Hangul filler for a space', 'Xishan\u3164Co-op'],
  ['a half-width Hangul filler', 'Xishan\uFFA0Co-op'],
  ['a Hangul choseong filler', 'Xishan\u115F Co-op'],
  ['a Khmer inherent vowel', 'Xishan\u17B4 Co-op'],
  ['a blank Braille pattern for a space', 'Xishan\u2800Co-op'],
  ['a Lisu capital X', '\uA4EBishan Co-op'],
  ['Lisu capitals in another case', 'XISHAN \uA4DA\uA4F3-OP'],
  ['a Cherokee capital S', 'Xi\u13DAhan Co-op'],
];

describe('organization names that read as another organization\'s (attack)', () => {
  it.each(lookAlikes)('refuses %s, by invitation and by renaming a profile (409 name-taken)', async (_what, name) => {
    expect(await invite(name)).toEqual({ status: 409, code: 'name-taken' });
    expect(await rename(name)).toEqual({ status: 409, code: 'name-taken' });
  });

  it('still takes a name that really differs', async () => {
    expect(await rename('Xishan Weavers')).toEqual({ status: 200, code: undefined });
  });
});
