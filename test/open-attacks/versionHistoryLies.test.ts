// Open attack (MEDIUM): "who changed what between versions is visible" rests on the history
// entry's `before`/`after` text, and the hub checks only that an entry names each changed field,
// never that its text is the change. The runner relabels option "Yes" to "Yes, and sell the
// seed bank's land" while its history entry says the option list went from "Yes\nNo" to
// "Yes\nNo" (a typo fix, note "typo"): voters asked to confirm see a diff of nothing, confirm, and
// the changed option is what is counted.
// A fix must ensure: each new history entry's `before` and `after` are exactly
// versionedText(field, value) of the proposal before and after the write, for every field it
// names (version-unrecorded otherwise), and it names only fields that changed. Today an entry that
// changes nothing is taken too: a runner who dislikes the trend appends one a minute before
// closing, the version becomes 2, and every ballot cast so far stops counting (earlier-version)
// with no time left to confirm it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotId, ballotMutators, type CastInput, type Choice } from '../../shared/records/ballot';
import { networkMutators } from '../../shared/records/network';
import { proposalMutators, type ProposalInput, type ProposalProjection } from '../../shared/records/proposal';
import { resultId, type ResultProjection } from '../../shared/records/result';
import type { RecordType, Role } from '../../shared/records/recordType';
import { pushResponseSchema } from '../../shared/sync/protocol';
import { advanceHubClock, manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';

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

/** A proposal created by `by` and opened with the voters fixed, over HTTP; returns its id. */
async function openPoll(overrides: Partial<ProposalInput> = {}, by: Who = 'steward'): Promise<string> {
  const id = `proposal-${++counter}`;
  const ctx = ctxOf(by);
  const voters = [orgIdOf.steward, orgIdOf.alpha, orgIdOf.beta];
  await expectAccepted(() =>
    pushRecord(by, 'proposal', id, createUpdate('proposal', pollTerms(overrides), ctx, (doc) => proposalMutators.openVote.apply(doc, { reason: 'Agreed at the May meeting', eligibleOrgIds: voters }, ctx))),
  );
  return id;
}

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
    // Today: version 2, nothing changed, and both ballots are excluded.
    expect(sealed.excluded.filter((ballot) => ballot.reason === 'earlier-version')).toEqual([]);
  }
  expect(answer.status).toBe(422);
});
