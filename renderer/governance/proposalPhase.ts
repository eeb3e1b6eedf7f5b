import type { ProposalProjection } from '../../shared/records/proposal';

/*
 * Where a proposal stands at a given time, for the list's tabs and the proposal screen. Pure: the
 * screen passes its clock, so the same proposal reads the same on every device at the same time.
 */

export type ProposalPhase = 'draft' | 'cancelled' | 'upcoming' | 'open' | 'closed';

const HOUR_MS = 3_600_000;

export function proposalPhase(p: Pick<ProposalProjection, 'state' | 'opensAt' | 'closesAt'>, now: number): ProposalPhase {
  if (p.state === 'draft' || p.state === 'cancelled') return p.state;
  if (now < p.opensAt) return 'upcoming';
  if (now < p.closesAt) return 'open';
  return 'closed';
}

/** When ballots stop counting: closing plus the offline grace period. The hub seals then. */
export function graceEndsAt(p: Pick<ProposalProjection, 'closesAt' | 'graceHours'>): number {
  return p.closesAt + p.graceHours * HOUR_MS;
}

/** Whether the tally may be shown now: always when live, else only once voting has closed. */
export function areResultsVisible(p: Pick<ProposalProjection, 'resultsVisibility' | 'closesAt'>, now: number): boolean {
  return p.resultsVisibility === 'live' || now >= p.closesAt;
}
