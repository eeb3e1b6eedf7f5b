import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { ballot, ballotMutators, type BallotProjection, type Choice } from '../../shared/records/ballot';
import { proposal as proposalRecord, proposalMutators, type ProposalProjection } from '../../shared/records/proposal';
import { countedCast, needsConfirmation } from '../../shared/governance/countedCast';
import { decisionRecord } from '../../shared/governance/decisionRecord';
import { positionReasonProblem } from '../../shared/governance/positionReason';
import { sealedDecision } from '../../shared/governance/sealedDecision';
import { tally } from '../../shared/governance/tally';
import { votersOf } from '../../shared/governance/voters';

/*
 * Decisions people can trust, in the pure parts: reasons, versions, facilitated casts and voters
 * fixed at opening, as the tally, the seal and the decision record count them.
 */

const HOUR = 3_600_000;
const OPENS = 1_000 * HOUR;
const CLOSES = OPENS + 48 * HOUR;
const AFTER = CLOSES + 73 * HOUR;

function consentProposal(terms: Partial<ProposalProjection> = {}): ProposalProjection {
  return {
    title: 'Pool funds',
    description: '',
    options: [],
    method: 'consent',
    maxChoices: 1,
    blocksCount: true,
    eligible: { kind: 'all-members' },
    opensAt: OPENS,
    closesAt: CLOSES,
    quorum: 0,
    threshold: 0.5,
    secrecy: 'open',
    resultsVisibility: 'live',
    graceHours: 72,
    state: 'open',
    version: 1,
    history: [],
    stateChanges: [],
    eligibleOrgIds: null,
    outcome: null,
    outcomeRevisions: [],
    createdAt: 0,
    updatedAt: 0,
    ...terms,
  };
}

const agree: Choice = { method: 'consent', position: 'agree' };
const block: Choice = { method: 'consent', position: 'block' };
type Held = Pick<BallotProjection, 'revisions' | 'facilitated'>;
const own = (at: number, choice: Choice, proposalVersion = 1, reason = ''): Held['revisions'][number] => ({ deviceId: 'laptop', at, choice, reason, proposalVersion });

describe('position reasons', () => {
  it('needs a reason for a consent block only', () => {
    expect(positionReasonProblem(block, '')).toBe('block-needs-reason');
    expect(positionReasonProblem(block, '   ')).toBe('block-needs-reason');
    expect(positionReasonProblem(block, 'the budget leaves out the river villages')).toBeNull();
    expect(positionReasonProblem(agree, '')).toBeNull();
    expect(positionReasonProblem({ method: 'single', optionId: 'a' }, '')).toBeNull();
  });

  it('seals each counted reason with its organization under open ballots, and without under secret ones', () => {
    const ballots = [
      { orgId: 'org-b', ballot: { revisions: [own(OPENS + HOUR, block, 1, 'leaves out the river villages')] }, arrivals: new Map([[OPENS + HOUR, OPENS + HOUR]]) },
      { orgId: 'org-a', ballot: { revisions: [own(OPENS + 2 * HOUR, agree, 1, 'good for us')] }, arrivals: new Map([[OPENS + 2 * HOUR, OPENS + 2 * HOUR]]) },
    ];
    const open = sealedDecision({ proposalId: 'p', proposal: consentProposal(), ballots, eligibleOrgIds: ['org-a', 'org-b'], sealedAt: AFTER });
    expect(open.tally.outcome.status).toBe('blocked');
    expect(open.reasons).toEqual([
      { orgId: 'org-a', choice: agree, reason: 'good for us' },
      { orgId: 'org-b', choice: block, reason: 'leaves out the river villages' },
    ]);
    expect(open.counted.find((c) => c.orgId === 'org-b')?.reason).toBe('leaves out the river villages');
    const secret = sealedDecision({ proposalId: 'p', proposal: consentProposal({ secrecy: 'secret' }), ballots, eligibleOrgIds: ['org-a', 'org-b'], sealedAt: AFTER });
    expect(secret.reasons?.map((r) => r.orgId)).toEqual([null, null]);
    expect(secret.counted.every((c) => c.reason === undefined && c.facilitation === undefined)).toBe(true);
  });
});

describe('proposal versions', () => {
  it('counts only casts on the current version, and asks the earlier ones to confirm', () => {
    const v2 = consentProposal({ version: 2 });
    const stale: Held = { revisions: [own(OPENS + HOUR, agree, 1)], facilitated: [] };
    const confirmed: Held = { revisions: [own(OPENS + HOUR, agree, 1), own(OPENS + 3 * HOUR, agree, 2)], facilitated: [] };
    expect(needsConfirmation(stale, 2)).toBe(true);
    expect(needsConfirmation(confirmed, 2)).toBe(false);
    const castOf = (orgId: string, held: Held) => {
      const cast = countedCast(held, 2)!;
      return { orgId, choice: cast.choice, castAt: cast.castAt, receivedAt: cast.castAt, proposalVersion: cast.proposalVersion };
    };
    const result = tally({ proposal: v2, ballots: [castOf('org-a', stale), castOf('org-b', confirmed)], eligibleOrgIds: ['org-a', 'org-b'], now: AFTER });
    expect(result.counted.map((c) => c.orgId)).toEqual(['org-b']);
    expect(result.excluded).toEqual([{ orgId: 'org-a', castAt: OPENS + HOUR, receivedAt: OPENS + HOUR, reason: 'earlier-version' }]);
    expect(result.participation).toEqual({ eligible: 2, voted: 1, share: 0.5 });
  });

  it('keeps the latest cast on the current version even when a stale device casts on an earlier one later', () => {
    const held: Held = { revisions: [own(OPENS + HOUR, block, 2, 'why'), own(OPENS + 5 * HOUR, agree, 1)], facilitated: [] };
    expect(countedCast(held, 2)).toMatchObject({ choice: block, proposalVersion: 2 });
    expect(needsConfirmation(held, 2)).toBe(false);
  });

  it('is one more than the history, and an edit of the versioned terms writes who changed what', () => {
    const doc = new Y.Doc();
    const ctx = { orgId: 'org-sec', deviceId: 'dev-sec', role: 'secretariat' as const, now: OPENS - HOUR };
    proposalRecord.create(doc, proposalRecord.parseInput({ title: 'Seed fund', method: 'single', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], opensAt: OPENS, closesAt: CLOSES }), ctx);
    expect(proposalRecord.read(doc).version).toBe(1);
    proposalMutators.revise.apply(doc, { terms: { title: 'Seed fund', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B, halved' }] }, note: 'B halved after the budget call' }, { ...ctx, now: OPENS + HOUR });
    // Nothing changed: no new version.
    proposalMutators.revise.apply(doc, { terms: { title: 'Seed fund' }, note: '' }, { ...ctx, now: OPENS + 2 * HOUR });
    const read = proposalRecord.read(doc);
    expect(read.version).toBe(2);
    expect(read.history).toEqual([
      { orgId: 'org-sec', deviceId: 'dev-sec', at: OPENS + HOUR, changes: [{ field: 'options', before: 'A\nB', after: 'A\nB, halved' }], note: 'B halved after the budget call' },
    ]);
  });

  it('merges two offline edits into two history entries and version 3', () => {
    const base = new Y.Doc();
    const ctx = { orgId: 'org-sec', deviceId: 'dev-sec', role: 'secretariat' as const, now: OPENS };
    proposalRecord.create(base, proposalRecord.parseInput({ title: 'Seed fund', method: 'consent', options: [], opensAt: OPENS, closesAt: CLOSES }), ctx);
    const left = new Y.Doc();
    const right = new Y.Doc();
    Y.applyUpdate(left, Y.encodeStateAsUpdate(base));
    Y.applyUpdate(right, Y.encodeStateAsUpdate(base));
    proposalMutators.revise.apply(left, { terms: { title: 'Seed fund 2026' }, note: '' }, ctx);
    proposalMutators.revise.apply(right, { terms: { description: 'Now with the river villages' }, note: '' }, { ...ctx, orgId: 'org-steward', deviceId: 'dev-st' });
    Y.applyUpdate(left, Y.encodeStateAsUpdate(right));
    const merged = proposalRecord.read(left);
    expect(merged.version).toBe(3);
    expect(merged.history.map((entry) => entry.orgId).sort()).toEqual(['org-sec', 'org-steward']);
  });
});

describe('facilitated casts', () => {
  const facilitation = { byOrgId: 'org-steward', channel: 'in-person' as const, witness: 'Li Wei, village head' };

  it('count until the organization casts, and the organization’s cast replaces them', () => {
    const doc = new Y.Doc();
    const stewardCtx = { orgId: 'org-steward', deviceId: 'dev-st', role: 'steward' as const, now: OPENS + HOUR };
    ballot.create(doc, ballot.parseInput({ proposalId: 'p' }), stewardCtx);
    ballotMutators.facilitate.apply(doc, { choice: agree, reason: '', proposalVersion: 1, channel: 'in-person', witness: 'Li Wei, village head' }, stewardCtx);
    const facilitated = ballot.read(doc);
    // Only the facilitated log changes: the rules ask `manage` of another organization's ballot for it.
    expect(facilitated.revisions).toEqual([]);
    expect(facilitated.choice).toBeNull();
    expect(countedCast(facilitated, 1)).toMatchObject({ choice: agree, facilitation });
    const proposal = consentProposal();
    const view = decisionRecord({ proposalId: 'p', proposal, network: { members: [{ orgId: 'org-c', role: 'member', name: 'C' } as never], hubKey: '' }, result: null, ballots: [{ orgId: 'org-c', ballot: facilitated, receivedAt: OPENS + HOUR }], now: OPENS + 2 * HOUR });
    expect(view.voters).toEqual([expect.objectContaining({ orgId: 'org-c', hasVoted: true, facilitation })]);

    ballotMutators.castOn.apply(doc, { choice: block, reason: 'we were not asked about the date', proposalVersion: 1 }, { orgId: 'org-c', deviceId: 'dev-c', role: 'member', now: OPENS + 3 * HOUR });
    expect(countedCast(ballot.read(doc), 1)).toMatchObject({ choice: block, facilitation: null, reason: 'we were not asked about the date' });
  });

  const recorded = (at: number, choice: Choice, proposalVersion = 1): Held['facilitated'][number] => ({ deviceId: 'dev-st', at, choice, reason: '', proposalVersion, ...facilitation });

  it('never outweigh the organization’s own cast, even one timed before them (an offline laptop’s, arriving later)', () => {
    const held: Held = { revisions: [own(OPENS + HOUR, block, 1, 'not asked')], facilitated: [recorded(OPENS + 5 * HOUR, agree)] };
    expect(countedCast(held, 1)).toMatchObject({ choice: block, facilitation: null });
    const sealed = sealedDecision({ proposalId: 'p', proposal: consentProposal(), ballots: [{ orgId: 'org-c', ballot: held, arrivals: new Map([[OPENS + HOUR, OPENS + 6 * HOUR], [OPENS + 5 * HOUR, OPENS + 5 * HOUR]]) }], eligibleOrgIds: ['org-c'], sealedAt: AFTER });
    expect(sealed.tally.outcome.status).toBe('blocked');
    expect(sealed.counted).toEqual([expect.objectContaining({ orgId: 'org-c', facilitation: null })]);
  });

  it('count on the current version before the organization’s cast on an earlier one, which asks to be confirmed anyway', () => {
    const held: Held = { revisions: [own(OPENS + 4 * HOUR, block, 1, 'not asked')], facilitated: [recorded(OPENS + 2 * HOUR, agree, 2)] };
    expect(countedCast(held, 2)).toMatchObject({ choice: agree, proposalVersion: 2, facilitation });
    // With none on the current version, the organization's own earlier cast is the one shown, to confirm.
    expect(countedCast({ revisions: held.revisions, facilitated: [recorded(OPENS + 5 * HOUR, agree, 1)] }, 2)).toMatchObject({ choice: block, facilitation: null });
  });
});

describe('voters fixed at opening', () => {
  const members = [
    { orgId: 'org-a', role: 'member' as const },
    { orgId: 'org-late', role: 'member' as const },
  ];

  it('are the list written at opening, not the network now; without one, the network now', () => {
    expect(votersOf({ eligible: { kind: 'all-members' }, eligibleOrgIds: ['org-a', 'org-gone'] }, members)).toEqual(['org-a', 'org-gone']);
    expect(votersOf({ eligible: { kind: 'all-members' }, eligibleOrgIds: null }, members)).toEqual(['org-a', 'org-late']);
  });

  it('are written by openVote with the reason for opening', () => {
    const doc = new Y.Doc();
    const ctx = { orgId: 'org-sec', deviceId: 'dev-sec', role: 'secretariat' as const, now: OPENS - HOUR };
    proposalRecord.create(doc, proposalRecord.parseInput({ title: 'Seed fund', method: 'consent', options: [], opensAt: OPENS, closesAt: CLOSES }), ctx);
    proposalMutators.openVote.apply(doc, { reason: 'agreed at the March meeting', eligibleOrgIds: ['org-a'] }, ctx);
    expect(proposalRecord.read(doc)).toMatchObject({
      state: 'open',
      eligibleOrgIds: ['org-a'],
      stateChanges: [{ state: 'open', reason: 'agreed at the March meeting', orgId: 'org-sec', at: OPENS - HOUR }],
    });
  });
});
