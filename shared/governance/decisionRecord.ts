import type { BallotProjection } from '../records/ballot';
import type { Member, NetworkProjection } from '../records/network';
import type { ProposalProjection } from '../records/proposal';
import type { ResultProjection, SealedTally } from '../records/result';
import type { Role } from '../records/recordType';
import { ballotReceipt } from './ballotReceipt';
import { countedCast } from './countedCast';
import { eligibleOrgIds } from './eligibleOrgIds';
import { methodFor } from './decisionMethods';
import { areResultsVisible, decisionPhase, graceEndsAt, type DecisionPhase } from './proposalPhase';
import { sealedTally } from './sealedDecision';
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
  readonly ballot: Pick<BallotProjection, 'revisions'> & Partial<Pick<BallotProjection, 'receiptSalt'>>;
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
  /** Null before sealing. */
  readonly seal: (SealVerification & { readonly sealedAt: number; readonly hubKey: string; readonly signature: string }) | null;
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
      seal: { ...check, sealedAt: result.sealedAt, hubKey: result.hubKey, signature: result.signature },
    };
  }

  // Provisional: the tally of what this device holds, as it stands now.
  const eligibleIds = eligibleOrgIds(input.network.members, proposal.eligible);
  const casts = new Map<string, TallyBallot>();
  const salts = new Map<string, string>();
  for (const { orgId, ballot, receivedAt } of input.ballots) {
    const cast = countedCast(ballot);
    if (cast) casts.set(orgId, { orgId, choice: cast.choice, castAt: cast.castAt, receivedAt });
    salts.set(orgId, ballot.receiptSalt ?? '');
  }
  const provisional = tally({ proposal, ballots: [...casts.values()], eligibleOrgIds: eligibleIds, now });
  const isRunner = input.viewer?.role === 'secretariat';
  const isTallyHidden = !areResultsVisible(proposal, now) && !isRunner;
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
    seal: null,
  };
}
