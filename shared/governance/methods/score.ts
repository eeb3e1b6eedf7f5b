import { z } from 'zod';
import { choiceOptionId } from './choiceOptionId';
import { decideByLead } from './decideByLead';
import type { DecisionMethod } from './decisionMethod';
import { invalidOptionIds } from './invalidOptionIds';
import { zeroCounts } from './zeroCounts';

/*
 * Score voting, 0 to MAX_SCORE: the option with the highest average wins if that average, as a
 * share of MAX_SCORE, reaches the threshold.
 */

export const MAX_SCORE = 5;

const choiceSchema = z.object({ method: z.literal('score'), scores: z.record(choiceOptionId, z.number().int().min(0).max(MAX_SCORE)) });
const countsSchema = z.object({ method: z.literal('score'), sums: z.record(z.string(), z.number()), averages: z.record(z.string(), z.number()) });

export const score = {
  name: 'score',
  choiceSchema,
  countsSchema,
  labels: { name: 'governance.method.score', help: 'governance.methodHelp.score', report: 'reports.doc.method.score' },
  usesOptions: true,
  methodTerms: [],
  isQuorumBound: true,
  tieBreakRule: null,
  invalidReason(choice, terms) {
    const entries = Object.entries(choice.scores);
    return (
      invalidOptionIds(
        entries.map(([id]) => id),
        terms,
      ) ?? (entries.some(([, value]) => !Number.isInteger(value) || value < 0 || value > MAX_SCORE) ? 'score-out-of-range' : null)
    );
  },
  count(choices, terms) {
    // An option a ballot leaves unscored scores 0 on it, so every option is averaged over the same
    // ballots and a handful of high scores cannot outrank broad support.
    const sums = zeroCounts(terms);
    for (const choice of choices) for (const [id, value] of Object.entries(choice.scores)) sums.set(id, (sums.get(id) ?? 0) + value);
    const averages = new Map([...sums].map(([id, sum]) => [id, choices.length > 0 ? sum / choices.length : 0]));
    // The threshold applies to the winner's average as a share of the highest score.
    const outcome = decideByLead(averages, (lead) => lead / MAX_SCORE, terms.threshold);
    return { counts: { method: 'score', sums: Object.fromEntries(sums), averages: Object.fromEntries(averages) }, rounds: [], outcome };
  },
} as const satisfies DecisionMethod<z.infer<typeof choiceSchema>, z.infer<typeof countsSchema>>;
