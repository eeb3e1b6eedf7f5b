import type { Member } from '../records/network';
import type { ProposalProjection } from '../records/proposal';
import { eligibleOrgIds } from './eligibleOrgIds';

/*
 * Who may vote on a proposal, as fixed when its vote opened: the list the opener wrote with the
 * state change (proposalMutators.openVote), which the hub checked against the network's members at
 * that moment. A member who joins later does not become a voter; one who leaves stays listed (the
 * tally still counts only the listed). The hub refuses an opening without the list
 * (`eligibility-missing`); a proposal a hub stored open without it, before that rule, falls back to
 * the network's members now, as eligibility was computed before.
 */
export function votersOf(proposal: Pick<ProposalProjection, 'eligible' | 'eligibleOrgIds'>, members: readonly Pick<Member, 'orgId' | 'role'>[]): string[] {
  if (proposal.eligibleOrgIds !== null) return [...new Set(proposal.eligibleOrgIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return eligibleOrgIds(members, proposal.eligible);
}

/** Whether two voter lists name the same organizations (order and repeats aside). */
export function isSameVoterList(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((id, index) => id === right[index]);
}
