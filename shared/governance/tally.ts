import type { Choice } from '../records/ballot';
import type { Facilitation } from './countedCast';
import type { ProposalProjection } from '../records/proposal';
import { canonicalJson } from './canonicalJson';
import { methodFor, type TallyCounts } from './decisionMethods';
import type { RunoffRound } from './instantRunoff';
import { invalidChoiceReason } from './invalidChoiceReason';
import type { InvalidChoiceReason, Outcome } from './methods/decisionMethod';
import { meetsShare } from './methods/meetsShare';
import { graceEndsAt } from './proposalPhase';

/*
 * The tally of one proposal: a pure function of the proposal, the ballots, the eligible set and the
 * time. Nothing here reads a clock or depends on the order ballots are given in, so every replica
 * and the hub's seal compute the same result from the same ballots.
 *
 * Voting window: a ballot counts when cast in [opensAt, closesAt) and received by the hub no later
 * than closesAt + graceHours. A ballot received after closesAt is counted and marked late. A ballot
 * the hub has not received yet (receivedAt null) counts provisionally while it can still arrive in
 * time, and is excluded once the grace period has passed.
 *
 * Versions: a ballot cast on an earlier version of the proposal than its current `version` is
 * excluded as `earlier-version` until its organization confirms or replaces it on the current one.
 */

export interface TallyBallot {
  readonly orgId: string;
  readonly choice: Choice;
  readonly castAt: number;
  /** When the hub received it; null when it has not (yet). */
  readonly receivedAt: number | null;
  /** The proposal version it was cast on; 1 when left out. */
  readonly proposalVersion?: number;
  readonly reason?: string;
  /** Set when a facilitator recorded it for the organization. */
  readonly facilitation?: Facilitation | null;
}

export interface TallyInput {
  readonly proposal: ProposalProjection;
  readonly ballots: readonly TallyBallot[];
  readonly eligibleOrgIds: readonly string[];
  readonly now: number;
}

export type ExclusionReason =
  | 'not-eligible'
  | 'cast-before-opening'
  | 'cast-after-closing'
  | 'received-after-grace'
  | 'superseded'
  | 'earlier-version'
  | InvalidChoiceReason;

export interface BallotRef {
  readonly orgId: string;
  readonly castAt: number;
  readonly receivedAt: number | null;
}
export interface CountedBallot extends BallotRef {
  readonly isLate: boolean;
  readonly choice: Choice;
  /** The reason given with the position; '' when none. */
  readonly reason: string;
  readonly facilitation: Facilitation | null;
}
export interface ExcludedBallot extends BallotRef {
  readonly reason: ExclusionReason;
}

export interface TallyResult {
  readonly method: ProposalProjection['method'];
  readonly outcome: Outcome;
  readonly counts: TallyCounts;
  /** Instant-runoff rounds; empty for every other method. */
  readonly rounds: readonly RunoffRound[];
  readonly participation: { readonly eligible: number; readonly voted: number; readonly share: number };
  readonly isQuorumMet: boolean;
  /** True until closing plus the grace period: until then ballots may still change or arrive. */
  readonly isProvisional: boolean;
  /** Eligible organizations with no counted ballot. */
  readonly notHeardFrom: number;
  /** One per organization, sorted by orgId. */
  readonly counted: readonly CountedBallot[];
  readonly lateBallots: readonly CountedBallot[];
  /** Sorted by orgId, castAt, receivedAt, reason; identical entries appear once. */
  readonly excluded: readonly ExcludedBallot[];
}


const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareRefs = (a: BallotRef, b: BallotRef): number =>
  byCodeUnits(a.orgId, b.orgId) || a.castAt - b.castAt || (a.receivedAt ?? Infinity) - (b.receivedAt ?? Infinity);

interface Candidate extends TallyBallot {
  readonly choiceKey: string;
}

/**
 * Copies of one ballot (same org, cast time and choice) collapse into one, keeping the earliest
 * arrival: the hub received the ballot then, whatever copies came after.
 */
function collapseCopies(ballots: readonly TallyBallot[]): Candidate[] {
  const byKey = new Map<string, Candidate>();
  for (const ballot of ballots) {
    const choiceKey = canonicalJson(ballot.choice);
    const key = canonicalJson([ballot.orgId, ballot.castAt, choiceKey]);
    const seen = byKey.get(key);
    const arrival = ballot.receivedAt ?? Infinity;
    if (!seen || arrival < (seen.receivedAt ?? Infinity)) byKey.set(key, { ...ballot, choiceKey });
  }
  return [...byKey.values()];
}

/** Later cast wins; two different choices cast at the same instant fall to the greater canonical JSON. */
const isNewer = (a: Candidate, b: Candidate): boolean =>
  a.castAt !== b.castAt ? a.castAt > b.castAt : a.choiceKey > b.choiceKey;

export function tally(input: TallyInput): TallyResult {
  const { proposal, now } = input;
  const graceEnd = graceEndsAt(proposal);
  const eligible = new Set(input.eligibleOrgIds);
  const excluded = new Map<string, ExcludedBallot>();
  const exclude = (ballot: TallyBallot, reason: ExclusionReason) => {
    const entry: ExcludedBallot = { orgId: ballot.orgId, castAt: ballot.castAt, receivedAt: ballot.receivedAt, reason };
    excluded.set(canonicalJson(entry), entry);
  };

  const latest = new Map<string, Candidate>();
  for (const ballot of collapseCopies(input.ballots)) {
    const arrival = ballot.receivedAt ?? (now <= graceEnd ? null : Infinity);
    const invalid = invalidChoiceReason(ballot.choice, proposal);
    const version = proposal.version ?? 1;
    if (!eligible.has(ballot.orgId)) exclude(ballot, 'not-eligible');
    else if ((ballot.proposalVersion ?? 1) !== version) exclude(ballot, 'earlier-version');
    else if (ballot.castAt < proposal.opensAt) exclude(ballot, 'cast-before-opening');
    else if (ballot.castAt >= proposal.closesAt) exclude(ballot, 'cast-after-closing');
    else if (arrival !== null && arrival > graceEnd) exclude(ballot, 'received-after-grace');
    else if (invalid) exclude(ballot, invalid);
    else {
      const current = latest.get(ballot.orgId);
      if (!current) latest.set(ballot.orgId, ballot);
      else if (isNewer(ballot, current)) {
        exclude(current, 'superseded');
        latest.set(ballot.orgId, ballot);
      } else exclude(ballot, 'superseded');
    }
  }

  const countedBallots = [...latest.values()].sort(compareRefs);
  const counted: CountedBallot[] = countedBallots.map((ballot) => ({
    orgId: ballot.orgId,
    castAt: ballot.castAt,
    receivedAt: ballot.receivedAt,
    // Not received yet, after closing: whenever it arrives, it arrives late.
    isLate: (ballot.receivedAt ?? now) > proposal.closesAt,
    choice: ballot.choice,
    reason: ballot.reason ?? '',
    facilitation: ballot.facilitation ?? null,
  }));

  const voted = counted.length;
  const share = eligible.size > 0 ? voted / eligible.size : 0;
  const isQuorumMet = meetsShare(share, proposal.quorum);
  // Every counted choice passed invalidChoiceReason, so it is of the proposal's method.
  const method = methodFor(proposal.method);
  const { counts, rounds, outcome } = method.count(
    countedBallots.map((ballot) => ballot.choice),
    proposal,
  );

  return {
    method: proposal.method,
    outcome:
      isQuorumMet || !method.isQuorumBound
        ? outcome
        : { status: 'no-quorum', reason: 'quorum-not-met', winnerId: null, tiedIds: [] },
    counts,
    rounds,
    participation: { eligible: eligible.size, voted, share },
    isQuorumMet,
    isProvisional: now <= graceEnd,
    notHeardFrom: eligible.size - voted,
    counted,
    lateBallots: counted.filter((ballot) => ballot.isLate),
    excluded: [...excluded.values()].sort((a, b) => compareRefs(a, b) || byCodeUnits(a.reason, b.reason)),
  };
}
