// The decision record view model that the governance screens and the reports share: the
// provisional tally from the ballots a device holds, the sealed result once it has synced, the
// seal check against the network's key, names, late ballots and receipts.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ballotReceipt } from '../../shared/governance/ballotReceipt';
import { decisionRecord, type DecisionRecordInput } from '../../shared/governance/decisionRecord';
import { instantRunoffTieBreakRule } from '../../shared/governance/instantRunoff';
import { sealedDecision, sealPayload } from '../../shared/governance/sealedDecision';
import { sealMessage } from '../../shared/governance/verifySeal';
import type { Choice } from '../../shared/records/ballot';
import type { Member } from '../../shared/records/network';
import type { ProposalInput } from '../../shared/records/proposal';
import { result, type ResultProjection } from '../../shared/records/result';
import { proposalProjection } from '../support/governance';

const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2025, 8, 1);
const CLOSES = T0 + 24 * HOUR_MS;
const GRACE_ENDS = CLOSES + 72 * HOUR_MS;

const members: Member[] = [
  { orgId: 'org-sec', name: '网络秘书处', role: 'secretariat' },
  { orgId: 'org-erhai', name: '洱海合作社', role: 'member' },
  { orgId: 'org-nujiang', name: 'Nujiang Weavers', role: 'member' },
  { orgId: 'org-cangshan', name: 'Cangshan Seed Bank', role: 'steward' },
];
const secretKey = ed25519.utils.randomSecretKey();
const hubKey = bytesToHex(ed25519.getPublicKey(secretKey));

const terms: ProposalInput = {
  title: 'Seed fund',
  options: [
    { id: 'yes', label: 'Yes' },
    { id: 'no', label: 'No' },
  ],
  method: 'single',
  opensAt: T0,
  closesAt: CLOSES,
  quorum: 0.5,
};
const YES: Choice = { method: 'single', optionId: 'yes' };
const NO: Choice = { method: 'single', optionId: 'no' };

const ballotOf = (orgId: string, choice: Choice, castAt: number, receivedAt: number | null) => ({
  orgId,
  ballot: { revisions: [{ deviceId: `dev-${orgId}`, at: castAt, choice }] },
  receivedAt,
});

function input(overrides: Partial<DecisionRecordInput> = {}, proposalTerms: Partial<ProposalInput> = {}): DecisionRecordInput {
  return {
    proposalId: 'proposal-seed-fund',
    proposal: proposalProjection({ ...terms, ...proposalTerms }),
    network: { members, hubKey },
    result: null,
    ballots: [ballotOf('org-erhai', YES, T0 + HOUR_MS, T0 + HOUR_MS), ballotOf('org-nujiang', NO, T0 + 2 * HOUR_MS, null)],
    now: T0 + 3 * HOUR_MS,
    viewer: { orgId: 'org-erhai', role: 'member' },
    ...overrides,
  };
}

function sealedResult(ballots: (ReturnType<typeof ballotOf> & { ballot: { receiptSalt?: string } })[], proposalTerms: Partial<ProposalInput> = {}): ResultProjection {
  const decision = sealedDecision({
    proposalId: 'proposal-seed-fund',
    proposal: proposalProjection({ ...terms, ...proposalTerms }),
    ballots: ballots.map(({ orgId, ballot, receivedAt }) => ({ orgId, ballot: ballot as typeof ballot & { receiptSalt?: string }, arrivals: new Map([[ballot.revisions[0]!.at, receivedAt!]]) })),
    eligibleOrgIds: ['org-cangshan', 'org-erhai', 'org-nujiang'],
    sealedAt: GRACE_ENDS + 120_000,
  });
  const payload = sealPayload(decision);
  const doc = new Y.Doc();
  result.create(doc, result.parseInput({ payload, signature: bytesToHex(ed25519.sign(sealMessage(payload), secretKey)), hubKey }), {
    orgId: 'org-sec',
    deviceId: 'hub',
    role: 'secretariat',
    now: GRACE_ENDS,
  });
  return result.read(doc);
}

describe('decisionRecord before sealing', () => {
  it('is the provisional tally of the local ballots, with names, participation and receipts', () => {
    const view = decisionRecord(input());
    expect(view).toMatchObject({ phase: 'voting', isProvisional: true, isTallyHidden: false, seal: null, tieBreakRule: null, title: 'Seed fund' });
    expect(view.terms).toMatchObject({ closesAt: CLOSES, graceEndsAt: GRACE_ENDS, graceHours: 72, quorum: 0.5 });
    expect(view.tally).toMatchObject({ counts: { method: 'single', votes: { yes: 1, no: 1 } }, participation: { eligible: 3, voted: 2 }, isQuorumMet: true, notHeardFrom: 1 });
    expect(view.voters).toEqual([
      { orgId: 'org-cangshan', name: 'Cangshan Seed Bank', isEligible: true, hasVoted: false, isLate: false, receipt: null, receivedAt: null, needsConfirmation: false, facilitation: null },
      { orgId: 'org-nujiang', name: 'Nujiang Weavers', isEligible: true, hasVoted: true, isLate: false, receipt: ballotReceipt({ proposalId: 'proposal-seed-fund', orgId: 'org-nujiang', choice: NO, castAt: T0 + 2 * HOUR_MS }), receivedAt: null, needsConfirmation: false, facilitation: null },
      { orgId: 'org-erhai', name: '洱海合作社', isEligible: true, hasVoted: true, isLate: false, receipt: ballotReceipt({ proposalId: 'proposal-seed-fund', orgId: 'org-erhai', choice: YES, castAt: T0 + HOUR_MS }), receivedAt: T0 + HOUR_MS, needsConfirmation: false, facilitation: null },
    ].sort((a, b) => a.name.localeCompare(b.name)));
  });

  it("computes a receipt with the ballot's salt, as the sealed result will", () => {
    const salt = 'ab'.repeat(16);
    const salted = { ...ballotOf('org-erhai', YES, T0 + HOUR_MS, T0 + HOUR_MS), ballot: { ...ballotOf('org-erhai', YES, T0 + HOUR_MS, T0 + HOUR_MS).ballot, receiptSalt: salt } };
    const receipt = decisionRecord(input({ ballots: [salted] })).voters.find((voter) => voter.orgId === 'org-erhai')?.receipt;
    expect(receipt).toBe(ballotReceipt({ proposalId: 'proposal-seed-fund', orgId: 'org-erhai', choice: YES, castAt: T0 + HOUR_MS, salt }));
    expect(sealedResult([salted]).counted[0]?.receipt).toBe(receipt);
  });

  it('says where the proposal stands by its state and the clock', () => {
    expect(decisionRecord({ ...input(), proposal: { ...input().proposal, state: 'draft' } }).phase).toBe('draft');
    expect(decisionRecord({ ...input(), proposal: { ...input().proposal, state: 'cancelled' } }).phase).toBe('cancelled');
    expect(decisionRecord(input({ now: T0 - 1 })).phase).toBe('scheduled');
    expect(decisionRecord(input({ now: T0 - 1 })).tally).toBeNull();
    expect(decisionRecord(input({ now: CLOSES + HOUR_MS })).phase).toBe('grace');
    expect(decisionRecord(input({ now: GRACE_ENDS + 1 })).phase).toBe('sealing');
  });

  it('marks a ballot received after closing as late, and excludes an ineligible one with its reason', () => {
    const view = decisionRecord(input({ ballots: [ballotOf('org-erhai', YES, T0 + HOUR_MS, CLOSES + HOUR_MS), ballotOf('org-sec', NO, T0 + HOUR_MS, T0 + HOUR_MS)], now: CLOSES + 2 * HOUR_MS }));
    expect(view.lateBallots.map((voter) => voter.orgId)).toEqual(['org-erhai']);
    expect(view.excluded).toEqual([{ orgId: 'org-sec', name: '网络秘书处', reason: 'not-eligible' }]);
  });

  it('hides an after-close poll from members until it is sealed, not from the secretariat', () => {
    expect(decisionRecord(input({}, { resultsVisibility: 'after-close' }))).toMatchObject({ isTallyHidden: true, tally: null });
    expect(decisionRecord(input({ viewer: { orgId: 'org-sec', role: 'secretariat' } }, { resultsVisibility: 'after-close' })).tally).not.toBeNull();
    // After closing a member still holds only its own ballot (the others are withheld until the seal).
    expect(decisionRecord(input({ now: CLOSES }, { resultsVisibility: 'after-close' }))).toMatchObject({ isTallyHidden: true, tally: null });
  });

  it('shows instant-runoff rounds and the written tie-break rule for a ranked poll', () => {
    const ranked: Partial<ProposalInput> = {
      method: 'ranked',
      options: [
        { id: 'a', label: 'A' },
        { id: 'b', label: 'B' },
        { id: 'c', label: 'C' },
      ],
    };
    const rank = (...ranking: string[]): Choice => ({ method: 'ranked', ranking });
    const view = decisionRecord(
      input({ ballots: [ballotOf('org-erhai', rank('a', 'b'), T0 + 1, T0 + 1), ballotOf('org-nujiang', rank('b', 'a'), T0 + 2, T0 + 2), ballotOf('org-cangshan', rank('c', 'b'), T0 + 3, T0 + 3)] }, ranked),
    );
    expect(view.tieBreakRule).toBe(instantRunoffTieBreakRule);
    expect(view.tally?.rounds.length).toBeGreaterThan(1);
    expect(view.tally?.outcome).toMatchObject({ status: 'passed', winnerId: 'b' });
  });
});

describe('decisionRecord after sealing', () => {
  const ballots = [ballotOf('org-erhai', YES, T0 + HOUR_MS, T0 + HOUR_MS), ballotOf('org-nujiang', NO, T0 + 2 * HOUR_MS, CLOSES + 5 * HOUR_MS)];

  it('is the sealed result, checked against the network key; local ballots no longer change it', () => {
    const sealed = sealedResult(ballots);
    const view = decisionRecord(input({ result: sealed, now: GRACE_ENDS + HOUR_MS, ballots: [ballotOf('org-erhai', NO, T0 + 3 * HOUR_MS, null)] }));
    expect(view).toMatchObject({ phase: 'sealed', isProvisional: false, seal: { isValid: true, reason: null, hubKey, sealedAt: GRACE_ENDS + 120_000 } });
    expect(view.tally).toEqual(sealed.tally);
    expect(view.lateBallots.map((voter) => [voter.name, voter.receipt])).toEqual([['Nujiang Weavers', sealed.counted.find((b) => b.orgId === 'org-nujiang')!.receipt]]);
    expect(view.voters.find((voter) => voter.orgId === 'org-erhai')?.receipt).toBe(
      ballotReceipt({ proposalId: 'proposal-seed-fund', orgId: 'org-erhai', choice: YES, castAt: T0 + HOUR_MS }),
    );
  });

  it('says the seal does not hold when the network key is another, or the copy was altered', () => {
    const sealed = sealedResult(ballots);
    const otherKey = bytesToHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    expect(decisionRecord(input({ result: sealed, network: { members, hubKey: otherKey } })).seal).toMatchObject({ isValid: false, reason: 'key-mismatch' });
    expect(decisionRecord(input({ result: sealed, network: { members, hubKey: '' } })).seal).toMatchObject({ isValid: false, reason: 'no-trusted-key' });
    const altered = { ...sealed, counted: sealed.counted.map((ballot) => ({ ...ballot, isLate: false })) };
    expect(decisionRecord(input({ result: altered })).seal).toMatchObject({ isValid: false, reason: 'payload-mismatch' });
    // A key passed in (a report's printed key) wins over the network's.
    expect(decisionRecord(input({ result: sealed, network: { members, hubKey: otherKey }, trustedHubKey: hubKey })).seal?.isValid).toBe(true);
  });
});

// Issue 13: a provisional record never claims an outcome the device cannot know.
describe('decisionRecord standing: what a device may say before and after the seal', () => {
  it('says "open", not an outcome, while voting is open', () => {
    // One NO of one counted would read "Not passed" as an outcome; while open there is none.
    const view = decisionRecord(input({ ballots: [ballotOf('org-erhai', NO, T0 + HOUR_MS, null)] }));
    expect(view.standing).toEqual({ kind: 'open', seen: 1, notHeardFrom: 2 });
  });

  it('after grace, counts the ballots this device holds of unknown arrival as seen, and awaits the seal', () => {
    // The reported bug: offline after the grace period, the device dropped its own ballot as
    // "received after grace" and showed "Not passed · No votes were counted".
    const view = decisionRecord(input({ ballots: [ballotOf('org-erhai', YES, T0 + HOUR_MS, null)], now: GRACE_ENDS + 5 * HOUR_MS }));
    expect(view.phase).toBe('sealing');
    expect(view.standing).toEqual({ kind: 'awaiting-seal', seen: 1, notHeardFrom: 2, sealsAfter: GRACE_ENDS });
    expect(view.excluded).toEqual([]);
    expect(view.voters.find((voter) => voter.orgId === 'org-erhai')?.hasVoted).toBe(true);
    expect(view.tally?.counts).toMatchObject({ votes: { yes: 1 } });
  });

  it('during grace, a closed vote awaits the seal too', () => {
    expect(decisionRecord(input({ now: CLOSES + HOUR_MS })).standing).toMatchObject({ kind: 'awaiting-seal', seen: 2, notHeardFrom: 1 });
  });

  it('has nobody not heard from when every eligible organization voted', () => {
    const all = [ballotOf('org-erhai', YES, T0 + 1, null), ballotOf('org-nujiang', YES, T0 + 2, null), ballotOf('org-cangshan', NO, T0 + 3, null)];
    expect(decisionRecord(input({ ballots: all })).standing).toEqual({ kind: 'open', seen: 3, notHeardFrom: 0 });
  });

  it('is not open before opening, for a draft, or cancelled', () => {
    expect(decisionRecord(input({ now: T0 - 1 })).standing).toEqual({ kind: 'not-open' });
    expect(decisionRecord({ ...input(), proposal: { ...input().proposal, state: 'draft' } }).standing).toEqual({ kind: 'not-open' });
    expect(decisionRecord({ ...input(), proposal: { ...input().proposal, state: 'cancelled' } }).standing).toEqual({ kind: 'not-open' });
  });

  it("once sealed, is the hub's outcome", () => {
    const sealed = sealedResult([ballotOf('org-erhai', YES, T0 + HOUR_MS, T0 + HOUR_MS), ballotOf('org-nujiang', YES, T0 + 2 * HOUR_MS, T0 + 2 * HOUR_MS)]);
    expect(decisionRecord(input({ result: sealed, now: GRACE_ENDS + HOUR_MS })).standing).toEqual({ kind: 'sealed', outcome: sealed.tally!.outcome, tie: null });
  });

  it('reports a sealed tie for the lead as a tie that no rule broke', () => {
    const sealed = sealedResult([ballotOf('org-erhai', YES, T0 + HOUR_MS, T0 + HOUR_MS), ballotOf('org-nujiang', NO, T0 + 2 * HOUR_MS, T0 + 2 * HOUR_MS)]);
    const view = decisionRecord(input({ result: sealed, now: GRACE_ENDS + HOUR_MS }));
    expect(view.standing).toMatchObject({ kind: 'sealed', outcome: { status: 'undecided', reason: 'tie' }, tie: { kind: 'lead', tiedIds: ['yes', 'no'] } });
  });

  it('names the rule that broke a tie for elimination in instant runoff', () => {
    const ranked: Partial<ProposalInput> = {
      method: 'ranked',
      options: [
        { id: 'a', label: 'A' },
        { id: 'b', label: 'B' },
        { id: 'c', label: 'C' },
      ],
      quorum: 0,
    };
    const rank = (...ranking: string[]): Choice => ({ method: 'ranked', ranking });
    // All three tie for fewest first preferences in round one: the written rule picks which goes.
    const ballots = [ballotOf('org-erhai', rank('a', 'b'), T0 + 1, T0 + 1), ballotOf('org-nujiang', rank('b', 'a'), T0 + 2, T0 + 2), ballotOf('org-cangshan', rank('c', 'a'), T0 + 3, T0 + 3)];
    const sealed = sealedResult(ballots, ranked);
    const standing = decisionRecord(input({ result: sealed, now: GRACE_ENDS + HOUR_MS }, ranked)).standing;
    expect(standing.kind).toBe('sealed');
    if (standing.kind !== 'sealed') return;
    expect(standing.tie?.kind).toBe('elimination');
    expect(standing.tie?.kind === 'elimination' && standing.tie.rounds[0]).toMatchObject({ round: 1, rule: expect.stringMatching(/previous-round|total-across-rounds|option-id-order/) });
  });
});
