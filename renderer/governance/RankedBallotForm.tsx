import type { BallotFormProps } from './ballotForms';
import { RankedBallot } from './RankedBallot';
import { initialRanking } from './rankedOrder';

/** Ranked choice: every option in order of preference, reordered with RankedBallot. */
export function RankedBallotForm({ proposal, choice, labels, isDisabled, onChange }: BallotFormProps<'ranked'>) {
  const ranking = initialRanking(
    proposal.options.map((o) => o.id),
    choice?.ranking ?? [],
  );
  return <RankedBallot ranking={ranking} labels={labels} isDisabled={isDisabled} onChange={(next) => onChange({ method: 'ranked', ranking: next })} />;
}
