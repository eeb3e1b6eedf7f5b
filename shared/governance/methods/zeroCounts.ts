import type { MethodTerms } from './decisionMethod';

/** The proposal's option ids, each with a zero count, in the proposal's order. */
export const zeroCounts = (terms: Pick<MethodTerms, 'options'>): Map<string, number> => new Map(terms.options.map((option) => [option.id, 0]));
