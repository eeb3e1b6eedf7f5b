import { z } from 'zod';
import { choiceOptionId } from './choiceOptionId';
import { decideByLead } from './decideByLead';
import type { DecisionMethod } from './decisionMethod';
import { invalidOptionIds } from './invalidOptionIds';
import { zeroCounts } from './zeroCounts';

/* Single choice: each organization picks one option; the option with most votes wins if its share of the ballots reaches the threshold. */

const choiceSchema = z.object({ method: z.literal('single'), optionId: choiceOptionId });
const countsSchema = z.object({ method: z.literal('single'), votes: z.record(z.string(), z.number()) });

export const single = {
  name: 'single',
  choiceSchema,
  countsSchema,
  labels: { name: 'governance.method.single', help: 'governance.methodHelp.single', report: 'reports.doc.method.single' },
  usesOptions: true,
  methodTerms: [],
  isQuorumBound: true,
  tieBreakRule: null,
  invalidReason: (choice, terms) => invalidOptionIds([choice.optionId], terms),
  count(choices, terms) {
    const votes = zeroCounts(terms);
    for (const choice of choices) votes.set(choice.optionId, (votes.get(choice.optionId) ?? 0) + 1);
    const outcome = decideByLead(votes, (lead) => lead / choices.length, terms.threshold);
    return { counts: { method: 'single', votes: Object.fromEntries(votes) }, rounds: [], outcome };
  },
} as const satisfies DecisionMethod<z.infer<typeof choiceSchema>, z.infer<typeof countsSchema>>;
