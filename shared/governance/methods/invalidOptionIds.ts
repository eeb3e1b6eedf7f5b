import type { InvalidChoiceReason, MethodTerms } from './decisionMethod';

/** Why a list of option ids from a ballot cannot count: an id the proposal lacks, or one named twice. */
export function invalidOptionIds(ids: readonly string[], terms: Pick<MethodTerms, 'options'>): InvalidChoiceReason | null {
  const known = new Set(terms.options.map((option) => option.id));
  if (ids.some((id) => !known.has(id))) return 'unknown-option';
  if (new Set(ids).size !== ids.length) return 'duplicate-option';
  return null;
}

