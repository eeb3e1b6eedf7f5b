// The hub's governance rules over real HTTP on a real hub (SQLite, loopback): who may vote on what
// and when, steward grants, locked terms, ballot secrecy on pull, and sealing: a signed result that
// no later push changes and that anyone verifies offline. The hub's clock is a manual clock, so a
// test carries it past closing and the grace period and runs the seals itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { CAST_SKEW_MS } from '../../server/hub/governancePolicy';
import { sealProposal, SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotReceipt } from '../../shared/governance/ballotReceipt';
import { verifySeal } from '../../shared/governance/verifySeal';
import { ballotId, ballotMutators, type Choice } from '../../shared/records/ballot';
import { comment, commentMutators } from '../../shared/records/comment';
import { network, networkMutators, type NetworkProjection } from '../../shared/records/network';
import { offer, offerMutators } from '../../shared/records/offer';
import { proposal, proposalMutators, type ProposalInput } from '../../shared/records/proposal';
import { result, resultId, type ResultProjection } from '../../shared/records/result';
import type { RecordType, Role } from '../../shared/records/recordType';
import { errorBodySchema, pushResponseSchema } from '../../shared/sync/protocol';
import { advanceHubClock, manualClock, startTestHub, tickingClock, type ManualClock, type TestHub } from '../support/hub';
import { hubMembers, openVoteIn, TEST_REASON } from '../support/governance';
import { changeUpdate, createUpdate, editContext, pull, push, type HubAnswer } from '../support/hubRequests';

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

/** The update by which `name` casts `choice` at `castAt` (its device clock) on its ballot. */
async function castUpdate(name: Who, proposalId: string, choice: Choice, castAt = clock.now(), isSecret = false): Promise<{ id: string; update: Uint8Array }> {
  const id = ballotId(proposalId, orgIdOf[name]);
  const ctx = ctxOf(name, castAt);
  const existing = await stored(id);
  const update = existing
    ? changeUpdate(existing.state, (doc) => ballotMutators.cast.apply(doc, choice, ctx))
    : createUpdate('ballot', { proposalId, isSecret }, ctx, (doc) => ballotMutators.cast.apply(doc, choice, ctx));
  return { id, update };
}

async function cast(name: Who, proposalId: string, choice: Choice, castAt = clock.now(), isSecret = false): Promise<HubAnswer> {
  const { id, update } = await castUpdate(name, proposalId, choice, castAt, isSecret);
  return pushRecord(name, 'ballot', id, update);
}

const YES: Choice = { method: 'single', optionId: 'yes' };
const NO: Choice = { method: 'single', optionId: 'no' };

async function saltOf(proposalId: string, name: Who): Promise<string> {
  return ((await stored(ballotId(proposalId, orgIdOf[name])))!.projection as { receiptSalt: string }).receiptSalt;
}

async function networkProjection(): Promise<NetworkProjection> {
  return (await stored('network'))!.projection as unknown as NetworkProjection;
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

describe('who may vote', () => {
  it("refuses a member voting for another organization: another's ballot id, or another's ballot", async () => {
    const poll = await openPoll();
    const forged = ballotId(poll, orgIdOf.beta);
    const update = createUpdate('ballot', { proposalId: poll, isSecret: false }, ctxOf('alpha'), (doc) => ballotMutators.cast.apply(doc, YES, ctxOf('alpha')));
    // The id names beta as owner: refused before decoding, whether or not beta has voted.
    const early = await expectRefused(() => pushRecord('alpha', 'ballot', forged, update), [forged], 403, 'forbidden');
    expect(early.body).toMatchObject({ error: { message: "a member may not create another organization's ballot" } });

    await expectAccepted(() => cast('beta', poll, NO));
    const betaBallot = (await stored(forged))!;
    const takeover = changeUpdate(betaBallot.state, (doc) => ballotMutators.cast.apply(doc, YES, ctxOf('alpha')));
    const answer = await expectRefused(() => pushRecord('alpha', 'ballot', forged, takeover), [forged], 403, 'forbidden');
    expect(answer.body).toMatchObject({ error: { message: "a member may not edit another organization's ballot" } });
  });

  it('refuses a ballot from an organization the proposal does not make eligible', async () => {
    const poll = await openPoll({ eligible: { kind: 'orgs', orgIds: [orgIdOf.alpha, orgIdOf.beta] } });
    await expectAccepted(() => cast('alpha', poll, YES));
    const { id, update } = await castUpdate('gamma', poll, YES);
    await expectRefused(() => pushRecord('gamma', 'ballot', id, update), [id], 403, 'not-eligible');
    // 'all-members' means the member organizations: the secretariat runs the poll and does not vote.
    const allMembers = await openPoll();
    const secretariatBallot = await castUpdate('secretariat', allMembers, YES);
    await expectRefused(() => pushRecord('secretariat', 'ballot', secretariatBallot.id, secretariatBallot.update), [secretariatBallot.id], 403, 'not-eligible');
    await expectAccepted(() => cast('steward', allMembers, YES));
  });

  it('refuses a ballot on a proposal the hub does not have, or one that is not open', async () => {
    const unknown = await castUpdate('alpha', 'proposal-nobody-wrote', YES);
    await expectRefused(() => pushRecord('alpha', 'ballot', unknown.id, unknown.update), [unknown.id], 409, 'proposal-unknown');

    const draftId = `proposal-${++counter}`;
    await expectAccepted(() => pushRecord('secretariat', 'proposal', draftId, createUpdate('proposal', pollTerms(), ctxOf('secretariat'))));
    const onDraft = await castUpdate('alpha', draftId, YES);
    await expectRefused(() => pushRecord('alpha', 'ballot', onDraft.id, onDraft.update), [onDraft.id], 409, 'poll-not-open');

    const cancelled = await openPoll();
    const current = (await stored(cancelled))!;
    await expectAccepted(() => pushRecord('secretariat', 'proposal', cancelled, changeUpdate(current.state, (doc) => proposalMutators.cancelVote.apply(doc, TEST_REASON, ctxOf('secretariat')))));
    const onCancelled = await castUpdate('alpha', cancelled, YES);
    await expectRefused(() => pushRecord('alpha', 'ballot', onCancelled.id, onCancelled.update), [onCancelled.id], 409, 'poll-not-open');
  });

  it("refuses a ballot whose secrecy is not the proposal's, and a choice the proposal does not offer", async () => {
    const secret = await openPoll({ secrecy: 'secret' });
    const claimedOpen = await castUpdate('alpha', secret, YES, clock.now(), false);
    await expectRefused(() => pushRecord('alpha', 'ballot', claimedOpen.id, claimedOpen.update), [claimedOpen.id], 422, 'secrecy-mismatch');

    const poll = await openPoll();
    const maybe = await castUpdate('alpha', poll, { method: 'single', optionId: 'maybe' });
    await expectRefused(() => pushRecord('alpha', 'ballot', maybe.id, maybe.update), [maybe.id], 422, 'invalid-choice');
    const ranked = await castUpdate('alpha', poll, { method: 'ranked', ranking: ['yes', 'no'] });
    await expectRefused(() => pushRecord('alpha', 'ballot', ranked.id, ranked.update), [ranked.id], 422, 'invalid-choice');
  });

  it("refuses a change that removes a ballot's earlier revisions", async () => {
    const poll = await openPoll();
    await expectAccepted(() => cast('alpha', poll, YES));
    await expectAccepted(() => cast('alpha', poll, NO, clock.now() + 1));
    const id = ballotId(poll, orgIdOf.alpha);
    const erase = changeUpdate((await stored(id))!.state, (doc) => doc.getArray('log.revisions').delete(0, 1));
    await expectRefused(() => pushRecord('alpha', 'ballot', id, erase), [id], 403, 'forbidden');
  });
});

describe('the voting window, on the hub clock', () => {
  it('refuses a vote cast before the poll opened', async () => {
    const poll = await openPoll({ opensAt: clock.now() + HOUR_MS, closesAt: clock.now() + 10 * HOUR_MS });
    const early = await castUpdate('alpha', poll, YES, clock.now());
    await expectRefused(() => pushRecord('alpha', 'ballot', early.id, early.update), [early.id], 409, 'cast-before-opening');
  });

  it("refuses a cast time ahead of the hub's clock beyond the allowed skew, and accepts one within it", async () => {
    const poll = await openPoll();
    const ahead = await castUpdate('alpha', poll, YES, clock.now() + CAST_SKEW_MS + 1);
    await expectRefused(() => pushRecord('alpha', 'ballot', ahead.id, ahead.update), [ahead.id], 409, 'cast-in-future');
    await expectAccepted(() => cast('alpha', poll, YES, clock.now() + CAST_SKEW_MS));
  });

  it('refuses a cast claimed at or after closing, even within the grace period', async () => {
    const poll = await openPoll({ closesAt: clock.now() + HOUR_MS });
    const closesAt = clock.now() + HOUR_MS;
    clock.set(closesAt + 30 * 60_000);
    const atClose = await castUpdate('alpha', poll, YES, closesAt);
    await expectRefused(() => pushRecord('alpha', 'ballot', atClose.id, atClose.update), [atClose.id], 409, 'cast-after-closing');
  });

  it('counts a ballot cast before closing that arrives within the grace period, and marks it late', async () => {
    const opensAt = clock.now();
    const poll = await openPoll({ opensAt, closesAt: opensAt + 2 * HOUR_MS });
    clock.set(opensAt + 2 * 60_000);
    await expectAccepted(() => cast('alpha', poll, YES, opensAt + 60_000));
    // Beta votes offline an hour before closing and reaches the hub two days after closing.
    const offline = await castUpdate('beta', poll, NO, opensAt + HOUR_MS);
    clock.set(opensAt + 2 * HOUR_MS + 48 * HOUR_MS);
    await expectAccepted(() => pushRecord('beta', 'ballot', offline.id, offline.update));
    const receivedAt = clock.now();

    const sealed = await passSealing(poll);
    expect(sealed.counted.map(({ orgId, isLate, receivedAt: at }) => ({ orgId, isLate, at }))).toEqual(
      [
        { orgId: orgIdOf.alpha, isLate: false, at: opensAt + 2 * 60_000 },
        { orgId: orgIdOf.beta, isLate: true, at: receivedAt },
      ].sort((a, b) => (a.orgId < b.orgId ? -1 : 1)),
    );
    expect(sealed.tally?.counts).toEqual({ method: 'single', votes: { yes: 1, no: 1 } });
    expect(sealed.counted.find((b) => b.orgId === orgIdOf.beta)?.receipt).toBe(
      ballotReceipt({ proposalId: poll, orgId: orgIdOf.beta, choice: NO, castAt: opensAt + HOUR_MS, salt: await saltOf(poll, 'beta') }),
    );
  });

  it('refuses a ballot reaching the hub after closing plus the grace period (grace-expired), which the voter keeps', async () => {
    const opensAt = clock.now();
    const poll = await openPoll({ opensAt, closesAt: opensAt + HOUR_MS });
    const offline = await castUpdate('gamma', poll, YES, opensAt + 30 * 60_000);
    clock.set(opensAt + HOUR_MS + GRACE_HOURS * HOUR_MS + 1);
    await expectRefused(() => pushRecord('gamma', 'ballot', offline.id, offline.update), [offline.id], 409, 'grace-expired');
  });
});

describe('who runs proposals and offers', () => {
  it('refuses a steward without the proposals grant creating or opening a proposal, and allows it with the grant', async () => {
    await setStewardScopes(['offers']);
    const id = `proposal-steward-${++counter}`;
    const ctx = ctxOf('steward');
    const update = createUpdate('proposal', pollTerms(), ctx);
    await expectRefused(() => pushRecord('steward', 'proposal', id, update), [id], 403, 'steward-not-authorized');
    await setStewardScopes(['proposals']);
    await expectAccepted(() => pushRecord('steward', 'proposal', id, update));
    const members = await hubMembers(hub.storage);
    const opened = changeUpdate((await stored(id))!.state, (doc) => openVoteIn(doc, members, ctx));
    await expectAccepted(() => pushRecord('steward', 'proposal', id, opened));
    // Withdrawn: the steward can no longer manage even its own proposal.
    await setStewardScopes([]);
    const cancel = changeUpdate((await stored(id))!.state, (doc) => proposalMutators.cancelVote.apply(doc, TEST_REASON, ctx));
    await expectRefused(() => pushRecord('steward', 'proposal', id, cancel), [id], 403, 'steward-not-authorized');
  });

  it('refuses a steward without the offers grant creating or publishing an offer, and allows it with the grant', async () => {
    await setStewardScopes(['proposals']);
    const id = `offer-steward-${++counter}`;
    const ctx = ctxOf('steward');
    const input = { title: 'Drip irrigation training', kind: 'training', places: 12, opensAt: clock.now(), closesAt: clock.now() + 240 * HOUR_MS } as const;
    const update = createUpdate('offer', input, ctx);
    await expectRefused(() => pushRecord('steward', 'offer', id, update), [id], 403, 'steward-not-authorized');
    await setStewardScopes(['offers']);
    await expectAccepted(() => pushRecord('steward', 'offer', id, update));
    const published = changeUpdate((await stored(id))!.state, (doc) => offerMutators.setState.apply(doc, 'published', ctx));
    await expectAccepted(() => pushRecord('steward', 'offer', id, published));
    expect(offer.projectionSchema.parse((await stored(id))!.projection).state).toBe('published');
    await setStewardScopes([]);
  });

  it('locks the terms of a proposal once it is open: window, secrecy, eligibility; and it cannot go back to draft; options, title and description change only as a recorded version', async () => {
    const id = `proposal-${++counter}`;
    const ctx = ctxOf('secretariat');
    await expectAccepted(() => pushRecord('secretariat', 'proposal', id, createUpdate('proposal', pollTerms(), ctx)));
    // A draft may still change.
    await expectAccepted(async () => pushRecord('secretariat', 'proposal', id, changeUpdate((await stored(id))!.state, (doc) => proposalMutators.setTerms.apply(doc, { quorum: 0.5 }, ctx))));
    const members = await hubMembers(hub.storage);
    await expectAccepted(async () => pushRecord('secretariat', 'proposal', id, changeUpdate((await stored(id))!.state, (doc) => openVoteIn(doc, members, ctx))));
    const locked = [
      (doc: Y.Doc) => proposalMutators.setTerms.apply(doc, { closesAt: clock.now() + 1000 * HOUR_MS }, ctx),
      (doc: Y.Doc) => proposalMutators.setTerms.apply(doc, { secrecy: 'secret' }, ctx),
      (doc: Y.Doc) => proposalMutators.setTerms.apply(doc, { eligible: { kind: 'orgs', orgIds: [orgIdOf.alpha] } }, ctx),
      // No mutator goes back to draft; a client could still write the field.
      (doc: Y.Doc) => doc.getMap('fields').set('state', 'draft'),
    ];
    for (const change of locked) {
      await expectRefused(async () => pushRecord('secretariat', 'proposal', id, changeUpdate((await stored(id))!.state, change)), [id], 409, 'terms-locked');
    }
    // Edited without a history entry naming the change: not a version anyone can see.
    const unrecorded = [
      (doc: Y.Doc) => proposalMutators.setTerms.apply(doc, { options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }, { id: 'later', label: 'Later' }] }, ctx),
      (doc: Y.Doc) => proposalMutators.setTerms.apply(doc, { title: 'Something else' }, ctx),
      (doc: Y.Doc) => proposalMutators.setDescription.apply(doc, 'A different plan.', ctx),
    ];
    for (const change of unrecorded) {
      await expectRefused(async () => pushRecord('secretariat', 'proposal', id, changeUpdate((await stored(id))!.state, change)), [id], 422, 'version-unrecorded');
    }
    expect(proposal.projectionSchema.parse((await stored(id))!.projection)).toMatchObject({ state: 'open', quorum: 0.5, version: 1 });
  });
});

describe('ballot secrecy on pull', () => {
  it("does not send a secret ballot to another organization; its own organization and the secretariat get it", async () => {
    const poll = await openPoll({ secrecy: 'secret' });
    await expectAccepted(() => cast('beta', poll, NO, clock.now(), true));
    const id = ballotId(poll, orgIdOf.beta);
    const idsFor = async (name: Who) => (await pull(hub.url, tokenOf[name], 0)).records.map((record) => record.meta.id);
    for (const name of ['alpha', 'steward', 'observer'] as const) expect(await idsFor(name)).not.toContain(id);
    for (const name of ['beta', 'secretariat'] as const) expect(await idsFor(name)).toContain(id);
  });
});

describe('comments', () => {
  it('lets the secretariat hide a comment with a reason but not edit its text; only its organization writes it', async () => {
    const id = `comment-${++counter}`;
    await expectAccepted(() => pushRecord('alpha', 'comment', id, createUpdate('comment', { targetId: 'proposal-1', text: 'We agree.' }, ctxOf('alpha'))));
    const edit = changeUpdate((await stored(id))!.state, (doc) => commentMutators.setText.apply(doc, 'We disagree.', ctxOf('secretariat')));
    await expectRefused(() => pushRecord('secretariat', 'comment', id, edit), [id], 403, 'forbidden');
    const byOther = changeUpdate((await stored(id))!.state, (doc) => commentMutators.setText.apply(doc, 'Hijacked.', ctxOf('beta')));
    await expectRefused(() => pushRecord('beta', 'comment', id, byOther), [id], 403, 'forbidden');
    const hide = changeUpdate((await stored(id))!.state, (doc) => commentMutators.hide.apply(doc, 'Off topic', ctxOf('secretariat')));
    await expectAccepted(() => pushRecord('secretariat', 'comment', id, hide));
    expect(comment.projectionSchema.parse((await stored(id))!.projection)).toMatchObject({ text: 'We agree.', hidden: { reason: 'Off topic', byOrg: orgIdOf.secretariat } });
  });
});

describe('sealing', () => {
  it('writes one signed result at closing plus grace that verifies offline against the network key, idempotently', async () => {
    const opensAt = clock.now();
    const poll = await openPoll({ opensAt, closesAt: opensAt + 4 * HOUR_MS, secrecy: 'secret', quorum: 0.5 });
    await expectAccepted(() => cast('alpha', poll, YES, opensAt + 60_000, true));
    await expectAccepted(() => cast('beta', poll, YES, opensAt + 120_000, true));
    await expectAccepted(() => cast('beta', poll, NO, opensAt + 180_000, true));

    // Not before closing plus grace plus the settle margin.
    clock.set(opensAt + 4 * HOUR_MS + GRACE_HOURS * HOUR_MS);
    expect((await hub.hub.sealDue()).has(poll)).toBe(false);
    expect(await stored(resultId(poll))).toBeNull();

    const sealed = await passSealing(poll);
    expect(sealed.tally).toMatchObject({ counts: { method: 'single', votes: { yes: 1, no: 1 } }, participation: { voted: 2 }, isQuorumMet: true });
    // A secret poll's result holds receipts, never a choice or a cast time.
    expect(sealed.counted.every((ballot) => ballot.castAt === null)).toBe(true);
    expect(sealed.payload).not.toContain('"optionId"');

    // Read by an ordinary member from pull and checked offline against the network record's key.
    const pulled = await pull(hub.url, tokenOf.gamma, 0);
    const recordOf = (id: string) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, pulled.records.find((record) => record.meta.id === id)!.update);
      return doc;
    };
    const hubKey = network.read(recordOf('network')).hubKey;
    expect(hubKey).toBe(hub.hub.hubKey.publicKey);
    const copy = result.read(recordOf(resultId(poll)));
    expect(verifySeal(copy, hubKey)).toEqual({ isValid: true, reason: null });
    // Beta finds its ballot by the receipt it computes from its own ballot; without the ballot's
    // salt, which only Beta and the secretariat can read, the receipt matches no guess.
    const salt = await saltOf(poll, 'beta');
    expect(salt).toMatch(/^[0-9a-f]{32}$/);
    const betaReceipt = copy.counted.find((b) => b.orgId === orgIdOf.beta)?.receipt;
    expect(betaReceipt).toBe(ballotReceipt({ proposalId: poll, orgId: orgIdOf.beta, choice: NO, castAt: opensAt + 180_000, salt }));
    expect(betaReceipt).not.toBe(ballotReceipt({ proposalId: poll, orgId: orgIdOf.beta, choice: NO, castAt: opensAt + 180_000 }));

    // Sealing again, on the timer or by two processes at once, leaves the one result as it was.
    const seqBefore = await hub.storage.lastSeq();
    expect((await hub.hub.sealDue()).size).toBe(0);
    const twice = await Promise.all([sealProposal(hub.storage, hub.hub.hubKey, poll, clock.now()), sealProposal(hub.storage, hub.hub.hubKey, poll, clock.now() + 1)]);
    expect(twice.map((outcome) => outcome.kind)).toEqual(['already-sealed', 'already-sealed']);
    expect(await hub.storage.lastSeq()).toBe(seqBefore);
    expect((await stored(resultId(poll)))!.projection).toEqual(sealed);
  });

  it('seals exactly once when two sealers race on an unsealed proposal', async () => {
    const opensAt = clock.now();
    const poll = await openPoll({ opensAt, closesAt: opensAt + HOUR_MS, graceHours: 1 });
    await expectAccepted(() => cast('alpha', poll, YES, opensAt + 60_000));
    clock.set(opensAt + 2 * HOUR_MS + SEAL_SETTLE_MS + 1);
    const outcomes = await Promise.all([sealProposal(hub.storage, hub.hub.hubKey, poll, clock.now()), sealProposal(hub.storage, hub.hub.hubKey, poll, clock.now() + 5)]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['already-sealed', 'sealed']);
    const stored1 = (await stored(resultId(poll)))!.projection as unknown as ResultProjection;
    expect(verifySeal(stored1, hub.hub.hubKey.publicKey).isValid).toBe(true);
  });

  it('refuses every attempt to change a sealed result: a client push, a later ballot, a proposal change; an altered copy fails verification', async () => {
    const opensAt = clock.now();
    const poll = await openPoll({ opensAt, closesAt: opensAt + HOUR_MS });
    await expectAccepted(() => cast('alpha', poll, YES, opensAt + 60_000));
    const sealed = await passSealing(poll);
    const id = resultId(poll);
    const stored1 = (await stored(id))!;

    // The secretariat itself cannot push to the result, nor create another for a proposal.
    const forged = changeUpdate(stored1.state, (doc) => doc.getMap('fields').set('payload', sealed.payload.replace('"yes":1', '"yes":9')));
    await expectRefused(() => pushRecord('secretariat', 'result', id, forged), [id], 403, 'forbidden');
    const otherId = resultId(`proposal-${++counter}`);
    const fresh = createUpdate('result', { payload: sealed.payload, signature: sealed.signature, hubKey: sealed.hubKey }, ctxOf('secretariat'));
    await expectRefused(() => pushRecord('secretariat', 'result', otherId, fresh), [otherId], 403, 'forbidden');

    // A ballot, even one cast in time by a device whose clock says so, no longer gets in: past the
    // grace period it is grace-expired, and a sealed poll refuses any ballot even if a hub's clock
    // were behind.
    const late = await castUpdate('beta', poll, NO, opensAt + 120_000);
    await expectRefused(() => pushRecord('beta', 'ballot', late.id, late.update), [late.id], 409, 'grace-expired');
    const now = clock.now();
    clock.set(opensAt + 30 * 60_000);
    await expectRefused(() => pushRecord('beta', 'ballot', late.id, late.update), [late.id], 409, 'poll-sealed');
    clock.set(now);
    const cancel = changeUpdate((await stored(poll))!.state, (doc) => proposalMutators.cancelVote.apply(doc, TEST_REASON, ctxOf('secretariat')));
    await expectRefused(() => pushRecord('secretariat', 'proposal', poll, cancel), [poll], 409, 'poll-sealed');
    expect((await stored(id))!.projection).toEqual(sealed);

    // A local copy altered after it was read fails, whichever part was changed.
    const key = hub.hub.hubKey.publicKey;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored1.state);
    doc.getMap('fields').set('payload', sealed.payload.replace('"yes":1', '"yes":9'));
    expect(verifySeal(result.read(doc), key)).toEqual({ isValid: false, reason: 'bad-signature' });
    expect(verifySeal({ ...sealed, tally: { ...sealed.tally!, isQuorumMet: !sealed.tally!.isQuorumMet } }, key)).toEqual({ isValid: false, reason: 'payload-mismatch' });
  });

  it("refuses a client's change to the network's hub key, even the secretariat's", async () => {
    const current = (await stored('network'))!;
    const swap = changeUpdate(current.state, (doc) => networkMutators.setHubKey.apply(doc, 'ab'.repeat(32), ctxOf('secretariat')));
    await expectRefused(() => pushRecord('secretariat', 'network', 'network', swap), ['network'], 403, 'forbidden');
    expect((await networkProjection()).hubKey).toBe(hub.hub.hubKey.publicKey);
  });
});

describe('a hub whose clock follows real time, as an end-to-end test runs it', () => {
  it('counts an offline ballot cast before closing and pushed after it, marked late, and seals on advancing the clock', async () => {
    const ticking = tickingClock();
    const e2eHub = await startTestHub({ now: ticking.now });
    try {
      const a = await e2eHub.join(await e2eHub.invite('Online cooperative'));
      const b = await e2eHub.join(await e2eHub.invite('Offline cooperative'));
      const sec = await e2eHub.join(e2eHub.secretariatCode);
      const opensAt = Date.now();
      const poll = 'proposal-e2e';
      const secCtx = editContext(sec.org.id, 'secretariat');
      const terms = { ...pollTerms({ opensAt, closesAt: opensAt + 10 * 60_000, graceHours: 1 }) };
      const members = await hubMembers(e2eHub.storage);
      expect((await push(e2eHub.url, sec.token, [{ id: poll, type: 'proposal', update: createUpdate('proposal', terms, secCtx, (doc) => openVoteIn(doc, members, secCtx)) }])).status).toBe(200);
      // Both vote on their real clocks; B's ballot stays on its laptop.
      const ballotUpdate = (orgId: string) => {
        const ctx = editContext(orgId, 'member');
        return createUpdate('ballot', { proposalId: poll }, ctx, (doc) => ballotMutators.cast.apply(doc, YES, ctx));
      };
      expect((await push(e2eHub.url, a.token, [{ id: ballotId(poll, a.org.id), type: 'ballot', update: ballotUpdate(a.org.id) }])).status).toBe(200);
      const offline = ballotUpdate(b.org.id);
      await advanceHubClock(e2eHub, ticking, 11 * 60_000);
      expect((await push(e2eHub.url, b.token, [{ id: ballotId(poll, b.org.id), type: 'ballot', update: offline }])).status).toBe(200);
      expect((await advanceHubClock(e2eHub, ticking, 30 * 60_000)).size).toBe(0);
      const outcomes = await advanceHubClock(e2eHub, ticking, 30 * 60_000 + SEAL_SETTLE_MS);
      expect(outcomes.get(poll)?.kind).toBe('sealed');
      const sealed = (await e2eHub.storage.getRecord(resultId(poll)))!.projection as unknown as ResultProjection;
      expect(sealed.counted.map((ballot) => [ballot.orgId, ballot.isLate])).toEqual([[a.org.id, false], [b.org.id, true]].sort());
      expect(verifySeal(sealed, e2eHub.hub.hubKey.publicKey).isValid).toBe(true);
    } finally {
      await e2eHub.close();
    }
  });
});

