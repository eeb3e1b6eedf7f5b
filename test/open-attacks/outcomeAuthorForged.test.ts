// Open attack (MEDIUM): the outcome statement's author is `fields.outcome.orgId`, which the writer
// sets: the hub checks neither it nor `at`. A steward that ran a vote writes "what was decided,
// who does what" in the secretariat's name (and dated when it likes), and every reader, the
// decision record and the report show the secretariat as its author.
// A fix must ensure: a changed outcome's `orgId` is the writer's organization and its `at` is
// within the usual skew of the hub's clock (forbidden otherwise).
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

it('refuses an outcome statement that names another organization as its author', async () => {
  const poll = await openPoll();
  await expectAccepted(() => castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  await passSealing(poll);
  const statement = { decided: 'The whole fund goes to the Erhai Alliance', actions: 'Erhai Alliance spends it', reviewOn: '2027-06-01' };
  const answer = await changeProposal('steward', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, statement, { ...ctx, orgId: orgIdOf.secretariat, now: Date.UTC(2020, 0, 1) }));
  const outcome = (await projectionOfStored(poll)).outcome;
  // Today: accepted, and the statement reads as the secretariat's, written in 2020.
  expect(outcome?.orgId === orgIdOf.secretariat ? 'forged author stored' : 'not stored').toBe('not stored');
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: poll } } });
});
