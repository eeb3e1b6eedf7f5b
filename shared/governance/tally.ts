import type { Choice } from '../records/ballot';
import type { ProposalProjection } from '../records/proposal';
import { canonicalJson } from './canonicalJson';
import { instantRunoff, type RunoffRound } from './instantRunoff';
import { invalidChoiceReason, MAX_SCORE, type InvalidChoiceReason } from './invalidChoiceReason';
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
 */

export interface TallyBallot {
  readonly orgId: string;
  readonly choice: Choice;
  readonly castAt: number;
  /** When the hub received it; null when it has not (yet). */
  readonly receivedAt: number | null;
}

export interface TallyInput {
  readonly proposal: ProposalProjection;
  readonly ballots: readonly TallyBallot[];
  readonly eligibleOrgIds: readonly string[];
  readonly now: number;
}

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

export type ConsentPosition = 'agree' | 'abstain' | 'disagree' | 'block';

export type TallyCounts =
  | { readonly method: 'consent'; readonly positions: Readonly<Record<ConsentPosition, number>> }
  | { readonly method: 'single' | 'multiple' | 'advice'; readonly votes: Readonly<Record<string, number>> }
  | { readonly method: 'ranked'; readonly firstPreferences: Readonly<Record<string, number>> }
  | {
      readonly method: 'score';
      readonly sums: Readonly<Record<string, number>>;
      readonly averages: Readonly<Record<string, number>>;
    };

export type ExclusionReason =
  | 'not-eligible'
  | 'cast-before-opening'
  | 'cast-after-closing'
  | 'received-after-grace'
  | 'superseded'
  | InvalidChoiceReason;

export interface BallotRef {
  readonly orgId: string;
  readonly castAt: number;
  readonly receivedAt: number | null;
}
export interface CountedBallot extends BallotRef {
  readonly isLate: boolean;
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

/** Shares are ratios of small integers; this keeps 3/10 >= 0.3 true despite floating point. */
const SHARE_EPSILON = 1e-9;

const meetsShare = (share: number, required: number): boolean => share + SHARE_EPSILON >= required;
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

function leaders(values: ReadonlyMap<string, number>): string[] {
  const max = Math.max(...values.values());
  return [...values].filter(([, value]) => value === max).map(([id]) => id);
}

function decideByLead(
  values: ReadonlyMap<string, number>,
  share: (leaderValue: number) => number,
  threshold: number,
): Outcome {
  const lead = leaders(values);
  const leadValue = values.get(lead[0] ?? '') ?? 0;
  if (lead.length === 0 || leadValue === 0) return { status: 'failed', reason: 'no-votes', winnerId: null, tiedIds: [] };
  if (lead.length > 1) return { status: 'undecided', reason: 'tie', winnerId: null, tiedIds: lead };
  if (!meetsShare(share(leadValue), threshold))
    return { status: 'failed', reason: 'threshold-not-met', winnerId: null, tiedIds: [] };
  return { status: 'passed', reason: 'threshold-met', winnerId: lead[0]!, tiedIds: [] };
}

function countChoices(proposal: ProposalProjection, choices: readonly Choice[]): {
  counts: TallyCounts;
  rounds: readonly RunoffRound[];
  outcome: Outcome;
} {
  const optionIds = proposal.options.map((option) => option.id);
  const zeroes = () => new Map(optionIds.map((id) => [id, 0]));
  const noRounds: readonly RunoffRound[] = [];
  switch (proposal.method) {
    case 'consent': {
      const positions: Record<ConsentPosition, number> = { agree: 0, abstain: 0, disagree: 0, block: 0 };
      for (const choice of choices) if (choice.method === 'consent') positions[choice.position] += 1;
      const counts: TallyCounts = { method: 'consent', positions };
      // Where blocks do not count, a block is a disagreement: it still weighs against passing.
      const nonAbstaining = positions.agree + positions.disagree + positions.block;
      let outcome: Outcome;
      if (proposal.blocksCount && positions.block > 0)
        outcome = { status: 'blocked', reason: 'blocked', winnerId: null, tiedIds: [] };
      else if (nonAbstaining === 0)
        outcome = { status: 'failed', reason: choices.length > 0 ? 'all-abstained' : 'no-votes', winnerId: null, tiedIds: [] };
      else if (meetsShare(positions.agree / nonAbstaining, proposal.threshold))
        outcome = { status: 'passed', reason: 'threshold-met', winnerId: null, tiedIds: [] };
      else outcome = { status: 'failed', reason: 'threshold-not-met', winnerId: null, tiedIds: [] };
      return { counts, rounds: noRounds, outcome };
    }
    case 'single':
    case 'multiple': {
      const votes = zeroes();
      for (const choice of choices) {
        const ids = choice.method === 'single' ? [choice.optionId] : choice.method === 'multiple' ? choice.optionIds : [];
        for (const id of ids) votes.set(id, (votes.get(id) ?? 0) + 1);
      }
      // The winner's share is of the ballots counted: for approval, of the ballots approving it.
      const outcome = decideByLead(votes, (lead) => lead / choices.length, proposal.threshold);
      return { counts: { method: proposal.method, votes: Object.fromEntries(votes) }, rounds: noRounds, outcome };
    }
    case 'advice': {
      const votes = zeroes();
      for (const choice of choices)
        if (choice.method === 'advice' && choice.optionId !== undefined) votes.set(choice.optionId, (votes.get(choice.optionId) ?? 0) + 1);
      const outcome: Outcome = { status: 'advisory', reason: 'advice-only', winnerId: null, tiedIds: [] };
      return { counts: { method: 'advice', votes: Object.fromEntries(votes) }, rounds: noRounds, outcome };
    }
    case 'ranked': {
      const rankings = choices.map((choice) => (choice.method === 'ranked' ? choice.ranking : []));
      const runoff = instantRunoff(optionIds, rankings);
      const first = runoff.rounds[0];
      const firstPreferences = Object.fromEntries(optionIds.map((id) => [id, first?.counts[id] ?? 0]));
      const last = runoff.rounds.at(-1);
      let outcome: Outcome;
      if (runoff.winnerId === null || !last) outcome = { status: 'failed', reason: 'no-votes', winnerId: null, tiedIds: [] };
      else if (!meetsShare((last.counts[runoff.winnerId] ?? 0) / last.continuing, proposal.threshold))
        outcome = { status: 'failed', reason: 'threshold-not-met', winnerId: null, tiedIds: [] };
      else outcome = { status: 'passed', reason: 'threshold-met', winnerId: runoff.winnerId, tiedIds: [] };
      return { counts: { method: 'ranked', firstPreferences }, rounds: runoff.rounds, outcome };
    }
    case 'score': {
      // An option a ballot leaves unscored scores 0 on it, so every option is averaged over the same
      // ballots and a handful of high scores cannot outrank broad support.
      const sums = zeroes();
      for (const choice of choices)
        if (choice.method === 'score')
          for (const [id, score] of Object.entries(choice.scores)) sums.set(id, (sums.get(id) ?? 0) + score);
      const averages = new Map([...sums].map(([id, sum]) => [id, choices.length > 0 ? sum / choices.length : 0]));
      // The threshold applies to the winner's average as a share of the highest score.
      const outcome = decideByLead(averages, (lead) => lead / MAX_SCORE, proposal.threshold);
      const counts: TallyCounts = { method: 'score', sums: Object.fromEntries(sums), averages: Object.fromEntries(averages) };
      return { counts, rounds: noRounds, outcome };
    }
  }
}

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
    if (!eligible.has(ballot.orgId)) exclude(ballot, 'not-eligible');
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
  }));

  const voted = counted.length;
  const share = eligible.size > 0 ? voted / eligible.size : 0;
  const isQuorumMet = meetsShare(share, proposal.quorum);
  const { counts, rounds, outcome } = countChoices(
    proposal,
    countedBallots.map((ballot) => ballot.choice),
  );

  return {
    method: proposal.method,
    outcome:
      isQuorumMet || proposal.method === 'advice'
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
