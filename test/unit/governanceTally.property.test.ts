import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Choice } from '../../shared/records/ballot';
import { decisionMethodNames } from '../../shared/governance/decisionMethods';
import type { ProposalProjection } from '../../shared/records/proposal';
import { instantRunoff } from '../../shared/governance/instantRunoff';
import { tally, type TallyBallot } from '../../shared/governance/tally';

/*
 * Seeded properties of the tally: it does not depend on the order ballots arrive in nor on copies
 * of a ballot, and instant runoff keeps its invariants. A failure prints the one command that
 * replays it.
 */

const HOUR = 3_600_000;
const OPENS = 100 * HOUR;
const CLOSES = OPENS + 10 * HOUR;
const optionIds = ['a', 'b', 'c', 'd', 'e'];
const orgIds = ['org-1', 'org-2', 'org-3', 'org-4', 'org-5', 'org-6', 'outsider'];
// 'zz' is not an option: ballots naming it must be excluded, whatever their order.
const anyOptionId = fc.constantFrom(...optionIds, 'zz');

const choiceFor: Record<(typeof decisionMethodNames)[number], fc.Arbitrary<Choice>> = {
  consent: fc.constantFrom('agree', 'abstain', 'disagree', 'block').map((position) => ({ method: 'consent' as const, position })),
  single: anyOptionId.map((optionId) => ({ method: 'single' as const, optionId })),
  multiple: fc.array(anyOptionId, { maxLength: 4 }).map((optionIds) => ({ method: 'multiple' as const, optionIds })),
  ranked: fc.array(anyOptionId, { maxLength: 5 }).map((ranking) => ({ method: 'ranked' as const, ranking })),
  score: fc
    .dictionary(anyOptionId, fc.integer({ min: 0, max: 6 }), { maxKeys: 4 })
    .map((scores) => ({ method: 'score' as const, scores })),
  advice: fc.option(anyOptionId, { nil: undefined }).map((optionId) => ({ method: 'advice' as const, optionId })),
};

const time = fc.integer({ min: OPENS - 2 * HOUR, max: CLOSES + 30 * HOUR });
const scenario = fc.constantFrom(...decisionMethodNames).chain((method) =>
  fc.record({
    proposal: fc.record({
      method: fc.constant(method),
      maxChoices: fc.integer({ min: 1, max: 3 }),
      blocksCount: fc.boolean(),
      quorum: fc.constantFrom(0, 0.25, 0.5, 2 / 3, 1),
      threshold: fc.constantFrom(0, 0.5, 0.6, 2 / 3, 1),
      graceHours: fc.integer({ min: 0, max: 24 }),
    }),
    ballots: fc.array(
      fc.record({
        orgId: fc.constantFrom(...orgIds),
        // Mostly ballots for this method; now and then one for another.
        choice: fc.oneof({ weight: 9, arbitrary: choiceFor[method] }, { weight: 1, arbitrary: fc.constantFrom(...decisionMethodNames).chain((m) => choiceFor[m]) }),
        castAt: time,
        receivedAt: fc.option(time, { nil: null }),
      }),
      { maxLength: 25 },
    ),
    eligibleCount: fc.integer({ min: 0, max: 6 }),
    now: time,
  }),
);

function proposalWith(terms: Partial<ProposalProjection>): ProposalProjection {
  return {
    title: 'Seeded proposal',
    description: '',
    options: optionIds.map((id) => ({ id, label: id })),
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

const seed = Number(process.env.FIELDWISE_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.FIELDWISE_RUNS ?? 300);

function check<T>(name: string, property: fc.IProperty<T>): void {
  const result = fc.check(property, { seed, numRuns, endOnFailure: true });
  if (result.failed) {
    throw new Error(
      `${name} failed (seed ${seed}): ${String(result.errorInstance)}\n` +
        `counterexample: ${JSON.stringify(result.counterexample)}\n` +
        `replay: FIELDWISE_SEED=${seed} npx vitest run test/unit/governanceTally.property.test.ts`,
    );
  }
  expect(result.numRuns).toBe(numRuns);
}

describe('tally properties', () => {
  it('does not depend on ballot order or on duplicated ballots', () => {
    check(
      'order and duplicate independence',
      fc.property(scenario, fc.array(fc.nat()), fc.array(fc.nat(), { maxLength: 10 }), (s, shuffleKeys, copies) => {
        const input = {
          proposal: proposalWith(s.proposal),
          eligibleOrgIds: orgIds.slice(0, s.eligibleCount),
          now: s.now,
        };
        const ballots: TallyBallot[] = s.ballots;
        const copied = copies.length > 0 && ballots.length > 0 ? copies.map((i) => ballots[i % ballots.length]!) : [];
        const shuffled = [...ballots, ...copied]
          .map((ballot, i) => ({ ballot, key: shuffleKeys[i % Math.max(shuffleKeys.length, 1)] ?? i }))
          .sort((x, y) => x.key - y.key)
          .map((x) => x.ballot)
          .reverse();
        expect(tally({ ...input, ballots: shuffled })).toEqual(tally({ ...input, ballots }));
      }),
    );
  });

  it('counts at most one ballot per eligible organization', () => {
    check(
      'one ballot per organization',
      fc.property(scenario, (s) => {
        const result = tally({ proposal: proposalWith(s.proposal), ballots: s.ballots, eligibleOrgIds: orgIds.slice(0, s.eligibleCount), now: s.now });
        const counted = result.counted.map((b) => b.orgId);
        expect(new Set(counted).size).toBe(counted.length);
        expect(counted.every((orgId) => orgIds.slice(0, s.eligibleCount).includes(orgId))).toBe(true);
        expect(result.participation.voted + result.notHeardFrom).toBe(result.participation.eligible);
      }),
    );
  });
});

describe('instant-runoff invariants', () => {
  const rankings = fc.array(fc.shuffledSubarray(optionIds), { maxLength: 30 });

  it('holds round totals, single eliminations and a majority winner', () => {
    check(
      'instant-runoff invariants',
      fc.property(rankings, (ballots) => {
        const { rounds, winnerId } = instantRunoff(optionIds, ballots);
        const eliminated = new Set<string>();
        rounds.forEach((round, i) => {
          const active = optionIds.filter((id) => !eliminated.has(id));
          expect(Object.keys(round.counts)).toEqual(active);
          const stillRanking = ballots.filter((ranking) => ranking.some((id) => active.includes(id))).length;
          const total = Object.values(round.counts).reduce((sum, n) => sum + n, 0);
          expect(total).toBe(stillRanking);
          expect(round.continuing).toBe(stillRanking);
          expect(round.continuing + round.exhausted).toBe(ballots.length);
          const isLast = i === rounds.length - 1;
          if (round.winnerId !== null) {
            expect(isLast).toBe(true);
            expect(round.eliminated).toBeNull();
          } else if (!isLast) {
            expect(round.eliminated).not.toBeNull();
            eliminated.add(round.eliminated!.optionId);
          } else {
            // A last round without a winner only happens when no ballot ranks anything.
            expect(round.continuing).toBe(0);
          }
        });
        const last = rounds.at(-1)!;
        if (winnerId !== null) {
          expect(last.winnerId).toBe(winnerId);
          expect(last.counts[winnerId]! * 2).toBeGreaterThan(last.continuing);
        } else {
          expect(ballots.every((ranking) => ranking.length === 0)).toBe(true);
        }
      }),
    );
  });

  it('an option ranked first by a majority of ballots wins in round 1', () => {
    check(
      'first-round majority',
      fc.property(rankings, (ballots) => {
        const { rounds, winnerId } = instantRunoff(optionIds, ballots);
        for (const id of optionIds) {
          if (ballots.filter((ranking) => ranking[0] === id).length * 2 > ballots.length) {
            expect(winnerId).toBe(id);
            expect(rounds).toHaveLength(1);
          }
        }
      }),
    );
  });
});
