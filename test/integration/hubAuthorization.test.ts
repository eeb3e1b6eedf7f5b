import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import type { StoredRecord } from '../../server/storage/hubStorage';
import { ballotId, ballotMutators } from '../../shared/records/ballot';
import { commentMutators } from '../../shared/records/comment';
import { entry, entryMutators } from '../../shared/records/entry';
import { draftIdOf, draftMutators } from '../../shared/records/entryDraft';
import { entryReviewMutators } from '../../shared/records/entryReview';
import { interestId, interestMutators } from '../../shared/records/interest';
import { networkMutators, NETWORK_RECORD_ID } from '../../shared/records/network';
import { offerMutators } from '../../shared/records/offer';
import { orgMutators } from '../../shared/records/org';
import { proposal, proposalMutators } from '../../shared/records/proposal';
import type { Action, EditContext } from '../../shared/records/recordModule';
import { moduleFor, type InputTypes } from '../../shared/records/registry';
import { recordTypes, type RecordType, type Role } from '../../shared/records/recordType';
import { resultId } from '../../shared/records/result';
import { canRead, isAllowed, type Ownership } from '../../shared/rules/rules';
import { errorBodySchema, pushResponseSchema } from '../../shared/sync/protocol';
import { hubMembers, openVoteIn, signedTestResult } from '../support/governance';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, pull, push, pushBody, toBase64, type HubAnswer } from '../support/hubRequests';

/*
 * The rules table enforced over real HTTP: every organization role pushes every kind of change to
 * its own and to another organization's records, and pulls; the hub's answer must be what
 * `isAllowed` says for that cell. Records a role could never have created itself (a member's
 * proposal: its role may have changed since) are seeded straight into storage.
 */

const identities = ['secretariat', 'steward', 'member', 'member2', 'observer'] as const;
type Who = (typeof identities)[number];
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', member: 'member', member2: 'member', observer: 'observer' };
/** Whose records count as "another organization's" for each identity. */
const otherOf = (who: Who): Who => (who === 'member2' ? 'member' : 'member2');

const sharedEntry: InputTypes['entry'] = {
  kind: 'practice',
  title: 'Rainwater cellars',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Fengyu village', consent: 'community-approved' },
  sharing: 'network',
};
const DAY_MS = 24 * 60 * 60 * 1000;

let counter = 0;
const COMMENTED_PROPOSAL = 'proposal-commented';

/** A fresh id and create input; ballots and interests get the id derived for `ownerOrg`. */
function freshRecord(type: RecordType, ownerOrg: string): { id: string; input: InputTypes[RecordType] } {
  const n = ++counter;
  switch (type) {
    case 'network':
      return { id: `network-${n}`, input: { name: `Network ${n}` } };
    case 'org':
      return { id: `org-new-${n}`, input: { name: `Organization ${n}` } };
    case 'entry':
      return { id: `entry-${n}`, input: sharedEntry };
    case 'proposal':
      return {
        id: `proposal-${n}`,
        input: { title: 'Pool the seed fund', options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }], method: 'single', opensAt: Date.now(), closesAt: Date.now() + DAY_MS },
      };
    case 'ballot': {
      const proposalId = `proposal-for-ballot-${n}`;
      return { id: ballotId(proposalId, ownerOrg), input: { proposalId, isSecret: false } };
    }
    case 'comment':
      // On an open proposal everyone reads (seed() opens it): a comment is read through its target.
      return { id: `comment-${n}`, input: { targetId: COMMENTED_PROPOSAL, text: 'We agree with the plan.' } };
    case 'offer':
      return { id: `offer-${n}`, input: { title: 'Drip irrigation training', kind: 'training', places: 12, opensAt: Date.now(), closesAt: Date.now() + DAY_MS } };
    case 'interest': {
      const offerId = `offer-for-interest-${n}`;
      return { id: interestId(offerId, ownerOrg), input: { offerId, message: 'We would like to join.' } };
    }
    case 'result': {
      const proposalId = `proposal-for-result-${n}`;
      return { id: resultId(proposalId), input: signedTestResult(proposalId).input };
    }
    case 'draft': {
      // An entry's draft is of an entry of its own organization (holdEntryFor puts one on the hub).
      const entryId = `entry-for-draft-${n}`;
      return { id: draftIdOf(entryId), input: { draftOf: entryId, version: { kind: 'practice', title: sharedEntry.title, summary: '', sections: {}, body: '' }, at: Date.now() } };
    }
  }
}

/** The entry a fresh draft is of, held by the hub for `ownerOrg`. */
async function holdEntryFor(input: InputTypes['draft'], ownerOrg: string): Promise<void> {
  await commitSystemChange(hub.storage, { id: input.draftOf, type: 'entry', ownerOrg, createdAt: Date.now() }, (doc) => entry.create(doc, entry.parseInput(sharedEntry), editContext(ownerOrg, 'member')));
}

type Change = (doc: Y.Doc, ctx: EditContext) => void;
interface ChangeCase {
  readonly type: RecordType;
  readonly action: Exclude<Action, 'read' | 'create'>;
  readonly label: string;
  readonly change: Change;
}

/** One change per (type, action) the type knows, made through its mutator as a client would. */
const changeCases: readonly ChangeCase[] = [
  { type: 'network', action: 'edit', label: 'edit', change: (doc, ctx) => networkMutators.setDetails.apply(doc, { topic: 'rivers' }, ctx) },
  {
    type: 'network',
    action: 'manage',
    label: 'change a member of',
    change: (doc, ctx) => networkMutators.setMember.apply(doc, { orgId: 'org-newcomer', name: 'Newcomer', role: 'member' }, ctx),
  },
  { type: 'org', action: 'edit', label: 'edit', change: (doc, ctx) => orgMutators.setProfile.apply(doc, { staffSize: ++counter }, ctx) },
  { type: 'draft', action: 'edit', label: 'edit', change: (doc, ctx) => draftMutators.setFields.apply(doc, { title: `Draft ${++counter}` }, ctx) },
  { type: 'entry', action: 'edit', label: 'edit', change: (doc, ctx) => entryMutators.setFields.apply(doc, { title: 'Rainwater cellars, revised' }, ctx) },
  { type: 'entry', action: 'review', label: 'add a review note to', change: (doc, ctx) => entryMutators.addReviewNote.apply(doc, 'Well documented.', ctx) },
  { type: 'entry', action: 'review', label: 'comment in the review of', change: (doc, ctx) => entryReviewMutators.commentOnReview.apply(doc, 'Which village tried it?', ctx) },
  { type: 'proposal', action: 'edit', label: 'edit', change: (doc, ctx) => proposalMutators.setDescription.apply(doc, 'Half of it for seeds.', ctx) },
  { type: 'proposal', action: 'manage', label: 'cancel the poll of', change: (doc, ctx) => proposalMutators.cancelVote.apply(doc, 'No longer needed', ctx) },
  { type: 'ballot', action: 'edit', label: 'cast', change: (doc, ctx) => ballotMutators.cast.apply(doc, { method: 'single', optionId: 'yes' }, ctx) },
  { type: 'comment', action: 'edit', label: 'edit', change: (doc, ctx) => commentMutators.setText.apply(doc, 'We agree, with one change.', ctx) },
  { type: 'comment', action: 'moderate', label: 'hide', change: (doc, ctx) => commentMutators.hide.apply(doc, 'off topic', ctx) },
  { type: 'offer', action: 'edit', label: 'edit', change: (doc, ctx) => offerMutators.setTerms.apply(doc, { places: 20 }, ctx) },
  { type: 'offer', action: 'manage', label: 'publish', change: (doc, ctx) => offerMutators.setState.apply(doc, 'published', ctx) },
  { type: 'interest', action: 'edit', label: 'edit', change: (doc, ctx) => interestMutators.setMessage.apply(doc, 'Two of us can come.', ctx) },
  { type: 'interest', action: 'manage', label: 'move through the pipeline', change: (doc, ctx) => interestMutators.move.apply(doc, { stage: 'shortlisted', note: '' }, ctx) },
];

const whose = (ownership: Ownership) => (ownership === 'own' ? 'its own' : "another organization's");
// How a test name calls a type.
const nameOf = (type: RecordType): string => (type === 'org' ? 'profile' : type);

let hub: TestHub;
const orgIdOf = {} as Record<Who, string>;
const tokenOf = {} as Record<Who, string>;

beforeAll(async () => {
  hub = await startTestHub();
  const codes: Record<Who, string> = {
    secretariat: hub.secretariatCode,
    steward: await hub.invite('Erhai Watershed Alliance', 'steward'),
    member: await hub.invite('Fengyu Farmers Cooperative', 'member'),
    member2: await hub.invite('Cangshan Seed Bank', 'member'),
    observer: await hub.invite('Provincial Water Bureau', 'observer'),
  };
  for (const who of identities) {
    const joined = await hub.join(codes[who]);
    expect(joined.role).toBe(roleOf[who]);
    orgIdOf[who] = joined.org.id;
    tokenOf[who] = joined.token;
  }
});

afterAll(async () => {
  await hub?.close();
});

/**
 * Governance (test/integration/governance*.test.ts) accepts a ballot only on an open proposal the
 * voter is eligible for, and a steward's proposal or offer only with the secretariat's grant: this
 * file is about the rules table, so its ballots get such a proposal and its steward the grant.
 */
async function openProposal(proposalId: string): Promise<void> {
  if (await hub.storage.getRecord(proposalId)) return;
  const ctx = editContext(orgIdOf.secretariat, 'secretariat');
  const input = {
    title: 'Pool the seed fund',
    options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }],
    method: 'single',
    opensAt: Date.now() - DAY_MS,
    closesAt: Date.now() + DAY_MS,
    eligible: { kind: 'roles', roles: ['secretariat', 'steward', 'member'] },
  } satisfies InputTypes['proposal'];
  const members = await hubMembers(hub.storage);
  await commitSystemChange(hub.storage, { id: proposalId, type: 'proposal', ownerOrg: orgIdOf.secretariat, createdAt: Date.now() }, (doc) => {
    proposal.create(doc, proposal.parseInput(input), ctx);
    openVoteIn(doc, members, ctx);
  });
}

beforeAll(async () => {
  const network = (await hub.storage.getRecord('network'))!;
  await commitSystemChange(hub.storage, network.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: orgIdOf.steward, scopes: ['proposals', 'offers', 'review'] }, editContext(orgIdOf.secretariat, 'secretariat')),
  );
});

/** A record of `type` owned by `owner`'s organization; an org profile is the organization's own. */
async function seed(type: RecordType, owner: Who, change?: Change): Promise<StoredRecord> {
  const ownerOrg = orgIdOf[owner];
  if (type === 'org') return (await hub.storage.getRecord(ownerOrg))!;
  const { id, input } = freshRecord(type, ownerOrg);
  if (type === 'ballot') await openProposal((input as InputTypes['ballot']).proposalId);
  if (type === 'comment') await openProposal(COMMENTED_PROPOSAL);
  if (type === 'draft') await holdEntryFor(input as InputTypes['draft'], ownerOrg);
  const module = moduleFor(type);
  const ctx = editContext(ownerOrg, roleOf[owner]);
  await commitSystemChange(hub.storage, { id, type, ownerOrg, createdAt: Date.now() }, (doc) => {
    module.create(doc, module.parseInput(input), ctx);
    change?.(doc, ctx);
  });
  return (await hub.storage.getRecord(id))!;
}

async function storedState(ids: readonly string[]) {
  return { lastSeq: await hub.storage.lastSeq(), records: await Promise.all(ids.map((id) => hub.storage.getRecord(id))) };
}

/** Sends a request that must be refused, and checks that nothing about `ids` was written. */
async function expectRefused(send: () => Promise<HubAnswer>, ids: readonly string[], status: number, code: string): Promise<HubAnswer> {
  const before = await storedState(ids);
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { error: { code } } });
  errorBodySchema.parse(answer.body);
  expect(await storedState(ids)).toEqual(before);
  return answer;
}

async function expectAccepted(send: () => Promise<HubAnswer>, id: string): Promise<void> {
  const lastSeq = await hub.storage.lastSeq();
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
  const { acks, seq } = pushResponseSchema.parse(answer.body);
  expect(acks).toEqual([{ id, seq }]);
  expect(seq).toBe(lastSeq + 1);
  expect((await hub.storage.getRecord(id))?.seq).toBe(seq);
}

function pushChange(who: Who, record: StoredRecord, change: Change): Promise<HubAnswer> {
  const update = changeUpdate(record.state, (doc) => change(doc, editContext(orgIdOf[who], roleOf[who])));
  return push(hub.url, tokenOf[who], [{ id: record.header.id, type: record.header.type, update }]);
}

describe('writes through POST /v1/push follow the rules table', () => {
  for (const who of identities) {
    const role = roleOf[who];
    for (const type of recordTypes) {
      // The hub sets a new record's owner from the credential, so a push only ever creates its own
      // organization's record; a profile's owner is the organization it describes, never the pusher.
      const ownership: Ownership = type === 'org' ? 'other' : 'own';
      const allowed = isAllowed({ role, type, ownership, action: 'create' });
      it(`${who} ${allowed ? 'may' : 'may not'} create ${whose(ownership)} ${nameOf(type)}`, async () => {
        const { id, input } = freshRecord(type, orgIdOf[who]);
        if (type === 'ballot') await openProposal((input as InputTypes['ballot']).proposalId);
        if (type === 'draft') await holdEntryFor(input as InputTypes['draft'], orgIdOf[who]);
        const send = () => push(hub.url, tokenOf[who], [{ id, type, update: createUpdate(type, input, editContext(orgIdOf[who], role)) }]);
        // The one network record is the hub's (NETWORK_RECORD_ID): any other id is refused before the rules.
        if (type === 'network') await expectRefused(send, [id], 400, 'wrong-id');
        else if (allowed) await expectAccepted(send, id);
        else await expectRefused(send, [id], 403, 'forbidden');
      });
    }

    for (const { type, action, label, change } of changeCases) {
      for (const ownership of ['own', 'other'] as const) {
        // Seeded records are shared, open and visible, so a condition in the table never narrows them.
        const allowed = isAllowed({ role, type, ownership, action }, {});
        it(`${who} ${allowed ? 'may' : 'may not'} ${label} ${whose(ownership)} ${nameOf(type)} (${action})`, async () => {
          // There is one network record (the secretariat's); network grants are the same either way.
          const record = type === 'network' ? (await hub.storage.getRecord(NETWORK_RECORD_ID))! : await seed(type, ownership === 'own' ? who : otherOf(who));
          expect(isAllowed({ role, type, ownership, action }, record.facts)).toBe(allowed);
          const send = () => pushChange(who, record, change);
          if (allowed) await expectAccepted(send, record.header.id);
          else await expectRefused(send, [record.header.id], 403, 'forbidden');
        });
      }
    }
  }

  it("refuses a member editing another organization's entry, profile or ballot", async () => {
    const entryRecord = await seed('entry', 'member2');
    const profile = await seed('org', 'member2');
    const ballotRecord = await seed('ballot', 'member2');
    const ctx = editContext(orgIdOf.member, 'member');
    const edits: [StoredRecord, Change][] = [
      [entryRecord, (doc) => entryMutators.setFields.apply(doc, { title: 'Taken over' }, ctx)],
      [profile, (doc) => orgMutators.setProfile.apply(doc, { name: 'Taken over' }, ctx)],
      [ballotRecord, (doc) => ballotMutators.cast.apply(doc, { method: 'single', optionId: 'no' }, ctx)],
    ];
    for (const [record, change] of edits) {
      const answer = await expectRefused(() => pushChange('member', record, change), [record.header.id], 403, 'forbidden');
      expect(answer.body).toMatchObject({ error: { recordId: record.header.id, message: `a member may not edit another organization's ${record.header.type}` } });
    }
  });

  it('refuses every write by an observer, even one no projected field shows', async () => {
    const ctx = editContext(orgIdOf.observer, 'observer');
    const network = (await hub.storage.getRecord('network'))!;
    const ownProfile = await seed('org', 'observer');
    const othersEntry = await seed('entry', 'member');
    const attempts: [string, RecordType, () => Promise<HubAnswer>][] = [
      ...recordTypes.map((type): [string, RecordType, () => Promise<HubAnswer>] => {
        const { id, input } = freshRecord(type, orgIdOf.observer);
        return [id, type, () => push(hub.url, tokenOf.observer, [{ id, type, update: createUpdate(type, input, ctx) }])];
      }),
      [ownProfile.header.id, 'org', () => pushChange('observer', ownProfile, (doc) => orgMutators.setProfile.apply(doc, { staffSize: 3 }, ctx))],
      [othersEntry.header.id, 'entry', () => pushChange('observer', othersEntry, (doc) => entryMutators.addReviewNote.apply(doc, 'Looks fine.', ctx))],
      // Only a timestamp and a key nothing reads: the projection diff is empty, but it is a write.
      [network.header.id, 'network', () => pushChange('observer', network, (doc) => doc.getMap('fields').set('updatedAt', 1))],
      [ownProfile.header.id, 'org', () => pushChange('observer', ownProfile, (doc) => doc.getMap('fields').set('note', 'x'.repeat(1000)))],
      [othersEntry.header.id, 'entry', () => pushChange('observer', othersEntry, (doc) => doc.getMap('junk').set('a', 1))],
    ];
    // A network record under a fresh id is refused for its id before the rules are asked.
    for (const [id, type, send] of attempts) {
      const isFreshNetwork = type === 'network' && id !== network.header.id;
      await expectRefused(send, [id], isFreshNetwork ? 400 : 403, isFreshNetwork ? 'wrong-id' : 'forbidden');
    }
  });

  it("refuses a write no projected field shows to another organization's record by a member who may not edit it", async () => {
    const othersEntry = await seed('entry', 'member2');
    await expectRefused(() => pushChange('member', othersEntry, (doc) => doc.getMap('fields').set('createdAt', 1)), [othersEntry.header.id], 403, 'forbidden');
  });

  it("lets a steward or the secretariat review another organization's shared entry, and not a member", async () => {
    const entryRecord = await seed('entry', 'member', (doc, ctx) => entryReviewMutators.submitForReview.apply(doc, '', ctx));
    for (const who of ['steward', 'secretariat'] as const) {
      const ctx = editContext(orgIdOf[who], roleOf[who]);
      const current = (await hub.storage.getRecord(entryRecord.header.id))!;
      await expectAccepted(() => pushChange(who, current, (doc) => entryMutators.addReviewNote.apply(doc, `Reviewed by the ${who}.`, ctx)), entryRecord.header.id);
    }
    const endorsed = (await hub.storage.getRecord(entryRecord.header.id))!;
    await expectAccepted(() => pushChange('steward', endorsed, (doc) => entryReviewMutators.endorseSubmission.apply(doc, '', editContext(orgIdOf.steward, 'steward'))), entryRecord.header.id);
    const stored = (await hub.storage.getRecord(entryRecord.header.id))!;
    expect(stored.projection).toMatchObject({
      status: 'endorsed',
      reviewNotes: [
        { byOrg: orgIdOf.steward, role: 'steward', text: 'Reviewed by the steward.' },
        { byOrg: orgIdOf.secretariat, role: 'secretariat', text: 'Reviewed by the secretariat.' },
      ],
    });
    const byMember = editContext(orgIdOf.member2, 'member');
    await expectRefused(() => pushChange('member2', stored, (doc) => entryMutators.addReviewNote.apply(doc, 'Me too.', byMember)), [entryRecord.header.id], 403, 'forbidden');
  });

  it("refuses a steward's review of another organization's private draft", async () => {
    const draft = await seed('entry', 'member', (doc, ctx) => entryMutators.setSharing.apply(doc, 'private', ctx));
    expect(draft.facts.isPrivate).toBe(true);
    const ctx = editContext(orgIdOf.steward, 'steward');
    await expectRefused(() => pushChange('steward', draft, (doc) => entryMutators.addReviewNote.apply(doc, 'Peeked.', ctx)), [draft.header.id], 403, 'forbidden');
  });
});

describe('the header of a new record comes from the credential', () => {
  it("gives a pushed entry the pusher's organization as owner, whatever its content claims", async () => {
    const id = `entry-header-${++counter}`;
    const pushedAt = Date.now();
    // The content claims another owner and an old creation time; the header ignores both.
    const update = createUpdate('entry', sharedEntry, editContext(orgIdOf.member2, 'member', 1), (doc) => doc.getMap('fields').set('ownerOrg', orgIdOf.member2));
    await expectAccepted(() => push(hub.url, tokenOf.member, [{ id, type: 'entry', update }]), id);
    const pulled = await pull(hub.url, tokenOf.member, 0);
    const meta = pulled.records.find((record) => record.meta.id === id)?.meta;
    expect(meta).toMatchObject({ id, type: 'entry', ownerOrg: orgIdOf.member });
    expect(meta!.createdAt).toBeGreaterThanOrEqual(pushedAt);
    // And so the member keeps it as its own: another member may not edit it.
    const stored = (await hub.storage.getRecord(id))!;
    const ctx = editContext(orgIdOf.member2, 'member');
    await expectRefused(() => pushChange('member2', stored, (doc) => entryMutators.setFields.apply(doc, { title: 'Mine now' }, ctx)), [id], 403, 'forbidden');
  });

  it('refuses a push that claims an owner in the request (unknown field)', async () => {
    const { id } = freshRecord('entry', orgIdOf.member);
    const update = toBase64(createUpdate('entry', sharedEntry, editContext(orgIdOf.member, 'member')));
    const body = JSON.stringify({ records: [{ id, type: 'entry', update, ownerOrg: orgIdOf.member2 }] });
    await expectRefused(() => pushBody(hub.url, tokenOf.member, body), [id], 400, 'bad-request');
  });

  it("refuses a ballot whose id is not the one derived from its proposal and the pusher's organization", async () => {
    const ctx = editContext(orgIdOf.member, 'member');
    const input = { proposalId: 'proposal-wrong-id', isSecret: false };
    await openProposal(input.proposalId);
    for (const id of ['ballot-chosen-freely', ballotId('another-proposal', orgIdOf.member)]) {
      await expectRefused(() => push(hub.url, tokenOf.member, [{ id, type: 'ballot', update: createUpdate('ballot', input, ctx) }]), [id], 400, 'wrong-id');
    }
    // Another organization's derived id is that organization's, stored or not: refused before
    // the update is decoded, as writing to its stored ballot would be.
    const theirs = ballotId('proposal-wrong-id', orgIdOf.member2);
    const answer = await expectRefused(() => push(hub.url, tokenOf.member, [{ id: theirs, type: 'ballot', update: createUpdate('ballot', input, ctx) }]), [theirs], 403, 'forbidden');
    expect(answer.body).toMatchObject({ error: { message: "a member may not create another organization's ballot" } });
    const id = ballotId('proposal-wrong-id', orgIdOf.member);
    await expectAccepted(() => push(hub.url, tokenOf.member, [{ id, type: 'ballot', update: createUpdate('ballot', input, ctx) }]), id);
  });

  it('refuses a new entry born endorsed by a member', async () => {
    const { id } = freshRecord('entry', orgIdOf.member);
    const ctx = editContext(orgIdOf.member, 'member');
    const update = createUpdate('entry', sharedEntry, ctx, (doc) => {
      entryReviewMutators.submitForReview.apply(doc, '', ctx);
      entryReviewMutators.endorseSubmission.apply(doc, '', ctx);
    });
    const answer = await expectRefused(() => push(hub.url, tokenOf.member, [{ id, type: 'entry', update }]), [id], 403, 'forbidden');
    expect(answer.body).toMatchObject({ error: { message: 'a member may not review its own entry', recordId: id } });
  });

  it('refuses a push of another type for an existing id with header-mismatch', async () => {
    const existing = await seed('entry', 'member');
    const update = createUpdate('comment', { targetId: 'proposal-1', text: 'Hello' }, editContext(orgIdOf.member, 'member'));
    await expectRefused(() => push(hub.url, tokenOf.member, [{ id: existing.header.id, type: 'comment', update }]), [existing.header.id], 409, 'header-mismatch');
  });

  it('refuses a whole batch when one of its records is refused', async () => {
    const ctx = editContext(orgIdOf.member, 'member');
    const mine = freshRecord('entry', orgIdOf.member).id;
    const theirs = await seed('entry', 'member2');
    const answer = await expectRefused(
      () =>
        push(hub.url, tokenOf.member, [
          { id: mine, type: 'entry', update: createUpdate('entry', sharedEntry, ctx) },
          { id: theirs.header.id, type: 'entry', update: changeUpdate(theirs.state, (doc) => entryMutators.setFields.apply(doc, { title: 'Taken' }, ctx)) },
        ]),
      [mine, theirs.header.id],
      403,
      'forbidden',
    );
    expect(answer.body).toMatchObject({ error: { recordId: theirs.header.id } });
  });
});

describe('a sender without a write grant costs no decoding and learns nothing', () => {
  /** The empty update: adds nothing, so it once answered 200 with the seq of any stored record. */
  const EMPTY_UPDATE = new Uint8Array([0, 0]);
  /** Bytes that are no Yjs update at all: a 400 `bad-update` would mean they were decoded. */
  const GARBAGE = new Uint8Array(Buffer.from('not a yjs update, just bytes'));

  const answerOf = async (who: Who, id: string, type: RecordType, update: Uint8Array) => {
    const answer = await push(hub.url, tokenOf[who], [{ id, type, update }]);
    return { status: answer.status, body: answer.body };
  };

  it("answers a push to another organization's ballot the same whether it voted or not", async () => {
    const proposalId = `proposal-oracle-${++counter}`;
    await openProposal(proposalId);
    const voted = await seed('ballot', 'member2', (doc) => doc.getMap('fields').set('isSecret', true));
    expect(voted.facts.isSecret).toBe(true);
    const notVoted = ballotId(proposalId, orgIdOf.member2);
    for (const update of [EMPTY_UPDATE, GARBAGE]) {
      const stored = await expectRefused(() => push(hub.url, tokenOf.member, [{ id: voted.header.id, type: 'ballot', update }]), [voted.header.id], 403, 'forbidden');
      const missing = await expectRefused(() => push(hub.url, tokenOf.member, [{ id: notVoted, type: 'ballot', update }]), [notVoted], 403, 'forbidden');
      const { recordId: _a, ...storedError } = (stored.body as { error: Record<string, unknown> }).error;
      const { recordId: _b, ...missingError } = (missing.body as { error: Record<string, unknown> }).error;
      expect(storedError).toEqual(missingError);
    }
  });

  it("answers an observer's push to another organization's private draft as to a free id", async () => {
    const draft = await seed('entry', 'member', (doc, ctx) => entryMutators.setSharing.apply(doc, 'private', ctx));
    const free = `entry-never-written-${++counter}`;
    for (const update of [EMPTY_UPDATE, GARBAGE]) {
      const stored = await answerOf('observer', draft.header.id, 'entry', update);
      const missing = await answerOf('observer', free, 'entry', update);
      expect(stored).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      expect({ ...stored, body: { error: { ...(stored.body as { error: object }).error, recordId: free } } }).toEqual(missing);
    }
    expect(await hub.storage.getRecord(free)).toBeNull();
  });

  it("never acknowledges another organization's private draft, not even an update that adds nothing", async () => {
    const draft = await seed('entry', 'member2', (doc, ctx) => entryMutators.setSharing.apply(doc, 'private', ctx));
    for (const who of ['member', 'steward', 'secretariat'] as const) {
      const answer = await expectRefused(() => push(hub.url, tokenOf[who], [{ id: draft.header.id, type: 'entry', update: EMPTY_UPDATE }]), [draft.header.id], 403, 'forbidden');
      expect(JSON.stringify(answer.body)).not.toContain(String(draft.seq));
      // Nor its type: pushed as another type, the answer names the type pushed, not the stored one.
      const asComment = await expectRefused(() => push(hub.url, tokenOf[who], [{ id: draft.header.id, type: 'comment', update: EMPTY_UPDATE }]), [draft.header.id], 403, 'forbidden');
      expect(asComment.body).toMatchObject({ error: { message: `a ${roleOf[who]} may not write the comment ${draft.header.id}` } });
    }
  });

  it('refuses bytes that are no update with forbidden, not bad-update, when the sender may not write', async () => {
    const othersEntry = await seed('entry', 'member2');
    const ownProfile = await seed('org', 'observer');
    await expectRefused(() => push(hub.url, tokenOf.member, [{ id: othersEntry.header.id, type: 'entry', update: GARBAGE }]), [othersEntry.header.id], 403, 'forbidden');
    await expectRefused(() => push(hub.url, tokenOf.observer, [{ id: ownProfile.header.id, type: 'org', update: GARBAGE }]), [ownProfile.header.id], 403, 'forbidden');
    await expectRefused(() => push(hub.url, tokenOf.observer, [{ id: `entry-garbage-${++counter}`, type: 'entry', update: GARBAGE }]), [], 403, 'forbidden');
    // A sender who may write gets the decoding's answer.
    await expectRefused(() => push(hub.url, tokenOf.member2, [{ id: othersEntry.header.id, type: 'entry', update: GARBAGE }]), [othersEntry.header.id], 400, 'bad-update');
  });
});

describe('reads through GET /v1/pull follow the rules table', () => {
  interface ReadVariant {
    readonly label: string;
    readonly type: RecordType;
    readonly change?: Change;
  }
  const variants: readonly ReadVariant[] = [
    { label: 'private draft', type: 'entry', change: (doc, ctx) => entryMutators.setSharing.apply(doc, 'private', ctx) },
    { label: 'shared entry', type: 'entry' },
    { label: 'secret ballot', type: 'ballot', change: (doc) => doc.getMap('fields').set('isSecret', true) },
    { label: 'open ballot', type: 'ballot' },
    {
      label: 'hidden comment',
      type: 'comment',
      change: (doc) => commentMutators.hide.apply(doc, 'off topic', editContext('org-secretariat', 'secretariat')),
    },
    { label: 'visible comment', type: 'comment' },
    { label: 'interest', type: 'interest' },
    { label: 'proposal', type: 'proposal' },
    { label: 'offer', type: 'offer' },
    { label: 'network', type: 'network' },
    { label: 'profile', type: 'org' },
  ];
  /** variant label -> owner -> record id */
  const seeded = new Map<string, Map<Who, StoredRecord>>();
  const pulledIds = new Map<Who, Set<string>>();

  beforeAll(async () => {
    for (const variant of variants) {
      const byOwner = new Map<Who, StoredRecord>();
      for (const owner of identities) byOwner.set(owner, await seed(variant.type, owner, variant.change));
      seeded.set(variant.label, byOwner);
    }
    for (const who of identities) {
      const pulled = await pull(hub.url, tokenOf[who], 0);
      expect(pulled.status).toBe(200);
      pulledIds.set(who, new Set(pulled.records.map((record) => record.meta.id)));
    }
  });

  const recordOf = (label: string, owner: Who) => seeded.get(label)!.get(owner)!;
  const readers = (label: string, owner: Who) => identities.filter((who) => pulledIds.get(who)!.has(recordOf(label, owner).header.id));

  for (const who of identities) {
    it(`${who} pulls exactly the records the rules let it read`, () => {
      const expected: string[] = [];
      const actual: string[] = [];
      for (const variant of variants) {
        for (const owner of identities) {
          const record = recordOf(variant.label, owner);
          // Facts read from the record's own state here, not taken from the hub's stored row.
          const doc = new Y.Doc();
          Y.applyUpdate(doc, record.state);
          const module = moduleFor(variant.type);
          // A comment's target scope is the hub's to derive (from its stored target), never the doc's.
          const facts = { ...module.facts(module.read(doc)), ...(record.facts.target ? { target: record.facts.target } : {}) };
          doc.destroy();
          const name = `${variant.label} of ${owner}`;
          if (canRead({ orgId: orgIdOf[who], role: roleOf[who] }, record.header, facts)) expected.push(name);
          if (pulledIds.get(who)!.has(record.header.id)) actual.push(name);
        }
      }
      expect(actual).toEqual(expected);
    });
  }

  it('sends a private draft to its owner only, not even to the secretariat', () => {
    for (const owner of identities) expect(readers('private draft', owner)).toEqual([owner]);
    expect(readers('shared entry', 'member')).toEqual([...identities]);
  });

  it('sends a secret ballot to its owner and the secretariat only', () => {
    expect(readers('secret ballot', 'member')).toEqual(['secretariat', 'member']);
    expect(readers('secret ballot', 'steward')).toEqual(['secretariat', 'steward']);
    expect(readers('open ballot', 'member')).toEqual([...identities]);
  });

  it('sends a hidden comment to its owner and the secretariat only', () => {
    expect(readers('hidden comment', 'member2')).toEqual(['secretariat', 'member2']);
    expect(readers('visible comment', 'member2')).toEqual([...identities]);
  });

  it("sends an organization's interest to it and the secretariat only", () => {
    expect(readers('interest', 'member')).toEqual(['secretariat', 'member']);
    expect(readers('interest', 'observer')).toEqual(['secretariat', 'observer']);
  });
});
