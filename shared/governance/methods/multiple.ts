import { z } from 'zod';
import { choiceOptionId } from './choiceOptionId';
import { decideByLead } from './decideByLead';
import type { DecisionMethod } from './decisionMethod';
import { invalidOptionIds } from './invalidOptionIds';
import { zeroCounts } from './zeroCounts';

/*
 * Approval with a maximum: each organization approves up to the proposal's maxChoices options. The
 * most approved option wins if the share of ballots approving it reaches the threshold.
 */

const choiceSchema = z.object({ method: z.literal('multiple'), optionIds: z.array(choiceOptionId).max(50) });
const countsSchema = z.object({ method: z.literal('multiple'), votes: z.record(z.string(), z.number()) });

export const multiple = {
  name: 'multiple',
  choiceSchema,
  countsSchema,
  labels: { name: 'governance.method.multiple', help: 'governance.methodHelp.multiple', report: 'reports.doc.method.multiple' },
  usesOptions: true,
  methodTerms: ['maxChoices'],
  isQuorumBound: true,
  tieBreakRule: null,
  invalidReason: (choice, terms) => invalidOptionIds(choice.optionIds, terms) ?? (choice.optionIds.length > terms.maxChoices ? 'too-many-choices' : null),
  count(choices, terms) {
    const votes = zeroCounts(terms);
    for (const choice of choices) for (const id of choice.optionIds) votes.set(id, (votes.get(id) ?? 0) + 1);
    // The winner's share is of the ballots counted, that is, of the ballots approving it.
    const outcome = decideByLead(votes, (lead) => lead / choices.length, terms.threshold);
    return { counts: { method: 'multiple', votes: Object.fromEntries(votes) }, rounds: [], outcome };
  },
} as const satisfies DecisionMethod<z.infer<typeof choiceSchema>, z.infer<typeof countsSchema>>;
