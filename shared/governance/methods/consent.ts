import { z } from 'zod';
import type { DecisionMethod, Outcome } from './decisionMethod';
import { meetsShare } from './meetsShare';

/*
 * Consent with block veto: each organization agrees, abstains, disagrees or blocks. Where blocks
 * count (the proposal's blocksCount), one block blocks the proposal; otherwise it passes when the
 * agreeing share of those not abstaining reaches the threshold.
 */

export const consentPositions = ['agree', 'abstain', 'disagree', 'block'] as const;
export type ConsentPosition = (typeof consentPositions)[number];

const choiceSchema = z.object({ method: z.literal('consent'), position: z.enum(consentPositions) });
const countsSchema = z.object({
  method: z.literal('consent'),
  positions: z.object({ agree: z.number(), abstain: z.number(), disagree: z.number(), block: z.number() }),
});

export const consent = {
  name: 'consent',
  choiceSchema,
  countsSchema,
  labels: { name: 'governance.method.consent', help: 'governance.methodHelp.consent', report: 'reports.doc.method.consent' },
  usesOptions: false,
  methodTerms: ['blocksCount'],
  isQuorumBound: true,
  tieBreakRule: null,
  invalidReason: () => null,
  count(choices, terms) {
    const positions: Record<ConsentPosition, number> = { agree: 0, abstain: 0, disagree: 0, block: 0 };
    for (const choice of choices) positions[choice.position] += 1;
    // Where blocks do not count, a block is a disagreement: it still weighs against passing.
    const nonAbstaining = positions.agree + positions.disagree + positions.block;
    let outcome: Outcome;
    if (terms.blocksCount && positions.block > 0) outcome = { status: 'blocked', reason: 'blocked', winnerId: null, tiedIds: [] };
    else if (nonAbstaining === 0)
      outcome = { status: 'failed', reason: choices.length > 0 ? 'all-abstained' : 'no-votes', winnerId: null, tiedIds: [] };
    else if (meetsShare(positions.agree / nonAbstaining, terms.threshold))
      outcome = { status: 'passed', reason: 'threshold-met', winnerId: null, tiedIds: [] };
    else outcome = { status: 'failed', reason: 'threshold-not-met', winnerId: null, tiedIds: [] };
    return { counts: { method: 'consent', positions }, rounds: [], outcome };
  },
} as const satisfies DecisionMethod<z.infer<typeof choiceSchema>, z.infer<typeof countsSchema>>;
