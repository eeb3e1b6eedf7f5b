// "Who changed what between versions is visible" rests on each history entry's before and after
// text. The hub once checked only that an entry named each changed field: a runner relabelled
// option "Yes" to "Yes, and sell the seed bank's land" with an entry saying the options went from
// "Yes\nNo" to "Yes\nNo" (a typo fix), so voters asked to confirm saw a diff of nothing. And an
// entry that changed nothing was taken too: appended a minute before closing, it made version 2
// and voided every ballot cast so far with no time left to confirm them. The hub now holds each
// new entry to the change (shared versionChanges): its before and after run from each field it
// names as it was to the field as the write leaves it (422 version-unrecorded otherwise), and a
// field it names must have changed (422 version-unchanged). Each refusal writes nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotId, ballotMutators, type CastInput, type Choice } from '../../shared/records/ballot';
import { networkMutators } from '../../shared/records/network';
import { proposalMutators, type ProposalInput, type ProposalProjection } from '../../shared/records/proposal';
import { resultId, type ResultProjection } from '../../shared/records/result';
import type { RecordType, Role } from '../../shared/records/recordType';
import { errorBodySchema, pushResponseSchema } from '../../shared/sync/protocol';
import { advanceHubClock, manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';
import { hubMembers, openVoteIn } from '../support/governance';

const HOUR_MS = 3_600_000;
const GRACE_HOURS = 72;

const who = ['secretariat', 'steward', 'alpha', 'beta'] as const;
type Who = (typeof who)[number];
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', alpha: 'member', beta: 'member' };
const orgIdOf = {} as Record<Who, string>;
const tokenOf = {} as Record<Who, string>;

let hub: TestHub;
let clock: ManualClock;
let counter = 0;

beforeAll(async () => {
  clock = manualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
  hub = await startTestHub({ now: clock.now });
  const codes: Record<Who, string> = {
    secretariat: hub.secretariatCode,
    steward: await hub.invite('Erhai Watershed Alliance', 'steward'),
    alpha: await hub.invite('Fengyu Farmers Cooperative'),
    beta: await hub.invite('Cangshan Seed Bank'),
  };
  for (const name of who) {
    const joined = await hub.join(codes[name]);
    orgIdOf[name] = joined.org.id;
    tokenOf[name] = joined.token;
  }
  const network = (await hub.storage.getRecord('network'))!;
  await commitSystemChange(hub.storage, network.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: orgIdOf.steward, scopes: ['proposals'] }, ctxOf('secretariat')),
  );
});

afterAll(async () => {
  await hub?.close();
});

const ctxOf = (name: Who, now = clock.now()) => editContext(orgIdOf[name], roleOf[name], now);
type Ctx = ReturnType<typeof ctxOf>;
const stored = (id: string) => hub.storage.getRecord(id);

async function expectAccepted(send: () => Promise<HubAnswer>): Promise<void> {
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
  pushResponseSchema.parse(answer.body);
}

function pushRecord(name: Who, type: RecordType, id: string, update: Uint8Array): Promise<HubAnswer> {
  return push(hub.url, tokenOf[name], [{ id, type, update }]);
}

function pollTerms(overrides: Partial<ProposalInput> = {}): ProposalInput {
  return {
    title: `Pool the seed fund ${++counter}`,
    options: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ],
    method: 'single',
    opensAt: clock.now(),
    closesAt: clock.now() + 48 * HOUR_MS,
    graceHours: GRACE_HOURS,
    ...overrides,
  };
}

/** A proposal created by `by` and opened as the app opens it (its reason, the voters fixed), over HTTP; returns its id. */
async function openPoll(overrides: Partial<ProposalInput> = {}, by: Who = 'steward'): Promise<string> {
  const id = `proposal-${++counter}`;
  const ctx = ctxOf(by);
  const members = await hubMembers(hub.storage);
  await expectAccepted(() => pushRecord(by, 'proposal', id, createUpdate('proposal', pollTerms(overrides), ctx, (doc) => openVoteIn(doc, members, ctx))));
  return id;
}

async function expectRefused(send: () => Promise<HubAnswer>, id: string, status: number, code: string): Promise<void> {
  const before = { lastSeq: await hub.storage.lastSeq(), record: await stored(id) };
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { error: { code, recordId: id } } });
  errorBodySchema.parse(answer.body);
  expect({ lastSeq: await hub.storage.lastSeq(), record: await stored(id) }).toEqual(before);
}

type Change = { field: 'title' | 'description' | 'options' | 'maxChoices'; before: string; after: string };
const entry = (ctx: Ctx, changes: Change[], note: string) => ({ orgId: ctx.orgId, deviceId: ctx.deviceId, at: ctx.now, changes, note });

async function passSealing(proposalId: string): Promise<ResultProjection> {
  const closesAt = ((await stored(proposalId))!.projection as { closesAt: number }).closesAt;
  const target = closesAt + GRACE_HOURS * HOUR_MS + SEAL_SETTLE_MS + 1;
  const outcomes = await advanceHubClock(hub, clock, Math.max(0, target - clock.now()));
  expect(outcomes.get(proposalId)).toMatchObject({ kind: 'sealed', resultId: resultId(proposalId) });
  return (await stored(resultId(proposalId)))!.projection as unknown as ResultProjection;
}

async function ballotUpdate(name: Who, proposalId: string, change: (doc: Y.Doc, ctx: Ctx) => void, owner: Who = name): Promise<{ id: string; update: Uint8Array }> {
  const id = ballotId(proposalId, orgIdOf[owner]);
  const ctx = ctxOf(name);
  const existing = await stored(id);
  const update = existing ? changeUpdate(existing.state, (doc) => change(doc, ctx)) : createUpdate('ballot', { proposalId, isSecret: false }, ctx, (doc) => change(doc, ctx));
  return { id, update };
}

async function castOn(name: Who, proposalId: string, input: CastInput): Promise<HubAnswer> {
  const { id, update } = await ballotUpdate(name, proposalId, (doc, ctx) => ballotMutators.castOn.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx));
  return pushRecord(name, 'ballot', id, update);
}

async function changeProposal(name: Who, id: string, change: (doc: Y.Doc, ctx: Ctx) => void): Promise<HubAnswer> {
  return pushRecord(name, 'proposal', id, changeUpdate((await stored(id))!.state, (doc) => change(doc, ctxOf(name))));
}

const projectionOfStored = async (id: string) => (await stored(id))!.projection as unknown as ProposalProjection;

const YES: Choice = { method: 'single', optionId: 'yes' };

it('refuses a version entry whose before/after text is not the change it records', async () => {
  const poll = await openPoll();
  await expectAccepted(() => castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  const options = [
    { id: 'yes', label: "Yes, and sell the seed bank's land" },
    { id: 'no', label: 'No' },
  ];
  const answer = await changeProposal('steward', poll, (doc, ctx) => {
    doc.getMap('fields').set('options', options);
    doc.getArray('log.history').push([{ orgId: ctx.orgId, deviceId: ctx.deviceId, at: ctx.now, changes: [{ field: 'options', before: 'Yes\nNo', after: 'Yes\nNo' }], note: 'typo' }]);
  });
  const after = await projectionOfStored(poll);
  // Today: accepted; the proposal now offers the land sale and its history says nothing changed.
  expect(after.options).toEqual(answer.status === 200 ? options : pollTerms().options);
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'version-unrecorded', recordId: poll } } });
});

it('refuses a version entry that changes nothing, which would void every ballot cast so far', async () => {
  const poll = await openPoll();
  await expectAccepted(() => castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  await expectAccepted(() => castOn('beta', poll, { choice: YES, proposalVersion: 1 }));
  const title = (await projectionOfStored(poll)).title;
  // A minute before closing.
  await advanceHubClock(hub, clock, 48 * HOUR_MS - 60_000 - (clock.now() - (await projectionOfStored(poll)).opensAt));
  const answer = await changeProposal('steward', poll, (doc, ctx) =>
    doc.getArray('log.history').push([{ orgId: ctx.orgId, deviceId: ctx.deviceId, at: ctx.now, changes: [{ field: 'title', before: title, after: title }], note: 'wording' }]),
  );
  if (answer.status === 200) {
    const sealed = await passSealing(poll);
    // Before the fix: version 2, nothing changed, and both ballots were excluded.
    expect(sealed.excluded.filter((ballot) => ballot.reason === 'earlier-version')).toEqual([]);
  }
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'version-unchanged', recordId: poll } } });
});

it('refuses an entry that names a field the edit leaves as it was beside one it changed (422 version-unchanged), writing nothing', async () => {
  const poll = await openPoll();
  const { title } = await projectionOfStored(poll);
  await expectRefused(
    () =>
      changeProposal('steward', poll, (doc, ctx) => {
        doc.getMap('fields').set('title', `${title} (revised)`);
        doc.getArray('log.history').push([entry(ctx, [{ field: 'title', before: title, after: `${title} (revised)` }, { field: 'maxChoices', before: '1', after: '1' }], 'wording')]);
      }),
    poll,
    422,
    'version-unchanged',
  );
});

it('refuses an entry whose before is not the field as it was (422 version-unrecorded), writing nothing', async () => {
  const poll = await openPoll();
  const { title } = await projectionOfStored(poll);
  await expectRefused(
    () =>
      changeProposal('steward', poll, (doc, ctx) => {
        doc.getMap('fields').set('title', 'Sell the seed bank');
        doc.getArray('log.history').push([entry(ctx, [{ field: 'title', before: 'Pool the seed fund', after: 'Sell the seed bank' }], 'wording')]);
      }),
    poll,
    422,
    'version-unrecorded',
  );
  expect((await projectionOfStored(poll)).title).toBe(title);
});

it('takes two revisions a device made offline one after another and pushes at once as versions 2 and 3', async () => {
  const poll = await openPoll();
  const { title } = await projectionOfStored(poll);
  await expectAccepted(() =>
    changeProposal('steward', poll, (doc, ctx) => {
      proposalMutators.revise.apply(doc, { terms: { title: `${title}, in stages` }, note: 'phasing' }, ctx);
      proposalMutators.revise.apply(doc, { terms: { title: `${title}, in two stages`, description: 'First the seed, then the land' }, note: 'two stages' }, ctx);
    }),
  );
  expect(await projectionOfStored(poll)).toMatchObject({
    version: 3,
    history: [
      { changes: [{ field: 'title', before: title, after: `${title}, in stages` }] },
      {
        changes: [
          { field: 'title', before: `${title}, in stages`, after: `${title}, in two stages` },
          { field: 'description', before: '', after: 'First the seed, then the land' },
        ],
      },
    ],
  });
});
