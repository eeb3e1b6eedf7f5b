// Open attack (MEDIUM): a facilitator's ballot "counts like a ballot; the organization sees it and
// can confirm or replace it until closing". The hub takes a facilitated cast during the grace
// period after closing (cast time backdated to just before `closesAt`, as an offline laptop's
// may be) and the seal counts it. A scoped steward therefore watches the live tally, and after
// the vote has closed records ballots "by phone" for the organizations that did not vote, to
// swing the result; those organizations can no longer replace them (their own casts are now
// cast-after-closing), so the promise of the feature is void exactly when it matters.
// A fix must ensure: a facilitated cast counts only if the hub received it before `closesAt`
// (refused after, e.g. 409 cast-after-closing on receipt time), or the grace period is the
// organization's own alone; the organization always has the chance to replace it.
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

const projectionOfStored = async (id: string) => (await stored(id))!.projection as unknown as ProposalProjection;

const YES: Choice = { method: 'single', optionId: 'yes' };

it('does not count a facilitated ballot the hub received after closing', async () => {
  const poll = await openPoll();
  await expectAccepted(() => castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  const closesAt = (await projectionOfStored(poll)).closesAt;
  // An hour after closing, the steward records Beta's vote, timed a millisecond before closing.
  await advanceHubClock(hub, clock, closesAt - clock.now() + HOUR_MS);
  const late = ctxOf('steward', closesAt - 1);
  const id = ballotId(poll, orgIdOf.beta);
  const answer = await pushRecord(
    'steward',
    'ballot',
    id,
    createUpdate('ballot', { proposalId: poll, isSecret: false }, late, (doc) =>
      ballotMutators.facilitate.apply(doc, { choice: { method: 'single', optionId: 'no' }, reason: '', proposalVersion: 1, channel: 'phone', witness: 'Li Wei, village head' }, late),
    ),
  );
  // Beta, hearing of it, cannot replace it: its own cast is after closing.
  const betaAnswer = await castOn('beta', poll, { choice: YES, proposalVersion: 1 });
  expect(betaAnswer.status).toBe(409);
  const sealed = await passSealing(poll);
  // Today: 200 and the seal counts the facilitator's "no" for Beta.
  expect(sealed.counted.map((ballot) => ballot.orgId)).not.toContain(orgIdOf.beta);
  expect(answer.status).toBe(409);
});
