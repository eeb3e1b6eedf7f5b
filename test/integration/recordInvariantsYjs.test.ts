// The invariants recordInvariants.test.ts proves by push and bundle, proven on the standard Yjs
// endpoint too (and by push where no test had them through the hub at all): a real hub on loopback,
// the real y-websocket provider on /yjs/<id>, each state written as a client from docs/PROTOCOL.md
// would write it. A refused /yjs edit is dropped and logged `invariant-violated`; a refused push is
// 422 `invariant-violated` naming the field; either way nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { EntryInput } from '../../shared/records/entry';
import { appendLog, writeFields } from '../../shared/records/layout';
import { interestId } from '../../shared/records/interest';
import { offerMutators } from '../../shared/records/offer';
import type { RecordType } from '../../shared/records/recordType';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';
import { yjsEdit } from '../support/writeEntryPoints';

let hub: TestHub;
let sec: JoinResponse;
let alpha: JoinResponse;
let beta: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  sec = await hub.join(hub.secretariatCode);
  alpha = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  beta = await hub.join(await hub.invite('Cangshan Women Farmers'));
});
afterAll(async () => {
  await hub?.close();
});

const shared: EntryInput = {
  kind: 'local-wisdom',
  title: 'Reading the swallows before the rains',
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: 'Fengyu village elders', consent: 'community-approved' },
  sharing: 'network',
};
const setField = (key: string, value: unknown) => (doc: Y.Doc) => doc.getMap('fields').set(key, value);

let serial = 0;
const freshId = (type: RecordType) => `${type}-yjs-invariant-${++serial}`;

async function stored(token: string, orgId: string, role: 'member' | 'secretariat', type: RecordType, input: unknown, id = freshId(type), change?: (doc: Y.Doc) => void): Promise<string> {
  const answer = await push(hub.url, token, [{ id, type, update: createUpdate(type, input as never, editContext(orgId, role), change) }]);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return id;
}

function expectViolation(answer: HubAnswer, field: string, recordId: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(422);
  expect(answer.body).toMatchObject({ error: { code: 'invariant-violated', field, recordId } });
}

/** The change refused by push (422, `field`) and by /yjs (logged invariant-violated), the record left as it was. */
async function expectRefusedBoth(token: string, id: string, type: RecordType, field: string, change: (doc: Y.Doc) => void): Promise<void> {
  const { seq, state } = (await hub.storage.getRecord(id))!;
  expectViolation(await push(hub.url, token, [{ id, type, update: changeUpdate(state, change) }]), field, id);
  expect(await yjsEdit(hub, token, id, change)).toBe('invariant-violated');
  const after = (await hub.storage.getRecord(id))!;
  expect(after.seq).toBe(seq);
  expect(Buffer.from(after.state).equals(Buffer.from(state))).toBe(true);
}

describe('entry invariants on /yjs (and push)', () => {
  const cases: { what: string; field: string; change: (doc: Y.Doc) => void }[] = [
    { what: 'a kind that does not exist', field: 'kind', change: setField('kind', 'recipe') },
    { what: 'an attribution with a key its schema has not', field: 'attribution', change: setField('attribution', { ...shared.attribution, secretNote: 'x' }) },
    {
      what: 'a consent record given in a way there is none of',
      field: 'attribution',
      change: setField('attribution', { ...shared.attribution, consentRecord: { givenBy: 'Elder He', givenAt: 0, how: 'implied', use: '' } }),
    },
    { what: 'a consent record with no one who gave it', field: 'attribution', change: setField('attribution', { ...shared.attribution, consentRecord: { givenAt: 0, how: 'spoken', use: '' } }) },
  ];
  for (const c of cases) {
    it(`refuses ${c.what} (field ${c.field})`, async () => {
      const id = await stored(alpha.token, alpha.org.id, 'member', 'entry', shared);
      await expectRefusedBoth(alpha.token, id, 'entry', c.field, c.change);
    });
  }

  it('refuses a translation whose translator is taken away (field translation.translator)', async () => {
    const original = await stored(alpha.token, alpha.org.id, 'member', 'entry', shared);
    const translation = await stored(beta.token, beta.org.id, 'member', 'entry', { ...shared, title: 'Swallows and rain', language: 'en', translation: { of: original, translator: 'Ma Li' } });
    await expectRefusedBoth(beta.token, translation, 'entry', 'translation.translator', setField('translation', { of: original, translator: '' }));
  });
});

describe('offer and interest invariants on /yjs (and push)', () => {
  const DAY_MS = 24 * 60 * 60 * 1000;
  const offerInput = { title: 'Compost training', kind: 'training', places: 3, opensAt: 0, closesAt: Date.now() + 30 * DAY_MS };
  const publish = (doc: Y.Doc) => offerMutators.setState.apply(doc, 'published', editContext(sec.org.id, 'secretariat'));

  it('refuses an offer closed without a reason (field closure)', async () => {
    const id = await stored(sec.token, sec.org.id, 'secretariat', 'offer', offerInput, freshId('offer'), publish);
    await expectRefusedBoth(sec.token, id, 'offer', 'closure', (doc) => writeFields(doc, { state: 'closed' }));
  });

  it('refuses an interest declined with no reason on its step (field steps)', async () => {
    const offerId = await stored(sec.token, sec.org.id, 'secretariat', 'offer', offerInput, freshId('offer'), publish);
    const id = await stored(alpha.token, alpha.org.id, 'member', 'interest', { offerId, message: 'We would like to come.' }, interestId(offerId, alpha.org.id));
    await expectRefusedBoth(sec.token, id, 'interest', 'steps', (doc) => {
      writeFields(doc, { stage: 'declined' });
      appendLog(doc, 'steps', { stage: 'declined', from: 'new', byOrg: sec.org.id, at: Date.now(), note: '' });
    });
  });
});

describe('organization and comment invariants, through the hub', () => {
  // No organization's profile is new at a push: the hub writes each one, named, at the invitation.
  it('refuses a profile whose name is emptied (push and /yjs, field name)', async () => {
    expect((await hub.storage.getRecord(beta.org.id))!.projection).toMatchObject({ name: 'Cangshan Women Farmers' });
    for (const name of ['', '   ']) await expectRefusedBoth(beta.token, beta.org.id, 'org', 'name', setField('name', name));
  });

  it('refuses a comment born with no text or no target (push, fields text and targetId)', async () => {
    const target = await stored(alpha.token, alpha.org.id, 'member', 'entry', shared);
    for (const [field, change] of [
      ['text', setField('text', ' ')],
      ['targetId', setField('targetId', '')],
    ] as const) {
      const id = freshId('comment');
      const answer = await push(hub.url, beta.token, [{ id, type: 'comment', update: createUpdate('comment', { targetId: target, text: 'Which village?' }, editContext(beta.org.id, 'member'), change) }]);
      expectViolation(answer, field, id);
      expect(await hub.storage.getRecord(id)).toBeNull();
    }
  });

  it('refuses a comment whose text is emptied (push and /yjs, field text)', async () => {
    const target = await stored(alpha.token, alpha.org.id, 'member', 'entry', shared);
    const id = await stored(beta.token, beta.org.id, 'member', 'comment', { targetId: target, text: 'Which village?' });
    await expectRefusedBoth(beta.token, id, 'comment', 'text', setField('text', ''));
  });

  it('refuses a comment whose target is taken away (push and /yjs, field targetId)', async () => {
    const target = await stored(alpha.token, alpha.org.id, 'member', 'entry', shared);
    const id = await stored(beta.token, beta.org.id, 'member', 'comment', { targetId: target, text: 'Which village?' });
    await expectRefusedBoth(beta.token, id, 'comment', 'targetId', setField('targetId', ''));
  });
});
