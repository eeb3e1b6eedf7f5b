import { describe, expect, it } from 'vitest';
import type { Choice } from '../../shared/records/ballot';
import type { ProposalProjection } from '../../shared/records/proposal';
import { ballotReceipt } from '../../shared/governance/ballotReceipt';
import { canonicalJson } from '../../shared/governance/canonicalJson';
import { instantRunoff, instantRunoffTieBreakRule } from '../../shared/governance/instantRunoff';
import { tally, type TallyBallot } from '../../shared/governance/tally';

const HOUR = 3_600_000;
const OPENS = 1_000 * HOUR;
const CLOSES = OPENS + 48 * HOUR;
const GRACE_ENDS = CLOSES + 72 * HOUR;
const AFTER = GRACE_ENDS + 1;

function proposal(terms: Partial<ProposalProjection> = {}): ProposalProjection {
  return {
    title: 'Pool funds for the flood response',
    description: '',
    options: [
      { id: 'a', label: 'A' },
      { id: 'b', label: 'B' },
      { id: 'c', label: 'C' },
    ],
    method: 'single',
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
    createdAt: OPENS - HOUR,
    updatedAt: OPENS - HOUR,
    ...terms,
  } as ProposalProjection;
}

const orgs = (n: number) => Array.from({ length: n }, (_, i) => `org-${i + 1}`);
const vote = (orgId: string, choice: Choice, castAt = OPENS + HOUR, receivedAt: number | null = castAt): TallyBallot => ({
  orgId,
  choice,
  castAt,
  receivedAt,
});
const single = (optionId: string): Choice => ({ method: 'single', optionId });
const consent = (position: 'agree' | 'abstain' | 'disagree' | 'block'): Choice => ({ method: 'consent', position });
const ranked = (...ranking: string[]): Choice => ({ method: 'ranked', ranking });

function run(p: ProposalProjection, ballots: TallyBallot[], eligibleCount = ballots.length, now = AFTER) {
  return tally({ proposal: p, ballots, eligibleOrgIds: orgs(eligibleCount), now });
}

describe('consent', () => {
  const p = proposal({ method: 'consent', threshold: 2 / 3 });

  it('passes when agreement among those not abstaining reaches the threshold', () => {
    const result = run(p, [vote('org-1', consent('agree')), vote('org-2', consent('agree')), vote('org-3', consent('disagree')), vote('org-4', consent('abstain'))]);
    expect(result.counts).toEqual({ method: 'consent', positions: { agree: 2, abstain: 1, disagree: 1, block: 0 } });
    expect(result.outcome).toMatchObject({ status: 'passed', reason: 'threshold-met' });
  });

  it('fails just below the threshold', () => {
    const result = run(proposal({ method: 'consent', threshold: 0.75 }), [
      vote('org-1', consent('agree')),
      vote('org-2', consent('agree')),
      vote('org-3', consent('disagree')),
    ]);
    expect(result.outcome).toMatchObject({ status: 'failed', reason: 'threshold-not-met' });
  });

  it('a single block vetoes when blocks count', () => {
    const ballots = [vote('org-1', consent('agree')), vote('org-2', consent('agree')), vote('org-3', consent('agree')), vote('org-4', consent('block'))];
    expect(run(p, ballots).outcome).toMatchObject({ status: 'blocked', reason: 'blocked' });
  });

  it('a block weighs as a disagreement when blocks do not count', () => {
    const ballots = [vote('org-1', consent('agree')), vote('org-2', consent('agree')), vote('org-3', consent('agree')), vote('org-4', consent('block'))];
    // 3 agree of 4 not abstaining = 0.75 >= 2/3.
    expect(run(proposal({ method: 'consent', threshold: 2 / 3, blocksCount: false }), ballots).outcome).toMatchObject({ status: 'passed' });
    // 3 of 4 < 0.8: the block still counted against passing.
    expect(run(proposal({ method: 'consent', threshold: 0.8, blocksCount: false }), ballots).outcome).toMatchObject({
      status: 'failed',
      reason: 'threshold-not-met',
    });
  });

  it('fails when everyone abstains', () => {
    const result = run(p, [vote('org-1', consent('abstain')), vote('org-2', consent('abstain'))]);
    expect(result.outcome).toMatchObject({ status: 'failed', reason: 'all-abstained' });
    expect(result.isQuorumMet).toBe(true);
  });

  it('fails with no votes at all', () => {
    expect(run(p, [], 3).outcome).toMatchObject({ status: 'failed', reason: 'no-votes' });
  });
});

describe('single choice', () => {
  it('the plurality winner passes when its share of valid votes meets the threshold', () => {
    const result = run(proposal({ threshold: 0.5 }), [vote('org-1', single('a')), vote('org-2', single('a')), vote('org-3', single('b')), vote('org-4', single('c'))]);
    expect(result.counts).toEqual({ method: 'single', votes: { a: 2, b: 1, c: 1 } });
    expect(result.outcome).toEqual({ status: 'passed', reason: 'threshold-met', winnerId: 'a', tiedIds: [] });
  });

  it('a plurality below the threshold fails', () => {
    const fourOptions = proposal({ threshold: 0.5, options: ['a', 'b', 'c', 'd'].map((id) => ({ id, label: id })) });
    const result = run(fourOptions, [vote('org-1', single('a')), vote('org-2', single('a')), vote('org-3', single('b')), vote('org-4', single('c')), vote('org-5', single('d'))]);
    // a holds 2 of 5 = 0.4 < 0.5.
    expect(result.outcome).toEqual({ status: 'failed', reason: 'threshold-not-met', winnerId: null, tiedIds: [] });
  });

  it('a tie for the lead is undecided and names the tied options', () => {
    const result = run(proposal(), [vote('org-1', single('a')), vote('org-2', single('b'))]);
    expect(result.outcome).toEqual({ status: 'undecided', reason: 'tie', winnerId: null, tiedIds: ['a', 'b'] });
  });
});

describe('multiple choice (approval)', () => {
  const p = proposal({ method: 'multiple', maxChoices: 2, threshold: 0.5 });
  const approve = (...optionIds: string[]): Choice => ({ method: 'multiple', optionIds });

  it('the most approved option wins when approved by at least the threshold share of ballots', () => {
    const result = run(p, [vote('org-1', approve('a', 'b')), vote('org-2', approve('b')), vote('org-3', approve('c', 'b')), vote('org-4', approve())]);
    expect(result.counts).toEqual({ method: 'multiple', votes: { a: 1, b: 3, c: 1 } });
    expect(result.outcome).toMatchObject({ status: 'passed', winnerId: 'b' });
  });

  it('a tie for most approvals is undecided', () => {
    const result = run(p, [vote('org-1', approve('a', 'b')), vote('org-2', approve('b', 'a'))]);
    expect(result.outcome).toMatchObject({ status: 'undecided', tiedIds: ['a', 'b'] });
  });

  it('excludes a ballot approving more than maxChoices options', () => {
    const result = run(p, [vote('org-1', approve('a', 'b', 'c')), vote('org-2', approve('a'))]);
    expect(result.excluded).toEqual([{ orgId: 'org-1', castAt: OPENS + HOUR, receivedAt: OPENS + HOUR, reason: 'too-many-choices' }]);
    expect(result.counts).toEqual({ method: 'multiple', votes: { a: 1, b: 0, c: 0 } });
  });
});

describe('score', () => {
  const p = proposal({ method: 'score', threshold: 0.6 });
  const scores = (s: Record<string, number>): Choice => ({ method: 'score', scores: s });

  it('the highest average wins; an unscored option scores 0', () => {
    const result = run(p, [vote('org-1', scores({ a: 5, b: 3 })), vote('org-2', scores({ a: 3, b: 4, c: 5 })), vote('org-3', scores({ a: 4, b: 4 }))]);
    expect(result.counts).toEqual({ method: 'score', sums: { a: 12, b: 11, c: 5 }, averages: { a: 4, b: 11 / 3, c: 5 / 3 } });
    // 4 of 5 = 0.8 >= 0.6.
    expect(result.outcome).toMatchObject({ status: 'passed', winnerId: 'a' });
  });

  it('a tie on the highest average is undecided', () => {
    const result = run(p, [vote('org-1', scores({ a: 5, b: 4 })), vote('org-2', scores({ a: 4, b: 5 }))]);
    expect(result.outcome).toMatchObject({ status: 'undecided', tiedIds: ['a', 'b'] });
  });

  it('excludes a score out of range and a score for an unknown option', () => {
    const result = run(p, [vote('org-1', scores({ a: 6 })), vote('org-2', scores({ z: 3 })), vote('org-3', scores({ a: 2 }))]);
    expect(result.excluded.map((e) => [e.orgId, e.reason])).toEqual([
      ['org-1', 'score-out-of-range'],
      ['org-2', 'unknown-option'],
    ]);
    // 2 of 5 = 0.4 < 0.6.
    expect(result.outcome).toMatchObject({ status: 'failed', reason: 'threshold-not-met' });
  });
});

describe('advice poll', () => {
  it('counts without a binding outcome, even without quorum', () => {
    const p = proposal({ method: 'advice', quorum: 0.9 });
    const result = run(p, [vote('org-1', { method: 'advice', optionId: 'a' }), vote('org-2', { method: 'advice', note: 'no view' })], 5);
    expect(result.counts).toEqual({ method: 'advice', votes: { a: 1, b: 0, c: 0 } });
    expect(result.outcome).toEqual({ status: 'advisory', reason: 'advice-only', winnerId: null, tiedIds: [] });
    expect(result.isQuorumMet).toBe(false);
  });
});

describe('ranked choice (instant runoff)', () => {
  const p = proposal({ method: 'ranked', options: ['a', 'b', 'c', 'd'].map((id) => ({ id, label: id })) });

  it('a majority of first preferences wins in round 1', () => {
    const result = run(p, [vote('org-1', ranked('a', 'b')), vote('org-2', ranked('a')), vote('org-3', ranked('b', 'a'))]);
    expect(result.rounds).toHaveLength(1);
    expect(result.outcome).toMatchObject({ status: 'passed', winnerId: 'a' });
  });

  it('transfers the eliminated option’s ballots to their next preference', () => {
    // Round 1: a 2, b 2, c 1, d 0 -> d eliminated (fewest). Round 2: a 2, b 2, c 1 -> c eliminated,
    // its ballot moves to b. Round 3: b 3 of 5 wins.
    const result = run(p, [
      vote('org-1', ranked('a')),
      vote('org-2', ranked('a', 'c')),
      vote('org-3', ranked('b', 'a')),
      vote('org-4', ranked('b')),
      vote('org-5', ranked('c', 'b')),
    ]);
    expect(result.rounds).toEqual([
      { counts: { a: 2, b: 2, c: 1, d: 0 }, continuing: 5, exhausted: 0, winnerId: null, eliminated: { optionId: 'd', reason: 'fewest-votes' } },
      { counts: { a: 2, b: 2, c: 1 }, continuing: 5, exhausted: 0, winnerId: null, eliminated: { optionId: 'c', reason: 'fewest-votes' } },
      { counts: { a: 2, b: 3 }, continuing: 5, exhausted: 0, winnerId: 'b', eliminated: null },
    ]);
    expect(result.counts).toEqual({ method: 'ranked', firstPreferences: { a: 2, b: 2, c: 1, d: 0 } });
    expect(result.outcome).toMatchObject({ status: 'passed', winnerId: 'b' });
  });

  it('breaks a tie for fewest votes by the previous round', () => {
    // Round 1: a 3, b 3, c 1, d 1 tied for fewest, no previous round, equal totals -> option id
    // order eliminates d (last). d's ballot goes to c.
    // Round 2: a 3, b 3, c 2 -> c out; one ballot goes to a, the other exhausts.
    // Round 3: a 4, b 3 of 7 -> a wins.
    const result = instantRunoff(['a', 'b', 'c', 'd'], [['a'], ['a'], ['a'], ['b'], ['b'], ['b'], ['c', 'a'], ['d', 'c']]);
    expect(result.rounds.map((r) => r.eliminated)).toEqual([
      { optionId: 'd', reason: 'option-id-order' },
      { optionId: 'c', reason: 'fewest-votes' },
      null,
    ]);
    expect(result.rounds[2]).toMatchObject({ counts: { a: 4, b: 3 }, continuing: 7, exhausted: 1, winnerId: 'a' });

    const previous = instantRunoff(['a', 'b', 'c', 'd'], [
      ['a'], ['a'], ['a'], ['a'], ['a'],
      ['b'], ['b'], ['b'], ['b'],
      ['c', 'b'], ['c', 'b'], ['c', 'b'],
      ['d', 'c'],
    ]);
    // Round 1: a 5, b 4, c 3, d 1 -> d out (fewest); its ballot goes to c.
    // Round 2: a 5, b 4, c 4: b and c tie for fewest; in round 1 c had 3 and b 4, so c is out.
    // Round 3: a 5, b 7 -> b wins with 7 of 12 continuing (d's ballot exhausted).
    expect(previous.rounds.map((r) => r.eliminated)).toEqual([
      { optionId: 'd', reason: 'fewest-votes' },
      { optionId: 'c', reason: 'previous-round' },
      null,
    ]);
    expect(previous.rounds[2]).toMatchObject({ counts: { a: 5, b: 7 }, continuing: 12, exhausted: 1, winnerId: 'b' });
  });

  it('breaks a first-round tie by option id order, the previous round being absent', () => {
    const result = instantRunoff(['a', 'b', 'c', 'd', 'e'], [
      ['a'], ['a'], ['a'], ['a'], ['a'], ['a'], ['a'],
      ['b'], ['b'], ['b'],
      ['c'], ['c'],
      ['d', 'c'],
      ['e', 'b'],
    ]);
    // Round 1: a 7, b 3, c 2, d 1, e 1 (14 continuing) -> d and e tie, no previous round, equal
    // totals -> e out by id order; its ballot goes to b.
    // Round 2: a 7, b 4, c 2, d 1 -> d out; its ballot goes to c.
    // Round 3: a 7, b 4, c 3 -> c out; its ballots exhaust. Round 4: a 7, b 4 of 11 -> a wins.
    expect(result.rounds.map((r) => r.eliminated?.reason ?? null)).toEqual(['option-id-order', 'fewest-votes', 'fewest-votes', null]);
    expect(result.winnerId).toBe('a');

    const totals = instantRunoff(['a', 'b', 'c', 'x'], [
      ['a'], ['a'], ['a'], ['a'], ['a'], ['a'],
      ['b'], ['b'],
      ['c'], ['c', 'b'],
      ['x', 'c'], ['x', 'c'],
      ['b', 'a'],
    ]);
    // Round 1: a 6, b 3, c 2, x 2 (13): c and x tie; no previous round; totals equal -> x out
    // (id order). Its ballots go to c.
    // Round 2: a 6, b 3, c 4 -> b out; b's ballots: two exhaust, one goes to a.
    // Round 3: a 7, c 4 of 11 -> a wins.
    expect(totals.rounds.map((r) => r.eliminated)).toEqual([
      { optionId: 'x', reason: 'option-id-order' },
      { optionId: 'b', reason: 'fewest-votes' },
      null,
    ]);
  });

  it('reaches the total across rounds when this and the previous round tie', () => {
    const byTotals = instantRunoff(['a', 'c', 'd', 'e', 'f'], [
      ...Array.from({ length: 5 }, () => ['a']),
      ['c'], ['c'], ['c'],
      ['d'], ['d'],
      ['e', 'd'],
      ['f', 'c', 'a'], ['f', 'd', 'a'],
    ]);
    // Round 1: a 5, c 3, d 2, e 1, f 2 (13) -> e out (fewest); its ballot goes to d.
    // Round 2: a 5, c 3, d 3, f 2 -> f out (fewest); one ballot to c, one to d.
    // Round 3: a 5, c 4, d 4: c and d tie; in round 2 both had 3; totals c 3+3+4=10 and
    // d 2+3+4=9 -> d out (lowest total). Its ballots: f's goes on to a, the rest exhaust.
    // Round 4: a 6, c 4 of 10 -> a wins.
    expect(byTotals.rounds.map((r) => r.eliminated)).toEqual([
      { optionId: 'e', reason: 'fewest-votes' },
      { optionId: 'f', reason: 'fewest-votes' },
      { optionId: 'd', reason: 'total-across-rounds' },
      null,
    ]);
    expect(byTotals.rounds[3]).toMatchObject({ counts: { a: 6, c: 4 }, continuing: 10, exhausted: 3, winnerId: 'a' });
  });

  it('an even split of the last two falls to the written tie-break and says so', () => {
    const result = instantRunoff(['a', 'b'], [['a'], ['b']]);
    expect(result.rounds[0]!.eliminated).toEqual({ optionId: 'b', reason: 'option-id-order' });
    expect(result.winnerId).toBe('a');
  });

  it('fails with no ranked ballots', () => {
    expect(run(p, [vote('org-1', ranked())]).outcome).toMatchObject({ status: 'failed', reason: 'no-votes' });
  });

  it('exports its tie-break rule as text for the decision record', () => {
    expect(instantRunoffTieBreakRule).toMatch(/fewest votes in the previous round/);
    expect(instantRunoffTieBreakRule).toMatch(/option id comes last/);
  });

  it('excludes a ranking that names an unknown option or repeats one', () => {
    const result = run(p, [vote('org-1', ranked('a', 'zz')), vote('org-2', ranked('a', 'a')), vote('org-3', ranked('b'))]);
    expect(result.excluded.map((e) => e.reason)).toEqual(['unknown-option', 'duplicate-option']);
  });
});

describe('quorum', () => {
  const p = proposal({ quorum: 0.3 });

  it('is met exactly at the quorum share', () => {
    const result = run(p, [vote('org-1', single('a')), vote('org-2', single('a')), vote('org-3', single('b'))], 10);
    expect(result.participation).toEqual({ eligible: 10, voted: 3, share: 0.3 });
    expect(result.isQuorumMet).toBe(true);
    expect(result.outcome).toMatchObject({ status: 'passed', winnerId: 'a' });
  });

  it('is not met just below it', () => {
    const result = run(p, [vote('org-1', single('a')), vote('org-2', single('a'))], 10);
    expect(result.isQuorumMet).toBe(false);
    expect(result.outcome).toEqual({ status: 'no-quorum', reason: 'quorum-not-met', winnerId: null, tiedIds: [] });
    expect(result.notHeardFrom).toBe(8);
  });

  it('counts abstentions toward quorum', () => {
    const result = run(proposal({ method: 'consent', quorum: 2 / 3 }), [vote('org-1', consent('agree')), vote('org-2', consent('abstain'))], 3);
    expect(result.isQuorumMet).toBe(true);
    expect(result.outcome.status).toBe('passed');
  });
});

describe('voting window, grace period and eligibility', () => {
  const p = proposal();

  it('counts a ballot cast before closing and received within grace, marked late', () => {
    const late = vote('org-2', single('b'), CLOSES - 1, CLOSES + 71 * HOUR);
    const result = run(p, [vote('org-1', single('a')), late]);
    expect(result.counts).toEqual({ method: 'single', votes: { a: 1, b: 1, c: 0 } });
    expect(result.lateBallots).toEqual([
      { orgId: 'org-2', castAt: CLOSES - 1, receivedAt: CLOSES + 71 * HOUR, isLate: true, choice: single('b'), reason: '', facilitation: null },
    ]);
    expect(result.counted.find((b) => b.orgId === 'org-1')?.isLate).toBe(false);
  });

  it('excludes a ballot received after the grace period, and counts the org’s earlier one', () => {
    const result = run(p, [vote('org-1', single('a')), vote('org-1', single('b'), CLOSES - 1, GRACE_ENDS + 1)]);
    expect(result.excluded).toEqual([{ orgId: 'org-1', castAt: CLOSES - 1, receivedAt: GRACE_ENDS + 1, reason: 'received-after-grace' }]);
    expect(result.counts).toEqual({ method: 'single', votes: { a: 1, b: 0, c: 0 } });
  });

  it('excludes a ballot cast before opening and one cast at or after closing', () => {
    const result = run(p, [vote('org-1', single('a'), OPENS - 1), vote('org-2', single('a'), CLOSES)], 2);
    expect(result.excluded.map((e) => [e.orgId, e.reason])).toEqual([
      ['org-1', 'cast-before-opening'],
      ['org-2', 'cast-after-closing'],
    ]);
    expect(result.participation.voted).toBe(0);
  });

  it('excludes a ballot from an organization that is not eligible', () => {
    const result = run(p, [vote('org-1', single('a')), vote('outsider', single('b'))], 1);
    expect(result.excluded).toEqual([{ orgId: 'outsider', castAt: OPENS + HOUR, receivedAt: OPENS + HOUR, reason: 'not-eligible' }]);
    expect(result.participation).toEqual({ eligible: 1, voted: 1, share: 1 });
  });

  it('excludes a ballot written for another method', () => {
    const result = run(p, [vote('org-1', consent('agree'))]);
    expect(result.excluded[0]?.reason).toBe('wrong-method');
  });

  it('counts only the latest ballot of each organization', () => {
    const result = run(p, [vote('org-1', single('b'), OPENS + 2 * HOUR), vote('org-1', single('a'), OPENS + HOUR)]);
    expect(result.counts).toEqual({ method: 'single', votes: { a: 0, b: 1, c: 0 } });
    expect(result.excluded).toEqual([{ orgId: 'org-1', castAt: OPENS + HOUR, receivedAt: OPENS + HOUR, reason: 'superseded' }]);
  });

  it('is provisional until closing plus grace; a ballot not yet received counts only until then', () => {
    const pending = vote('org-2', single('b'), CLOSES - 1, null);
    const during = run(p, [vote('org-1', single('a')), pending], 3, CLOSES + HOUR);
    expect(during.isProvisional).toBe(true);
    expect(during.notHeardFrom).toBe(1);
    expect(during.lateBallots.map((b) => b.orgId)).toEqual(['org-2']);

    const after = run(p, [vote('org-1', single('a')), pending], 3, AFTER);
    expect(after.isProvisional).toBe(false);
    expect(after.excluded.map((e) => e.reason)).toEqual(['received-after-grace']);
    expect(after.outcome).toMatchObject({ status: 'passed', winnerId: 'a' });
  });
});

describe('ballotReceipt', () => {
  const ballot = { proposalId: 'p1', orgId: 'org-1', choice: { method: 'score', scores: { a: 3, b: 5 } } as Choice, castAt: 42 };

  it('is the sha256 of the canonical ballot, independent of key order', () => {
    const receipt = ballotReceipt(ballot);
    expect(receipt).toMatch(/^[0-9a-f]{64}$/);
    expect(ballotReceipt({ castAt: 42, choice: { method: 'score', scores: { b: 5, a: 3 } }, orgId: 'org-1', proposalId: 'p1' })).toBe(receipt);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });

  it('changes when any counted field changes', () => {
    const receipt = ballotReceipt(ballot);
    expect(ballotReceipt({ ...ballot, castAt: 43 })).not.toBe(receipt);
    expect(ballotReceipt({ ...ballot, orgId: 'org-2' })).not.toBe(receipt);
    expect(ballotReceipt({ ...ballot, proposalId: 'p2' })).not.toBe(receipt);
    expect(ballotReceipt({ ...ballot, choice: { method: 'score', scores: { a: 3, b: 4 } } })).not.toBe(receipt);
  });
});
