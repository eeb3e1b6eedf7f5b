import { z } from 'zod';
import { instantRunoff, instantRunoffTieBreakRule } from '../instantRunoff';
import { choiceOptionId } from './choiceOptionId';
import type { DecisionMethod, Outcome } from './decisionMethod';
import { invalidOptionIds } from './invalidOptionIds';
import { meetsShare } from './meetsShare';

/*
 * Ranked choice by instant runoff (instantRunoff.ts, with its tie-break rule written down). The
 * runoff's winner passes when its share of the continuing ballots in the last round reaches the
 * threshold. maxChoices does not bound a ranking: instant runoff needs later preferences to transfer.
 */

const choiceSchema = z.object({ method: z.literal('ranked'), ranking: z.array(choiceOptionId).max(50) });
const countsSchema = z.object({ method: z.literal('ranked'), firstPreferences: z.record(z.string(), z.number()) });

export const ranked = {
  name: 'ranked',
  choiceSchema,
  countsSchema,
  labels: { name: 'governance.method.ranked', help: 'governance.methodHelp.ranked', report: 'reports.doc.method.ranked' },
  usesOptions: true,
  methodTerms: [],
  isQuorumBound: true,
  tieBreakRule: instantRunoffTieBreakRule,
  invalidReason: (choice, terms) => invalidOptionIds(choice.ranking, terms),
  count(choices, terms) {
    const optionIds = terms.options.map((option) => option.id);
    const runoff = instantRunoff(
      optionIds,
      choices.map((choice) => choice.ranking),
    );
    const first = runoff.rounds[0];
    const firstPreferences = Object.fromEntries(optionIds.map((id) => [id, first?.counts[id] ?? 0]));
    const last = runoff.rounds.at(-1);
    let outcome: Outcome;
    if (runoff.winnerId === null || !last) outcome = { status: 'failed', reason: 'no-votes', winnerId: null, tiedIds: [] };
    else if (!meetsShare((last.counts[runoff.winnerId] ?? 0) / last.continuing, terms.threshold))
      outcome = { status: 'failed', reason: 'threshold-not-met', winnerId: null, tiedIds: [] };
    else outcome = { status: 'passed', reason: 'threshold-met', winnerId: runoff.winnerId, tiedIds: [] };
    return { counts: { method: 'ranked', firstPreferences }, rounds: runoff.rounds, outcome };
  },
} as const satisfies DecisionMethod<z.infer<typeof choiceSchema>, z.infer<typeof countsSchema>>;
