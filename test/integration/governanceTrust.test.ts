// Decisions people can trust, enforced by a real hub over HTTP (SQLite, loopback, manual clock):
// a block needs its reason; an open proposal's edit is a recorded version and ballots on an earlier
// one stop counting until confirmed; a facilitator's ballot is the secretariat's or a scoped
// steward's to write, never a member's or an unscoped steward's; the voters are fixed at opening;
// the outcome statement waits for the seal and is the runners' to write. Each refusal is a coded
// 4xx that writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { ballotId, ballotMutators, type CastInput, type Choice, type FacilitatedCastInput } from '../../shared/records/ballot';
import { networkMutators, type NetworkProjection } from '../../shared/records/network';
import { proposalMutators, type ProposalInput, type ProposalProjection } from '../../shared/records/proposal';
import { resultId, type ResultProjection } from '../../shared/records/result';
import type { RecordType, Role } from '../../shared/records/recordType';
import { errorBodySchema, pushResponseSchema } from '../../shared/sync/protocol';
import { advanceHubClock, manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';
import { hubMembers, openVoteIn } from '../support/governance';

const HOUR_MS = 3_600_000;
const GRACE_HOURS = 72;

const who = ['secretariat', 'steward', 'alpha', 'beta', 'gamma', 'observer'] as const;
type Who = (typeof who)[number];
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', alpha: 'member', beta: 'member', gamma: 'member', observer: 'observer' };
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
    gamma: await hub.invite('Nujiang Women Weavers'),
    observer: await hub.invite('Provincial Water Bureau', 'observer'),
  };
  for (const name of who) {
    const joined = await hub.join(codes[name]);
    orgIdOf[name] = joined.org.id;
    tokenOf[name] = joined.token;
  }
});

afterAll(async () => {
  await hub?.close();
});

const ctxOf = (name: Who, now = clock.now()) => editContext(orgIdOf[name], roleOf[name], now);

async function stored(id: string) {
  return hub.storage.getRecord(id);
}

async function expectRefused(send: () => Promise<HubAnswer>, ids: readonly string[], status: number, code: string): Promise<HubAnswer> {
  const before = { lastSeq: await hub.storage.lastSeq(), records: await Promise.all(ids.map(stored)), arrivals: await hub.storage.castArrivals(ids) };
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { error: { code, recordId: ids[0] } } });
  errorBodySchema.parse(answer.body);
  // Nothing written: no sequence number, no record, no arrival time.
  expect({ lastSeq: await hub.storage.lastSeq(), records: await Promise.all(ids.map(stored)), arrivals: await hub.storage.castArrivals(ids) }).toEqual(before);
  return answer;
}

async function expectAccepted(send: () => Promise<HubAnswer>): Promise<void> {
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
  pushResponseSchema.parse(answer.body);
}

/** Pushes the creation (or a change) of a record of `type` as `name` would from its device. */
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

/** A proposal created and opened by `by` over HTTP; returns its id. */
async function openPoll(overrides: Partial<ProposalInput> = {}, by: Who = 'secretariat'): Promise<string> {
  const id = `proposal-${++counter}`;
  const ctx = ctxOf(by);
  const members = await hubMembers(hub.storage);
  await expectAccepted(() => pushRecord(by, 'proposal', id, createUpdate('proposal', pollTerms(overrides), ctx, (doc) => openVoteIn(doc, members, ctx))));
  return id;
}


async function setStewardScopes(scopes: ('proposals' | 'offers')[]): Promise<void> {
  const current = (await stored('network'))!;
  await commitSystemChange(hub.storage, current.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: orgIdOf.steward, scopes }, ctxOf('secretariat')),
  );
}

/** Moves the hub past this proposal's closing plus grace and the settle margin, and seals. */
async function passSealing(proposalId: string): Promise<ResultProjection> {
  const closesAt = ((await stored(proposalId))!.projection as { closesAt: number }).closesAt;
  const target = closesAt + GRACE_HOURS * HOUR_MS + SEAL_SETTLE_MS + 1;
  const outcomes = await advanceHubClock(hub, clock, Math.max(0, target - clock.now()));
  expect(outcomes.get(proposalId)).toMatchObject({ kind: 'sealed', resultId: resultId(proposalId) });
  return (await stored(resultId(proposalId)))!.projection as unknown as ResultProjection;
}

type Ctx = ReturnType<typeof ctxOf>;

/** The update by which `name` writes `change` into `proposalId`'s ballot of `owner` (its own by default). */
async function ballotUpdate(name: Who, proposalId: string, change: (doc: Y.Doc, ctx: Ctx) => void, owner: Who = name, isSecret = false): Promise<{ id: string; update: Uint8Array }> {
  const id = ballotId(proposalId, orgIdOf[owner]);
  const ctx = ctxOf(name);
  const existing = await stored(id);
  const update = existing ? changeUpdate(existing.state, (doc) => change(doc, ctx)) : createUpdate('ballot', { proposalId, isSecret }, ctx, (doc) => change(doc, ctx));
  return { id, update };
}

async function castOn(name: Who, proposalId: string, input: CastInput): Promise<HubAnswer> {
  const { id, update } = await ballotUpdate(name, proposalId, (doc, ctx) => ballotMutators.castOn.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx));
  return pushRecord(name, 'ballot', id, update);
}

async function facilitate(name: Who, owner: Who, proposalId: string, input: FacilitatedCastInput, isSecret = false): Promise<{ id: string; answer: HubAnswer }> {
  const { id, update } = await ballotUpdate(name, proposalId, (doc, ctx) => ballotMutators.facilitate.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx), owner, isSecret);
  return { id, answer: await pushRecord(name, 'ballot', id, update) };
}

async function changeProposal(name: Who, id: string, change: (doc: Y.Doc, ctx: Ctx) => void): Promise<HubAnswer> {
  return pushRecord(name, 'proposal', id, changeUpdate((await stored(id))!.state, (doc) => change(doc, ctxOf(name))));
}

const projectionOfStored = async (id: string) => (await stored(id))!.projection as unknown as ProposalProjection;

const AGREE: Choice = { method: 'consent', position: 'agree' };
const BLOCK: Choice = { method: 'consent', position: 'block' };
const YES: Choice = { method: 'single', optionId: 'yes' };
const WITNESS = { channel: 'in-person' as const, witness: 'Li Wei, village head' };

describe('reasons', () => {
  it('refuses a consent block without a reason (422 reason-required), takes it with one, and seals the reason beside the result', async () => {
    const poll = await openPoll({ method: 'consent', options: [] });
    const id = ballotId(poll, orgIdOf.alpha);
    await expectRefused(() => castOn('alpha', poll, { choice: BLOCK, reason: '  ', proposalVersion: 1 }), [id], 422, 'reason-required');
    await expectAccepted(() => castOn('alpha', poll, { choice: BLOCK, reason: 'the plan leaves out the river villages', proposalVersion: 1 }));
    await expectAccepted(() => castOn('beta', poll, { choice: AGREE, reason: '', proposalVersion: 1 }));
    const sealed = await passSealing(poll);
    expect(sealed.tally?.outcome.status).toBe('blocked');
    expect(sealed.reasons).toEqual([{ orgId: orgIdOf.alpha, choice: BLOCK, reason: 'the plan leaves out the river villages' }]);
  });
});

describe('proposal versions', () => {
  it('takes an open proposal\'s edit as version 2 with its history, and then counts only ballots on version 2', async () => {
    const poll = await openPoll();
    await expectAccepted(() => castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
    await expectAccepted(() => castOn('beta', poll, { choice: YES, proposalVersion: 1 }));
    // An edit that names another organization as its editor is refused.
    await expectRefused(
      () => changeProposal('secretariat', poll, (doc, ctx) => proposalMutators.revise.apply(doc, { terms: { title: 'Pool half the fund' }, note: '' }, { ...ctx, orgId: orgIdOf.steward })),
      [poll],
      422,
      'version-unrecorded',
    );
    await expectAccepted(() => changeProposal('secretariat', poll, (doc, ctx) => proposalMutators.revise.apply(doc, { terms: { title: 'Pool half the fund' }, note: 'halved after the budget call' }, ctx)));
    const edited = await projectionOfStored(poll);
    expect(edited).toMatchObject({ version: 2, title: 'Pool half the fund' });
    expect(edited.history).toEqual([expect.objectContaining({ orgId: orgIdOf.secretariat, note: 'halved after the budget call', changes: [{ field: 'title', before: expect.stringContaining('Pool the seed fund'), after: 'Pool half the fund' }] })]);
    // A cast on a version the hub does not hold.
    await expectRefused(() => castOn('gamma', poll, { choice: YES, proposalVersion: 3 }), [ballotId(poll, orgIdOf.gamma)], 409, 'version-unknown');
    // Beta confirms on version 2, a minute later (a ballot holds one cast per instant); Alpha does not.
    clock.advance(60_000);
    await expectAccepted(() => castOn('beta', poll, { choice: YES, proposalVersion: 2 }));
    const sealed = await passSealing(poll);
    expect(sealed.proposalVersion).toBe(2);
    expect(sealed.counted.map((ballot) => ballot.orgId)).toEqual([orgIdOf.beta]);
    expect(sealed.excluded).toEqual([expect.objectContaining({ orgId: orgIdOf.alpha, reason: 'earlier-version' })]);
  });
});

describe("a facilitator's ballot", () => {
  it('is refused from a member and from a steward without the proposals scope, taken from a scoped steward, counted, and replaced by the organization', async () => {
    const poll = await openPoll({ method: 'consent', options: [] });
    const cast = { choice: AGREE, reason: '', proposalVersion: 1, ...WITNESS };
    const gammaBallot = ballotId(poll, orgIdOf.gamma);
    // A member may not write another organization's ballot at all.
    await expectRefused(async () => (await facilitate('alpha', 'gamma', poll, cast)).answer, [gammaBallot], 403, 'forbidden');
    await setStewardScopes([]);
    await expectRefused(async () => (await facilitate('steward', 'gamma', poll, cast)).answer, [gammaBallot], 403, 'steward-not-authorized');
    await setStewardScopes(['proposals']);
    // Even with the scope, a steward writes only the facilitated log, never the organization's own casts.
    await expectRefused(
      async () => {
        const { id, update } = await ballotUpdate('steward', poll, (doc, ctx) => ballotMutators.castOn.apply(doc, { choice: AGREE, reason: '', proposalVersion: 1 }, ctx), 'gamma');
        return pushRecord('steward', 'ballot', id, update);
      },
      [gammaBallot],
      403,
      'forbidden',
    );
    const facilitated = await facilitate('steward', 'gamma', poll, cast);
    await expectAccepted(async () => facilitated.answer);
    expect((await stored(gammaBallot))!.header.ownerOrg).toBe(orgIdOf.gamma);
    // A block recorded by a facilitator needs its reason too.
    await expectRefused(async () => (await facilitate('steward', 'gamma', poll, { ...cast, choice: BLOCK })).answer, [gammaBallot], 422, 'reason-required');

    const replaced = await openPoll({ method: 'consent', options: [] });
    await expectAccepted(async () => (await facilitate('steward', 'beta', replaced, cast)).answer);
    clock.advance(60_000);
    await expectAccepted(() => castOn('beta', replaced, { choice: BLOCK, reason: 'we were not asked about the date', proposalVersion: 1 }));

    const sealedFacilitated = await passSealing(poll);
    expect(sealedFacilitated.counted).toEqual([expect.objectContaining({ orgId: orgIdOf.gamma, facilitation: { byOrgId: orgIdOf.steward, ...WITNESS } })]);
    // Both polls share a closing hour: the same sealing run sealed the second.
    const sealedReplaced = (await stored(resultId(replaced)))!.projection as unknown as ResultProjection;
    expect(sealedReplaced.counted).toEqual([expect.objectContaining({ orgId: orgIdOf.beta, facilitation: null, reason: 'we were not asked about the date' })]);
  });

  it('is refused on a secret ballot, which stays its organization’s alone', async () => {
    await setStewardScopes(['proposals']);
    const poll = await openPoll({ secrecy: 'secret' });
    await expectRefused(async () => (await facilitate('steward', 'gamma', poll, { choice: YES, proposalVersion: 1, ...WITNESS }, true)).answer, [ballotId(poll, orgIdOf.gamma)], 403, 'forbidden');
  });
});

describe('voters fixed at opening', () => {
  it('refuses a voter list that is not the hub\'s own at opening, and counts the written list after the network changes', async () => {
    const id = `proposal-${++counter}`;
    const ctx = ctxOf('secretariat');
    await expectAccepted(() => pushRecord('secretariat', 'proposal', id, createUpdate('proposal', pollTerms(), ctx)));
    const network = (await stored('network'))!.projection as unknown as NetworkProjection;
    const voters = eligibleOrgIds(network.members, { kind: 'all-members' });
    await expectRefused(
      () => changeProposal('secretariat', id, (doc, c) => proposalMutators.openVote.apply(doc, { reason: 'agreed in March', eligibleOrgIds: voters.slice(1) }, c)),
      [id],
      409,
      'eligibility-mismatch',
    );
    await expectAccepted(() => changeProposal('secretariat', id, (doc, c) => proposalMutators.openVote.apply(doc, { reason: 'agreed in March', eligibleOrgIds: voters }, c)));
    expect(await projectionOfStored(id)).toMatchObject({ state: 'open', eligibleOrgIds: voters, stateChanges: [expect.objectContaining({ state: 'open', reason: 'agreed in March' })] });
    // A member who joins after opening is no voter on it.
    const late = await hub.join(await hub.invite('Late Joiners Association'));
    const lateBallot = ballotId(id, late.org.id);
    const lateCtx = editContext(late.org.id, 'member', clock.now());
    await expectRefused(
      () => push(hub.url, late.token, [{ id: lateBallot, type: 'ballot', update: createUpdate('ballot', { proposalId: id }, lateCtx, (doc) => ballotMutators.castOn.apply(doc, { choice: YES, reason: '', proposalVersion: 1 }, lateCtx)) }]),
      [lateBallot],
      403,
      'not-eligible',
    );
    const sealed = await passSealing(id);
    expect(sealed.eligibleOrgIds).toEqual(voters);
  });
});

describe('the outcome statement', () => {
  it('waits for the seal, is the secretariat’s or the running organization’s to write, and is the one change a sealed proposal takes', async () => {
    await setStewardScopes(['proposals']);
    const poll = await openPoll({}, 'steward');
    const statement = { decided: 'Half the fund goes to the river villages', actions: 'Erhai Alliance drafts the grant letters by May', reviewOn: '2026-09-01' };
    await expectRefused(() => changeProposal('steward', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, statement, ctx)), [poll], 409, 'outcome-not-sealed');
    await passSealing(poll);
    // A member, even one that voted, does not write it.
    await expectRefused(() => changeProposal('alpha', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, statement, ctx)), [poll], 403, 'forbidden');
    await expectAccepted(() => changeProposal('steward', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, statement, ctx)));
    await expectAccepted(() => changeProposal('secretariat', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, { ...statement, reviewOn: '2026-10-01' }, ctx)));
    expect((await projectionOfStored(poll)).outcome).toMatchObject({ ...statement, reviewOn: '2026-10-01', orgId: orgIdOf.secretariat });
    // Anything else about a sealed proposal stays as sealed.
    await expectRefused(() => changeProposal('secretariat', poll, (doc, ctx) => proposalMutators.revise.apply(doc, { terms: { title: 'Rewritten' }, note: '' }, ctx)), [poll], 409, 'poll-sealed');
  });
});
