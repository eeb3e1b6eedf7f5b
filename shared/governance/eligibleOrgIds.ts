import type { Member } from '../records/network';
import type { ProposalProjection } from '../records/proposal';

/**
 * The organizations that may vote on a proposal, sorted: the network's members filtered by the
 * proposal's eligibility. Observers never vote (the rules let them write nothing), whatever the
 * eligibility says. `all-members` means the member organizations: members and stewards, not the
 * secretariat, which runs the decision; a proposal that wants the secretariat to vote says so
 * with `roles` or `orgs`. Organizations named in `orgs` that are not in the network are left out.
 */
export function eligibleOrgIds(members: readonly Pick<Member, 'orgId' | 'role'>[], eligible: ProposalProjection['eligible']): string[] {
  const voters = members.filter((member) => member.role !== 'observer');
  let chosen: typeof voters;
  switch (eligible.kind) {
    case 'all-members':
      chosen = voters.filter((member) => member.role === 'member' || member.role === 'steward');
      break;
    case 'orgs': {
      const named = new Set(eligible.orgIds);
      chosen = voters.filter((member) => named.has(member.orgId));
      break;
    }
    case 'roles': {
      const roles = new Set(eligible.roles);
      chosen = voters.filter((member) => roles.has(member.role));
      break;
    }
  }
  return [...new Set(chosen.map((member) => member.orgId))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
