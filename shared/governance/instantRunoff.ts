/*
 * Instant runoff over rankings. Each round counts every ballot for its highest-ranked option still
 * in the race; a ballot that ranks none of them is exhausted and leaves the count. An option with
 * more than half of the continuing ballots wins; otherwise exactly one option is eliminated, by the
 * rule in `instantRunoffTieBreakRule`, and the next round begins.
 */

export const instantRunoffTieBreakRule =
  'Each round eliminates exactly one option: the one with the fewest votes in that round. ' +
  'If several options share the fewest votes, the one among them with the fewest votes in the previous round is eliminated; ' +
  'if still tied, the one with the lowest total of votes summed over all rounds so far (this one included); ' +
  'if still tied, the one whose option id comes last in character-code order. ' +
  'An option wins as soon as it holds more than half of the ballots still ranking an option in the race.';

export type EliminationReason = 'fewest-votes' | 'previous-round' | 'total-across-rounds' | 'option-id-order';

export interface RunoffRound {
  /** Votes per option still in the race at the start of this round, in the proposal's option order. */
  readonly counts: Readonly<Record<string, number>>;
  /** Ballots that still rank an option in the race. */
  readonly continuing: number;
  readonly exhausted: number;
  readonly winnerId: string | null;
  readonly eliminated: { readonly optionId: string; readonly reason: EliminationReason } | null;
}

export interface RunoffResult {
  readonly rounds: readonly RunoffRound[];
  /** Null only when no ballot ranks any option. */
  readonly winnerId: string | null;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Narrows `tied` to those with the lowest `score`; returns the survivors of that narrowing. */
function lowest(tied: readonly string[], score: (id: string) => number): string[] {
  const min = Math.min(...tied.map(score));
  return tied.filter((id) => score(id) === min);
}

export function instantRunoff(optionIds: readonly string[], rankings: readonly (readonly string[])[]): RunoffResult {
  const active = new Set(optionIds);
  const rounds: RunoffRound[] = [];
  const totals = new Map(optionIds.map((id) => [id, 0]));

  for (;;) {
    const counts = new Map([...active].map((id) => [id, 0]));
    let exhausted = 0;
    for (const ranking of rankings) {
      const top = ranking.find((id) => active.has(id));
      if (top === undefined) exhausted += 1;
      else counts.set(top, (counts.get(top) ?? 0) + 1);
    }
    const continuing = rankings.length - exhausted;
    for (const [id, count] of counts) totals.set(id, (totals.get(id) ?? 0) + count);
    const countsRecord = Object.fromEntries(optionIds.filter((id) => active.has(id)).map((id) => [id, counts.get(id) ?? 0]));

    const majority = [...counts].find(([, count]) => count * 2 > continuing);
    if (majority || continuing === 0 || active.size === 0) {
      const winnerId = majority ? majority[0] : null;
      rounds.push({ counts: countsRecord, continuing, exhausted, winnerId, eliminated: null });
      return { rounds, winnerId };
    }

    const previous = rounds.at(-1);
    let tied = lowest([...active], (id) => counts.get(id) ?? 0);
    let reason: EliminationReason = 'fewest-votes';
    if (tied.length > 1 && previous) {
      tied = lowest(tied, (id) => previous.counts[id] ?? 0);
      reason = 'previous-round';
    }
    if (tied.length > 1) {
      tied = lowest(tied, (id) => totals.get(id) ?? 0);
      reason = 'total-across-rounds';
    }
    if (tied.length > 1) {
      tied = [[...tied].sort(byCodeUnits).at(-1)!];
      reason = 'option-id-order';
    }
    const optionId = tied[0]!;
    rounds.push({ counts: countsRecord, continuing, exhausted, winnerId: null, eliminated: { optionId, reason } });
    active.delete(optionId);
  }
}
