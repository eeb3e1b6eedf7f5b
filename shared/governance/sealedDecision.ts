import type { BallotProjection } from '../records/ballot';
import type { ProposalProjection } from '../records/proposal';
import { SEALED_DECISION_FORMAT, SEALED_DECISION_VERSION, type SealedDecision, type SealedReason, type SealedTerms } from '../records/result';
import { ballotReceipt } from './ballotReceipt';
import { canonicalJson } from './canonicalJson';
import { countedCast, type Cast, type CastSource } from './countedCast';
import { tally, type TallyBallot, type TallyResult } from './tally';

/*
 * What the hub seals for a proposal: the tally at `sealedAt` (after closing plus grace, so nothing
 * is provisional), each counted ballot as its receipt, and the exclusions with their reasons.
 * Pure: the hub calls it with the ballots it holds and its own arrival times, and signs the
 * canonical JSON (sealPayload) with its key.
 */

export interface SealBallot {
  readonly orgId: string;
  readonly ballot: CastSource & Partial<Pick<BallotProjection, 'receiptSalt'>>;
  /** The hub's first receipt of each cast, by cast time (a revision's `at`). */
  readonly arrivals: ReadonlyMap<number, number>;
}

export interface SealInput {
  readonly proposalId: string;
  readonly proposal: ProposalProjection;
  readonly ballots: readonly SealBallot[];
  readonly eligibleOrgIds: readonly string[];
  readonly sealedAt: number;
}

export function sealedTerms(proposal: ProposalProjection): SealedTerms {
  const { title, method, options, maxChoices, blocksCount, eligible, opensAt, closesAt, graceHours, quorum, threshold, secrecy } = proposal;
  return { title, method, options, maxChoices, blocksCount, eligible, opensAt, closesAt, graceHours, quorum, threshold, secrecy };
}

/** The sealed tally: everything of a TallyResult but the per-ballot lists and the provisional flag. */
export function sealedTally(result: TallyResult): SealedDecision['tally'] {
  const { method, outcome, counts, rounds, participation, isQuorumMet, notHeardFrom } = result;
  return {
    method,
    outcome: { ...outcome, tiedIds: [...outcome.tiedIds] },
    counts: JSON.parse(JSON.stringify(counts)) as SealedDecision['tally']['counts'],
    rounds: rounds.map((round) => ({ ...round, counts: { ...round.counts }, eliminated: round.eliminated ? { ...round.eliminated } : null })),
    participation: { ...participation },
    isQuorumMet,
    notHeardFrom,
  };
}

export function sealedDecision(input: SealInput): SealedDecision {
  const { proposalId, proposal } = input;
  const isSecret = proposal.secrecy === 'secret';
  const casts = new Map<string, TallyBallot & { readonly salt: string }>();
  for (const { orgId, ballot, arrivals } of input.ballots) {
    const cast = countedCast(ballot, proposal.version);
    if (cast) casts.set(orgId, { ...tallyBallotOf(orgId, cast, arrivals.get(cast.castAt) ?? null), salt: ballot.receiptSalt ?? '' });
  }
  const result = tally({ proposal, ballots: [...casts.values()].map(({ salt: _salt, ...ballot }) => ballot), eligibleOrgIds: input.eligibleOrgIds, now: input.sealedAt });
  return {
    format: SEALED_DECISION_FORMAT,
    version: SEALED_DECISION_VERSION,
    proposalId,
    terms: sealedTerms(proposal),
    eligibleOrgIds: [...new Set(input.eligibleOrgIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    tally: sealedTally(result),
    counted: result.counted.map((counted) => {
      const cast = casts.get(counted.orgId)!;
      return {
        orgId: counted.orgId,
        receipt: ballotReceipt({ proposalId, orgId: counted.orgId, choice: cast.choice, castAt: cast.castAt, salt: cast.salt }),
        isLate: counted.isLate,
        receivedAt: counted.receivedAt,
        castAt: isSecret ? null : counted.castAt,
        ...(isSecret ? {} : { reason: counted.reason, facilitation: counted.facilitation }),
      };
    }),
    excluded: result.excluded.map((excluded) => ({
      orgId: excluded.orgId,
      reason: excluded.reason,
      receivedAt: excluded.receivedAt,
      castAt: isSecret ? null : excluded.castAt,
    })),
    reasons: sealedReasons(result, isSecret),
    proposalVersion: proposal.version,
    sealedAt: input.sealedAt,
  };
}

/** A counted cast as the tally takes it. */
export function tallyBallotOf(orgId: string, cast: Cast, receivedAt: number | null): TallyBallot {
  return { orgId, choice: cast.choice, castAt: cast.castAt, receivedAt, proposalVersion: cast.proposalVersion, reason: cast.reason, facilitation: cast.facilitation };
}

/** The reasons given with counted positions; under secret ballots without their organizations. */
export function sealedReasons(result: Pick<TallyResult, 'counted'>, isSecret: boolean): SealedReason[] {
  const reasons = result.counted
    .filter((counted) => counted.reason.trim() !== '')
    .map((counted): SealedReason => ({ orgId: isSecret ? null : counted.orgId, choice: counted.choice, reason: counted.reason }));
  return isSecret ? reasons.sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1)) : reasons;
}

/** The canonical text the hub signs and stores as a result's payload. */
export function sealPayload(decision: SealedDecision): string {
  return canonicalJson(decision);
}
