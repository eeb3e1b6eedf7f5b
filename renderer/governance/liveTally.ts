import type { RecordView } from '../../shared/client/client';
import { tally, type TallyBallot, type TallyResult } from '../../shared/governance/tally';
import type { BallotProjection } from '../../shared/records/ballot';
import type { NetworkProjection } from '../../shared/records/network';
import type { ProposalProjection } from '../../shared/records/proposal';

/*
 * The tally as this device can compute it before the hub seals: from the ballots it holds (every
 * revision, so a change made after closing leaves the last one cast in time counting) and the
 * network's member list. The hub's arrival times are not known here, so every ballot counts as
 * "not received yet": provisional while the grace period runs, which is all this view claims.
 * The sealed result record is the authority once it exists.
 */

export function liveEligibleOrgIds(proposal: Pick<ProposalProjection, 'eligible'>, network: Pick<NetworkProjection, 'members'> | null): string[] {
  const members = network?.members ?? [];
  switch (proposal.eligible.kind) {
    case 'all-members':
      // Observers follow the network's work; they do not vote.
      return members.filter((member) => member.role !== 'observer').map((member) => member.orgId);
    case 'orgs':
      return [...proposal.eligible.orgIds];
    case 'roles': {
      const roles = new Set<string>(proposal.eligible.roles);
      return members.filter((member) => roles.has(member.role)).map((member) => member.orgId);
    }
  }
}

export function tallyBallotsOf(ballots: readonly RecordView<BallotProjection>[], proposalId: string): TallyBallot[] {
  return ballots
    .filter((view) => view.projection.proposalId === proposalId)
    .flatMap((view) =>
      view.projection.revisions.map((revision) => ({ orgId: view.header.ownerOrg, choice: revision.choice, castAt: revision.at, receivedAt: null })),
    );
}

export function liveTally(input: {
  readonly proposal: ProposalProjection;
  readonly proposalId: string;
  readonly ballots: readonly RecordView<BallotProjection>[];
  readonly eligibleOrgIds: readonly string[];
  readonly now: number;
}): TallyResult {
  return tally({ proposal: input.proposal, ballots: tallyBallotsOf(input.ballots, input.proposalId), eligibleOrgIds: input.eligibleOrgIds, now: input.now });
}
