import type { Choice } from '../records/ballot';
import type { ProposalProjection } from '../records/proposal';

export type InvalidChoiceReason =
  | 'wrong-method'
  | 'unknown-option'
  | 'duplicate-option'
  | 'too-many-choices'
  | 'score-out-of-range';

export const MAX_SCORE = 5;

/**
 * Why a choice cannot be counted under this proposal, or null when it can. The ballot schema
 * already bounds shapes; this checks the choice against the proposal's own terms, which a ballot
 * written offline against an older copy of the proposal may not match.
 *
 * maxChoices bounds approval (multiple) ballots only: a ranked ballot may rank every option, since
 * instant runoff needs later preferences to transfer.
 */
export function invalidChoiceReason(
  choice: Choice,
  proposal: Pick<ProposalProjection, 'method' | 'options' | 'maxChoices'>,
): InvalidChoiceReason | null {
  if (choice.method !== proposal.method) return 'wrong-method';
  const known = new Set(proposal.options.map((option) => option.id));
  const checkIds = (ids: readonly string[]): InvalidChoiceReason | null => {
    if (ids.some((id) => !known.has(id))) return 'unknown-option';
    if (new Set(ids).size !== ids.length) return 'duplicate-option';
    return null;
  };
  switch (choice.method) {
    case 'consent':
      return null;
    case 'single':
      return checkIds([choice.optionId]);
    case 'multiple':
      return checkIds(choice.optionIds) ?? (choice.optionIds.length > proposal.maxChoices ? 'too-many-choices' : null);
    case 'ranked':
      return checkIds(choice.ranking);
    case 'score': {
      const entries = Object.entries(choice.scores);
      return (
        checkIds(entries.map(([id]) => id)) ??
        (entries.some(([, score]) => !Number.isInteger(score) || score < 0 || score > MAX_SCORE) ? 'score-out-of-range' : null)
      );
    }
    case 'advice':
      return choice.optionId === undefined ? null : checkIds([choice.optionId]);
  }
}
