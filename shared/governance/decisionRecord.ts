import { ballotTermsOf, type BallotProjection } from '../records/ballot';
import type { Member, NetworkProjection } from '../records/network';
import { earlierOutcomes, type OutcomeStatement, type ProposalProjection, type ProposalStateChange, type ProposalVersionEntry } from '../records/proposal';
import type { ResultProjection, SealedReason, SealedTally } from '../records/result';
import type { Role } from '../records/recordType';
import { ballotReceipt } from './ballotReceipt';
import { countedCast, needsConfirmation, type CastSource, type Facilitation } from './countedCast';
import { votersOf } from './voters';
import { methodFor } from './decisionMethods';
import { decisionPhase, graceEndsAt, type DecisionPhase } from './proposalPhase';
import { sealedReasons, sealedTally, tallyBallotOf } from './sealedDecision';
import { tally, type TallyBallot } from './tally';
import { verifySeal, type SealVerification } from './verifySeal';

/*
 * The decision record of one proposal as a view model, for the governance screens and the
 * reports alike: what was decided, how, by whom, and whether the hub's seal holds. Before sealing
 * it is the provisional tally of the ballots this device can read; after sealing it is the sealed
 * result, and local ballots no longer change it. Pure: no clock, no store.
 */

export interface DecisionRecordBallot {
  readonly orgId: string;
  readonly ballot: CastSource & Partial<Pick<BallotProjection, 'receiptSalt'>>;
  /** When the hub received the counted cast, where known; null for a ballot not yet sent. */
  readonly receivedAt: number | null;
}

export interface DecisionRecordInput {
  readonly proposalId: string;
  readonly proposal: ProposalProjection;
  readonly network: Pick<NetworkProjection, 'members' | 'hubKey'>;
  /** The sealed result record, once it has synced. */
  readonly result: ResultProjection | null;
  /** The ballots this device can read (under secret ballots: its own, or all for the secretariat). */
  readonly ballots: readonly DecisionRecordBallot[];
  readonly now: number;
  /** Who is looking: decides whether an after-close poll's provisional tally may be shown. */
  readonly viewer?: { readonly orgId: string; readonly role: Role };
  /**
   * The hub key to trust; by default the network record's. A report may pass a key printed by the
   * hub instead.
   */
  readonly trustedHubKey?: string;
}

export interface DecisionVoter {
  readonly orgId: string;
  /** From the network's member list; the id when the organization is not listed. */
  readonly name: string;
  readonly isEligible: boolean;
  readonly hasVoted: boolean;
  readonly isLate: boolean;
  readonly receipt: string | null;
  readonly receivedAt: number | null;
  /** Its latest cast was on an earlier version of the proposal: it does not count until confirmed. */
  readonly needsConfirmation: boolean;
  /** Set when the counted cast was recorded by a facilitator. */
  readonly facilitation: Facilitation | null;
}

/** A reason given with a counted position, with the organization's name when the ballot is open. */
export interface DecisionReason {
  readonly orgId: string | null;
  readonly name: string | null;
  readonly choice: SealedReason['choice'];
  readonly reason: string;
}

export interface DecisionExclusion {
  readonly orgId: string;
  readonly name: string;
  readonly reason: string;
}

export interface DecisionRecordView {
  readonly proposalId: string;
  readonly title: string;
  readonly description: string;
  readonly method: ProposalProjection['method'];
  readonly options: ProposalProjection['options'];
  readonly terms: {
    readonly opensAt: number;
    readonly closesAt: number;
    readonly graceHours: number;
    readonly graceEndsAt: number;
    readonly quorum: number;
    readonly threshold: number;
    readonly secrecy: ProposalProjection['secrecy'];
    readonly resultsVisibility: ProposalProjection['resultsVisibility'];
    readonly blocksCount: boolean;
    readonly maxChoices: number;
    readonly eligible: ProposalProjection['eligible'];
  };
  /** The written tie-break rule of instant runoff; null for other methods. */
  readonly tieBreakRule: string | null;
  readonly phase: DecisionPhase;
  /** True until the sealed result is here: the tally may still change. */
  readonly isProvisional: boolean;
  /** True when results are shown only after closing and this viewer may not see them yet. */
  readonly isTallyHidden: boolean;
  /** The tally (sealed, or provisional from local ballots); null when hidden or before opening. */
  readonly tally: SealedTally | null;
  /** Every eligible organization, and any other that has a counted or excluded ballot, by name. */
  readonly voters: readonly DecisionVoter[];
  readonly lateBallots: readonly DecisionVoter[];
  readonly excluded: readonly DecisionExclusion[];
  /** Reasons given with counted positions (blocks always carry one); none while the tally is hidden. */
  readonly reasons: readonly DecisionReason[];
  /** The proposal's current version and who changed what between versions. */
  readonly version: number;
  readonly history: readonly ProposalVersionEntry[];
  /** Opening and cancelling, with the reasons given. */
  readonly stateChanges: readonly ProposalStateChange[];
  /** What was decided, who does what, when to review; written after sealing. */
  readonly outcomeStatement: OutcomeStatement | null;
  /** The statements it amended, newest first (a written statement is never erased, only amended). */
  readonly earlierOutcomeStatements: readonly OutcomeStatement[];
  /** Null before sealing. */
  readonly seal: (SealVerification & { readonly sealedAt: number; readonly hubKey: string; readonly signature: string }) | null;
  /**
   * What a screen or report may say about the outcome. Only the hub's sealed result has one:
   * before it, a device knows the ballots it has seen, never what the hub counted.
   */
  readonly standing: DecisionStanding;
}

/**
 * Where a decision stands as this device can know it. `seen`: eligible organizations whose ballot
 * this device holds; `notHeardFrom`: eligible ones it holds none from (0 when everyone voted).
 */
export type DecisionStanding =
  /** Draft, cancelled or not yet open: nothing to count. */
  | { readonly kind: 'not-open' }
  /** Voting is open: whatever the tally shows so far is no outcome. */
  | { readonly kind: 'open'; readonly seen: number; readonly notHeardFrom: number }
  /** Voting has closed; the hub's sealed result has not reached this device. */
  | { readonly kind: 'awaiting-seal'; readonly seen: number; readonly notHeardFrom: number; readonly sealsAfter: number }
  /** The hub's sealed result: the outcome (null when the sealed record does not read), and how a tie was met. */
  | { readonly kind: 'sealed'; readonly outcome: SealedTally['outcome'] | null; readonly tie: DecisionTie | null };

/**
 * A tie and the rule that met it: a tie for the lead is never broken (the decision is undecided);
 * instant runoff breaks ties for elimination by its written rule, named per round.
 */
export type DecisionTie =
  | { readonly kind: 'lead'; readonly tiedIds: readonly string[] }
  | { readonly kind: 'elimination'; readonly rounds: readonly { readonly round: number; readonly optionId: string; readonly rule: 'previous-round' | 'total-across-rounds' | 'option-id-order' }[] };

function tieOf(tally: SealedTally): DecisionTie | null {
  if (tally.outcome.reason === 'tie' || tally.outcome.tiedIds.length > 0) return { kind: 'lead', tiedIds: tally.outcome.tiedIds };
  const rounds = tally.rounds.flatMap((round, index) => {
    const rule = round.eliminated?.reason;
    return round.eliminated && rule && rule !== 'fewest-votes' ? [{ round: index + 1, optionId: round.eliminated.optionId, rule }] : [];
  });
  return rounds.length > 0 ? { kind: 'elimination', rounds } : null;
}

const byName = (a: { name: string; orgId: string }, b: { name: string; orgId: string }): number =>
  a.name.localeCompare(b.name) || (a.orgId < b.orgId ? -1 : a.orgId > b.orgId ? 1 : 0);

export function decisionRecord(input: DecisionRecordInput): DecisionRecordView {
  const { proposal, proposalId, result, now } = input;
  const names = new Map<string, string>(input.network.members.map((member: Member) => [member.orgId, member.name]));
  const nameOf = (orgId: string): string => names.get(orgId) || orgId;
  const phase = decisionPhase(proposal, now, result !== null);
  const base = {
    proposalId,
    title: proposal.title,
    description: proposal.description,
    method: proposal.method,
    options: proposal.options,
    terms: {
      opensAt: proposal.opensAt,
      closesAt: proposal.closesAt,
      graceHours: proposal.graceHours,
      graceEndsAt: graceEndsAt(proposal),
      quorum: proposal.quorum,
      threshold: proposal.threshold,
      secrecy: proposal.secrecy,
      resultsVisibility: proposal.resultsVisibility,
      blocksCount: proposal.blocksCount,
      maxChoices: proposal.maxChoices,
      eligible: proposal.eligible,
    },
    tieBreakRule: methodFor(proposal.method).tieBreakRule,
    version: proposal.version ?? 1,
    history: proposal.history ?? [],
    stateChanges: proposal.stateChanges ?? [],
    outcomeStatement: proposal.outcome ?? null,
    earlierOutcomeStatements: earlierOutcomes(proposal.outcomeRevisions ?? []),
  };
  const reasonsOf = (reasons: readonly SealedReason[]): DecisionReason[] =>
    reasons.map((reason) => ({ ...reason, name: reason.orgId === null ? null : nameOf(reason.orgId) }));
  const ballotsByOrg = new Map(input.ballots.map((held) => [held.orgId, held.ballot]));
  const confirmationOf = (orgId: string): boolean => {
    const ballot = ballotsByOrg.get(orgId);
    return ballot !== undefined && needsConfirmation(ballot, proposal.version ?? 1);
  };

  if (result) {
    const check = verifySeal(result, input.trustedHubKey ?? input.network.hubKey);
    const eligible = new Set(result.eligibleOrgIds);
    const counted = new Map(result.counted.map((ballot) => [ballot.orgId, ballot]));
    const ids = new Set([...result.eligibleOrgIds, ...result.counted.map((ballot) => ballot.orgId)]);
    const voters = [...ids]
      .map((orgId): DecisionVoter => {
        const ballot = counted.get(orgId);
        return {
          orgId,
          name: nameOf(orgId),
          isEligible: eligible.has(orgId),
          hasVoted: ballot !== undefined,
          isLate: ballot?.isLate ?? false,
          receipt: ballot?.receipt ?? null,
          receivedAt: ballot?.receivedAt ?? null,
          needsConfirmation: ballot === undefined && confirmationOf(orgId),
          facilitation: ballot?.facilitation ?? null,
        };
      })
      .sort(byName);
    return {
      ...base,
      phase,
      isProvisional: false,
      isTallyHidden: false,
      tally: result.tally,
      voters,
      lateBallots: voters.filter((voter) => voter.isLate),
      excluded: result.excluded.map((excluded) => ({ orgId: excluded.orgId, name: nameOf(excluded.orgId), reason: excluded.reason })),
      reasons: reasonsOf(result.reasons ?? []),
      seal: { ...check, sealedAt: result.sealedAt, hubKey: result.hubKey, signature: result.signature },
      standing: { kind: 'sealed', outcome: result.tally?.outcome ?? null, tie: result.tally ? tieOf(result.tally) : null },
    };
  }

  // Provisional: the tally of what this device holds, as it stands now.
  const eligibleIds = votersOf(proposal, input.network.members);
  const casts = new Map<string, TallyBallot>();
  const salts = new Map<string, string>();
  for (const { orgId, ballot, receivedAt } of input.ballots) {
    const cast = countedCast(ballot, proposal.version ?? 1);
    if (cast) casts.set(orgId, tallyBallotOf(orgId, cast, receivedAt));
    salts.set(orgId, ballot.receiptSalt ?? '');
  }
  // A device rarely knows when the hub received a ballot: one of unknown arrival is counted as
  // seen, never dropped as "received after grace" (only the hub knows, and its seal will say).
  const graceEnd = graceEndsAt(proposal);
  const provisional = tally({ proposal, ballots: [...casts.values()], eligibleOrgIds: eligibleIds, now: Math.min(now, graceEnd) });
  const isRunner = input.viewer?.role === 'secretariat';
  // An after-close poll's ballots reach no other organization but the secretariat until the seal
  // publishes them (ballot.ts `isWithheld`), so a member's tally, after closing too, would count
  // its own ballot alone: hidden until the sealed result (above) says it all.
  const isTallyHidden = !isRunner && ballotTermsOf(proposal).isWithheld;
  const showsTally = !isTallyHidden && phase !== 'draft' && phase !== 'cancelled' && phase !== 'scheduled';
  const counted = new Map(provisional.counted.map((ballot) => [ballot.orgId, ballot]));
  const ids = new Set([...eligibleIds, ...provisional.counted.map((ballot) => ballot.orgId)]);
  const voters = [...ids]
    .map((orgId): DecisionVoter => {
      const ballot = counted.get(orgId);
      const cast = casts.get(orgId);
      return {
        orgId,
        name: nameOf(orgId),
        isEligible: eligibleIds.includes(orgId),
        hasVoted: ballot !== undefined,
        isLate: ballot?.isLate ?? false,
        receipt: ballot && cast ? ballotReceipt({ proposalId, orgId, choice: cast.choice, castAt: cast.castAt, salt: salts.get(orgId) ?? '' }) : null,
        receivedAt: ballot?.receivedAt ?? null,
        needsConfirmation: confirmationOf(orgId),
        facilitation: ballot?.facilitation ?? null,
      };
    })
    .sort(byName);
  return {
    ...base,
    phase,
    isProvisional: true,
    isTallyHidden,
    tally: showsTally ? sealedTally(provisional) : null,
    voters,
    lateBallots: voters.filter((voter) => voter.isLate),
    excluded: provisional.excluded.map((excluded) => ({ orgId: excluded.orgId, name: nameOf(excluded.orgId), reason: excluded.reason })),
    reasons: showsTally ? reasonsOf(sealedReasons(provisional, proposal.secrecy === 'secret' && !isRunner)) : [],
    seal: null,
    standing: provisionalStanding(phase, provisional.participation.voted, provisional.notHeardFrom, graceEnd),
  };
}

function provisionalStanding(phase: DecisionPhase, seen: number, notHeardFrom: number, graceEnd: number): DecisionStanding {
  switch (phase) {
    case 'draft':
    case 'cancelled':
    case 'scheduled':
      return { kind: 'not-open' };
    case 'voting':
      return { kind: 'open', seen, notHeardFrom };
    case 'grace':
    case 'sealing':
    case 'sealed':
      return { kind: 'awaiting-seal', seen, notHeardFrom, sealsAfter: graceEnd };
  }
}
