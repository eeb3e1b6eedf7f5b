import type { TFunction } from 'i18next';

/** One instant-runoff round's heading, with counted words: one ballot reads "1 ballot", never "1 ballots". */
export function runoffRoundText(t: TFunction, n: number, round: { readonly continuing: number; readonly exhausted: number }): string {
  return t('governance.results.round', {
    n,
    continuing: t('governance.results.ballotsContinuing', { count: round.continuing }),
    exhausted: t('governance.results.ballotsExhausted', { count: round.exhausted }),
  });
}
