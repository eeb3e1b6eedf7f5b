import { z } from 'zod';
import { choiceOptionId } from './choiceOptionId';
import type { DecisionMethod } from './decisionMethod';
import { invalidOptionIds } from './invalidOptionIds';
import { zeroCounts } from './zeroCounts';

/*
 * Advice: each organization may lean to an option and leave a note; nothing passes or fails, and
 * no quorum applies (the outcome is always advisory), but the leanings are counted.
 */

const choiceSchema = z.object({ method: z.literal('advice'), optionId: choiceOptionId.optional(), note: z.string().max(2000).optional() });
const countsSchema = z.object({ method: z.literal('advice'), votes: z.record(z.string(), z.number()) });

export const advice = {
  name: 'advice',
  choiceSchema,
  countsSchema,
  labels: { name: 'governance.method.advice', help: 'governance.methodHelp.advice', report: 'reports.doc.method.advice' },
  usesOptions: true,
  methodTerms: [],
  isQuorumBound: false,
  tieBreakRule: null,
  invalidReason: (choice, terms) => (choice.optionId === undefined ? null : invalidOptionIds([choice.optionId], terms)),
  count(choices, terms) {
    const votes = zeroCounts(terms);
    for (const choice of choices) if (choice.optionId !== undefined) votes.set(choice.optionId, (votes.get(choice.optionId) ?? 0) + 1);
    return { counts: { method: 'advice', votes: Object.fromEntries(votes) }, rounds: [], outcome: { status: 'advisory', reason: 'advice-only', winnerId: null, tiedIds: [] } };
  },
} as const satisfies DecisionMethod<z.infer<typeof choiceSchema>, z.infer<typeof countsSchema>>;
