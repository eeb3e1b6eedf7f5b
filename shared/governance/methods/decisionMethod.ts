import type { z } from 'zod';
import type { RunoffRound } from '../instantRunoff';

/*
 * What a decision method is: the shape of a ballot's choice, why a choice cannot count under a
 * proposal's terms, how the counted choices become counts and an outcome, and the words the screens
 * and reports use for it. One module per method (consent.ts, single.ts, ...); decisionMethods.ts
 * registers them, and the tally, the hub's policy, the record schemas and the UI look them up there.
 */

export type InvalidChoiceReason = 'wrong-method' | 'unknown-option' | 'duplicate-option' | 'too-many-choices' | 'score-out-of-range';

export type OutcomeStatus = 'passed' | 'failed' | 'blocked' | 'no-quorum' | 'undecided' | 'advisory';
export type OutcomeReason =
  | 'quorum-not-met'
  | 'blocked'
  | 'threshold-met'
  | 'threshold-not-met'
  | 'all-abstained'
  | 'no-votes'
  | 'tie'
  | 'advice-only';

export interface Outcome {
  readonly status: OutcomeStatus;
  readonly reason: OutcomeReason;
  /** The winning option on a passed single, multiple, ranked or score poll; otherwise null. */
  readonly winnerId: string | null;
  /** Options sharing the lead when the status is undecided because of a tie. */
  readonly tiedIds: readonly string[];
}

/** The proposal's terms a method reads (a subset of the proposal's projection). */
export interface MethodTerms {
  readonly options: readonly { readonly id: string }[];
  readonly maxChoices: number;
  readonly blocksCount: boolean;
  readonly threshold: number;
}

export type MethodTerm = 'maxChoices' | 'blocksCount';

export interface MethodCount<K> {
  readonly counts: K;
  /** Instant-runoff rounds; empty for every other method. */
  readonly rounds: readonly RunoffRound[];
  /** Before the quorum rule: tally.ts turns it into no-quorum where the method is bound by quorum. */
  readonly outcome: Outcome;
}

export interface DecisionMethod<C extends { readonly method: string }, K extends { readonly method: string }> {
  readonly name: C['method'];
  /** One member of the ballot's choice union (records/ballot.ts). */
  readonly choiceSchema: z.ZodType<C>;
  /** One member of the sealed counts union (records/result.ts). */
  readonly countsSchema: z.ZodType<K>;
  /** i18n keys: the method's name and help on the governance screens, its name in reports. */
  readonly labels: { readonly name: string; readonly help: string; readonly report: string };
  /** Whether ballots choose among the proposal's options (a consent poll has none). */
  readonly usesOptions: boolean;
  /** The proposal's terms beyond the common ones that this method reads, so the editor shows them. */
  readonly methodTerms: readonly MethodTerm[];
  /** Whether a poll without quorum has no outcome; advice is given whoever takes part. */
  readonly isQuorumBound: boolean;
  /** The written tie-break rule the decision record prints; null where the method needs none. */
  readonly tieBreakRule: string | null;
  /**
   * Why a choice of this method cannot count under these terms, or null when it can. The choice
   * schema already bounds shapes; this checks the proposal's own terms, which a ballot written
   * offline against an older copy of the proposal may not match.
   */
  invalidReason(choice: C, terms: MethodTerms): InvalidChoiceReason | null;
  /** Counts choices that passed invalidReason, one per organization, in orgId order. */
  count(choices: readonly C[], terms: MethodTerms): MethodCount<K>;
}
