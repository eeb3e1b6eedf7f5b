// Adversarial pass (adv-attack): an entry's "Endorsed" as the hub lets it be written. PROTOCOL says
// "An endorsement also sets fields.status to endorsed" and that the pinned version is the last
// `endorsed` step's copy of a submission; the app's reports and library print "Endorsed" and the
// pinned text for such an entry. This probe goes through POST /v1/push on a real hub with real
// SQLite. It FAILED on main (the attack worked), as described in the adv-attack report; now an
// entry reads endorsed only with an endorsement step that pins a version
// (shared/records/entrySharing.ts), and the hub refuses a status written without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { entry, entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import { entryReviewMutators, pinnedVersionOf, reviewStateOf } from '../../shared/records/entryReview';
import { networkMutators } from '../../shared/records/network';
import type { Role } from '../../shared/records/recordType';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';
import { joinWithBundleKey, uploadBundle, yjsEdit, type BundleDevice } from '../support/writeEntryPoints';


let hub: TestHub;
const joined = {} as Record<'secretariat' | 'steward' | 'member', BundleDevice>;
type Who = keyof typeof joined;
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', member: 'member' };
const ctxOf = (who: Who, now = Date.now()) => editContext(joined[who].org.id, roleOf[who], now);

beforeAll(async () => {
  hub = await startTestHub();
  joined.secretariat = await joinWithBundleKey(hub, hub.secretariatCode);
  joined.steward = await joinWithBundleKey(hub, await hub.invite('Erhai Watershed Alliance', 'steward'));
  joined.member = await joinWithBundleKey(hub, await hub.invite('Fengyu Farmers Cooperative', 'member'));
  const network = (await hub.storage.getRecord('network'))!;
  await commitSystemChange(hub.storage, network.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: joined.steward.org.id, scopes: ['review'] }, editContext(joined.secretariat.org.id, 'secretariat')),
  );
});

afterAll(async () => {
  await hub.close();
});

const wisdom: EntryInput = {
  kind: 'local-wisdom',
  title: 'Reading the swallows',
  summary: 'Low swallows mean rain within a day.',
  sections: { knowledge: 'When swallows skim the fields, rain comes.' },
  language: 'en',
  sharing: 'network',
  attribution: { holderKind: 'person', holderName: 'Grandmother Li', consent: 'credit-by-name' },
};

let counter = 0;
async function pushedEntry(): Promise<string> {
  const id = `entry-forgery-${++counter}`;
  const answer = await push(hub.url, joined.member.token, [{ id, type: 'entry', update: createUpdate('entry', wisdom, ctxOf('member')) }]);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return id;
}

async function change(who: Who, id: string, edit: (doc: Y.Doc) => void): Promise<HubAnswer> {
  const record = (await hub.storage.getRecord(id))!;
  return push(hub.url, joined[who].token, [{ id, type: 'entry', update: changeUpdate(record.state, edit) }]);
}
const projectionOf = async (id: string) => (await hub.storage.getRecord(id))!.projection as unknown as EntryProjection;

describe('an endorsement the hub takes without a pinned version (attack)', () => {
  it('refuses status "endorsed" written with no endorsed review step (the old setEndorsed path), by the secretariat and a scoped steward', async () => {
    for (const reviewer of ['secretariat', 'steward'] as const) {
      const id = await pushedEntry();
      // Never submitted for review: no version exists that anyone reviewed.
      const answer = await change(reviewer, id, (doc) => doc.getMap('fields').set('status', 'endorsed'));
      const p = await projectionOf(id);
      // What a reader is shown on main after this: "Endorsed", the live text printed as endorsed,
      // never "changes in draft" however the author rewrites it (no pinned version to compare).
      expect({ status: answer.status, storedStatus: p.status, pinned: pinnedVersionOf(p) }).toMatchObject({ status: 403, storedStatus: 'shared', pinned: null });
    }
  });

});

describe('an endorsement always pins a version', () => {
  const statusAlone = (doc: Y.Doc) => doc.getMap('fields').set('status', 'endorsed');
  const submit = (doc: Y.Doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member'));

  it('refuses the author writing status endorsed alone, by push, /yjs and bundle (422 invariant-violated, field status)', async () => {
    const id = await pushedEntry();
    expect((await change('member', id, submit)).status).toBe(200);
    const { state, seq } = (await hub.storage.getRecord(id))!;
    expect(await change('member', id, statusAlone)).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'status', recordId: id } } });
    expect(await yjsEdit(hub, joined.member.token, id, statusAlone)).toBe('invariant-violated');
    expect(await uploadBundle(hub, joined.member, [{ id, type: 'entry', update: changeUpdate(state, statusAlone) }])).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'status' } } });
    expect((await hub.storage.getRecord(id))!.seq).toBe(seq);
  });

  it("takes a reviewer's endorsement of the submission, pinned; refuses re-endorsing by status over it once taken back, and takes a new endorsement", async () => {
    const id = await pushedEntry();
    expect((await change('member', id, submit)).status).toBe(200);
    expect((await change('steward', id, (doc) => entryReviewMutators.endorseSubmission.apply(doc, 'Matches what we saw.', ctxOf('steward')))).status).toBe(200);
    expect(pinnedVersionOf(await projectionOf(id))).toMatchObject({ byOrg: joined.steward.org.id, version: { title: wisdom.title } });
    expect((await change('secretariat', id, (doc) => entryMutators.withdrawEndorsement.apply(doc, undefined, ctxOf('secretariat')))).status).toBe(200);
    expect(await projectionOf(id)).toMatchObject({ status: 'shared' });
    // The older endorsement's step is still there: the status alone would bring it back unreviewed.
    expect(await change('steward', id, statusAlone)).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: id } } });
    expect(await projectionOf(id)).toMatchObject({ status: 'shared' });
    expect((await change('member', id, submit)).status).toBe(200);
    expect((await change('secretariat', id, (doc) => entryReviewMutators.endorseSubmission.apply(doc, '', ctxOf('secretariat')))).status).toBe(200);
    const p = await projectionOf(id);
    expect({ status: p.status, state: reviewStateOf(p), by: pinnedVersionOf(p)?.byOrg }).toEqual({ status: 'endorsed', state: 'endorsed', by: joined.secretariat.org.id });
  });

  it('refuses a reviewer writing the status draft or the sharing private: a stored draft makes an entry private, which only its owner does', async () => {
    const id = await pushedEntry();
    for (const reviewer of ['secretariat', 'steward'] as const) {
      expect(await change(reviewer, id, (doc) => doc.getMap('fields').set('status', 'draft'))).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      expect(await change(reviewer, id, (doc) => doc.getMap('fields').set('sharing', 'private'))).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    }
    expect(await projectionOf(id)).toMatchObject({ sharing: 'network', status: 'shared' });
  });

  it('reads an older entry stored endorsed with no step as shared (no version to show), and its owner and reviewers go on as with any shared entry', async () => {
    const id = `entry-forgery-${++counter}`;
    // As an older hub stored it: endorsed by the status alone, before review steps existed.
    await commitSystemChange(hub.storage, { id, type: 'entry', ownerOrg: joined.member.org.id, createdAt: Date.now() }, (doc) => {
      entry.create(doc, entry.parseInput(wisdom), ctxOf('member'));
      statusAlone(doc);
    });
    const stored = (await hub.storage.getRecord(id))!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.state);
    expect({ stored: doc.getMap('fields').get('status'), read: entry.read(doc).status, pinned: pinnedVersionOf(entry.read(doc)) }).toEqual({ stored: 'endorsed', read: 'shared', pinned: null });
    doc.destroy();
    expect((await change('member', id, (d) => entryMutators.setFields.apply(d, { title: 'Reading the swallows, revised' }, ctxOf('member')))).status).toBe(200);
    expect((await change('member', id, submit)).status).toBe(200);
    expect((await change('steward', id, (d) => entryReviewMutators.endorseSubmission.apply(d, '', ctxOf('steward')))).status).toBe(200);
    expect(pinnedVersionOf(await projectionOf(id))).toMatchObject({ version: { title: 'Reading the swallows, revised' } });
    expect(await projectionOf(id)).toMatchObject({ status: 'endorsed' });
  });
});
