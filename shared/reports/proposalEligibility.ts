import type { Member } from '../records/network';
import type { ProposalProjection } from '../records/proposal';

/**
 * The organizations a proposal lets vote, from the network's member list. Observers never vote;
 * 'all-members' is every other member. The governance module's decision record (branch gov-hub)
 * carries the hub's own list; this stands in for it in reports made before a result is sealed.
 */
export function eligibleOrgIds(proposal: Pick<ProposalProjection, 'eligible'>, members: readonly Member[]): string[] {
  const eligible = proposal.eligible;
  switch (eligible.kind) {
    case 'all-members':
      return members.filter((member) => member.role !== 'observer').map((member) => member.orgId);
    case 'orgs':
      return [...new Set(eligible.orgIds)];
    case 'roles':
      return members.filter((member) => eligible.roles.includes(member.role)).map((member) => member.orgId);
  }
}
