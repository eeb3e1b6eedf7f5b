import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choiceSchema, decisionMethodNames, decisionMethods, methodFor, tallyCountsSchema, type Choice, type DecisionMethodName } from '../../shared/governance/decisionMethods';
import { invalidChoiceReason } from '../../shared/governance/invalidChoiceReason';
import { tally } from '../../shared/governance/tally';
import { proposalInputSchema, proposalProjectionSchema, type ProposalProjection } from '../../shared/records/proposal';
import { sealedTallySchema } from '../../shared/records/result';

/*
 * The registry of decision methods: every method a proposal may name has a module, every module's
 * choices and counts fit the record schemas, and the tally refuses exactly the choices a method's
 * own validation refuses. A failure of the seeded property prints the command that replays it.
 */

const HOUR = 3_600_000;
const OPENS = 100 * HOUR;
const CLOSES = OPENS + 10 * HOUR;
const optionIds = ['a', 'b', 'c'];
// 'zz' is not an option of the proposal; scores outside 0-5 and fractions are out of range.
const anyOptionId = fc.constantFrom(...optionIds, 'zz');

const choiceFor: Record<DecisionMethodName, fc.Arbitrary<Choice>> = {
  consent: fc.constantFrom('agree', 'abstain', 'disagree', 'block').map((position) => ({ method: 'consent' as const, position })),
  single: anyOptionId.map((optionId) => ({ method: 'single' as const, optionId })),
  multiple: fc.array(anyOptionId, { maxLength: 5 }).map((optionIds) => ({ method: 'multiple' as const, optionIds })),
  ranked: fc.array(anyOptionId, { maxLength: 5 }).map((ranking) => ({ method: 'ranked' as const, ranking })),
  score: fc
    .dictionary(anyOptionId, fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constant(2.5)), { maxKeys: 4 })
    .map((scores) => ({ method: 'score' as const, scores })),
  advice: fc.record({ optionId: fc.option(anyOptionId, { nil: undefined }), note: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) }).map((advice) => ({ method: 'advice' as const, ...advice })),
};

function proposalWith(terms: Partial<ProposalProjection>): ProposalProjection {
  return {
    title: 'A proposal',
    description: '',
    options: optionIds.map((id) => ({ id, label: id })),
    method: 'single',
    maxChoices: 2,
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

describe('the decision method registry', () => {
  it('has a module for every method a proposal may name, and no other', () => {
    const named = [...proposalProjectionSchema.shape.method.options].sort();
    expect(Object.keys(decisionMethods).sort()).toEqual(named);
    expect([...decisionMethodNames].sort()).toEqual(named);
    for (const name of named) expect(methodFor(name).name).toBe(name);
    // A proposal is created with the same list it is read with.
    for (const name of named) {
      const parsed = proposalInputSchema.safeParse({ title: 'x', method: name, options: [], opensAt: 1, closesAt: 2 });
      expect(parsed.success, name).toBe(true);
    }
    expect(proposalInputSchema.safeParse({ title: 'x', method: 'lottery', options: [], opensAt: 1, closesAt: 2 }).success).toBe(false);
  });

  it.each(decisionMethodNames)('takes %s ballots into the ballot schema and their counts into the sealed tally', (name) => {
    const method = methodFor(name);
    const sample = fc.sample(choiceFor[name], { seed, numRuns: 20 }).find((choice) => invalidChoiceReason(choice, proposalWith({ method: name })) === null);
    expect(sample, `no valid ${name} choice sampled (seed ${seed})`).toBeDefined();
    expect(choiceSchema.parse(sample)).toEqual(sample);
    const counted = method.count([sample!], proposalWith({ method: name }));
    expect(tallyCountsSchema.parse(counted.counts)).toEqual(counted.counts);
    const result = tally({ proposal: proposalWith({ method: name }), ballots: [], eligibleOrgIds: ['org-1'], now: OPENS });
    expect(sealedTallySchema.shape.counts.parse(result.counts)).toEqual(result.counts);
    expect(result.counts.method).toBe(name);
  });

  it('refuses in the tally exactly the choices each method’s own validation refuses', () => {
    const property = fc.property(
      fc.constantFrom(...decisionMethodNames).chain((name) =>
        fc.record({ name: fc.constant(name), choice: choiceFor[name], maxChoices: fc.integer({ min: 1, max: 3 }), blocksCount: fc.boolean() }),
      ),
      ({ name, choice, maxChoices, blocksCount }) => {
        const proposal = proposalWith({ method: name, maxChoices, blocksCount });
        const reason = methodFor(name).invalidReason(choice, proposal);
        expect(invalidChoiceReason(choice, proposal)).toBe(reason);
        const result = tally({ proposal, ballots: [{ orgId: 'org-1', choice, castAt: OPENS + 1, receivedAt: OPENS + 2 }], eligibleOrgIds: ['org-1'], now: CLOSES + 100 * HOUR });
        if (reason === null) {
          expect(result.counted.map((ballot) => ballot.orgId)).toEqual(['org-1']);
          expect(result.excluded).toEqual([]);
        } else {
          expect(result.counted).toEqual([]);
          expect(result.excluded).toEqual([{ orgId: 'org-1', castAt: OPENS + 1, receivedAt: OPENS + 2, reason }]);
        }
      },
    );
    const outcome = fc.check(property, { seed, numRuns, endOnFailure: true });
    if (outcome.failed) {
      throw new Error(
        `method validation and tally disagree (seed ${seed}): ${String(outcome.errorInstance)}\n` +
          `counterexample: ${JSON.stringify(outcome.counterexample)}\n` +
          `replay: FIELDWISE_SEED=${seed} npx vitest run test/unit/decisionMethods.test.ts`,
      );
    }
    expect(outcome.numRuns).toBe(numRuns);
  });

  it('refuses every method’s choices under a proposal of another method', () => {
    for (const name of decisionMethodNames) {
      for (const other of decisionMethodNames.filter((candidate) => candidate !== name)) {
        const [choice] = fc.sample(choiceFor[other], { seed, numRuns: 1 });
        const proposal = proposalWith({ method: name });
        expect(invalidChoiceReason(choice!, proposal)).toBe('wrong-method');
        const result = tally({ proposal, ballots: [{ orgId: 'org-1', choice: choice!, castAt: OPENS + 1, receivedAt: OPENS + 2 }], eligibleOrgIds: ['org-1'], now: CLOSES });
        expect(result.excluded.map((ballot) => ballot.reason)).toEqual(['wrong-method']);
      }
    }
  });
});
