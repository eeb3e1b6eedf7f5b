import { z } from 'zod';
import { advice } from './methods/advice';
import { consent } from './methods/consent';
import type { DecisionMethod } from './methods/decisionMethod';
import { multiple } from './methods/multiple';
import { ranked } from './methods/ranked';
import { score } from './methods/score';
import { single } from './methods/single';

/*
 * The decision methods, one module each (methods/). Everything that depends on the method looks it
 * up here: the ballot's choice schema and the sealed counts schema (records/), the tally and the
 * validation of a choice that the client and the hub both run, the decision record and the screens.
 * Adding a method is one module in methods/, one line here and in the two unions below, its ballot
 * form (renderer/governance/ballotForms.ts) and its words in the catalogs, plus a case where counts
 * are presented (ResultsView's charts, decisionRecordReport's tables: both switches fail to
 * type-check until they have one).
 */

/** Listed in the order the screens offer them. */
export const decisionMethods = { consent, single, multiple, ranked, score, advice } as const;

export type DecisionMethodName = keyof typeof decisionMethods;
export const decisionMethodNames = Object.keys(decisionMethods) as DecisionMethodName[];

/** What a ballot can hold: one member per method. */
export const choiceSchema = z.discriminatedUnion('method', [
  consent.choiceSchema,
  single.choiceSchema,
  multiple.choiceSchema,
  ranked.choiceSchema,
  score.choiceSchema,
  advice.choiceSchema,
]);
export type Choice = z.infer<typeof choiceSchema>;

/** A tally's counts: one member per method. */
export const tallyCountsSchema = z.discriminatedUnion('method', [
  consent.countsSchema,
  single.countsSchema,
  multiple.countsSchema,
  ranked.countsSchema,
  score.countsSchema,
  advice.countsSchema,
]);
export type TallyCounts = z.infer<typeof tallyCountsSchema>;

export type AnyDecisionMethod = DecisionMethod<Choice, TallyCounts>;

/**
 * The method's module, in the type-erased view that code handling any method uses. Hazard: its
 * invalidReason and count take only choices of this very method (method parameters are bivariant,
 * so the erased view type-checks with any Choice); check `choice.method` first, as
 * invalidChoiceReason does and the tally does through it.
 */
export function methodFor(name: DecisionMethodName): AnyDecisionMethod {
  return decisionMethods[name];
}

