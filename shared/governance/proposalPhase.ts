import type { ProposalProjection } from '../records/proposal';

/*
 * Where a proposal stands at a given time: the one vocabulary of phases, and the one reckoning of
 * closing plus grace, that the hub, the tally, the decision record, the reports and the screens
 * share. Pure: every caller passes its clock (the hub its own), so the same proposal reads the
 * same everywhere at the same time.
 */

const HOUR_MS = 3_600_000;

/**
 * A decision's phases, in the order a proposal passes through them (a draft, or an open poll
 * before it closes, may instead end cancelled). Ballots count when cast while `voting` and
 * received by the end of `grace`; `sealing` waits for the hub's signed result.
 */
export const decisionPhases = ['draft', 'cancelled', 'scheduled', 'voting', 'grace', 'sealing', 'sealed'] as const;
export type DecisionPhase = (typeof decisionPhases)[number];

/**
 * The same phases as a voter sees them in lists and on the ballot: before, during or after the
 * voting window. Everything after closing is one `closed`, sealed or not.
 */
export const proposalPhases = ['draft', 'cancelled', 'upcoming', 'open', 'closed'] as const;
export type ProposalPhase = (typeof proposalPhases)[number];

const proposalPhaseOf: Readonly<Record<DecisionPhase, ProposalPhase>> = {
  draft: 'draft',
  cancelled: 'cancelled',
  scheduled: 'upcoming',
  voting: 'open',
  grace: 'closed',
  sealing: 'closed',
  sealed: 'closed',
};

type PhaseTerms = Pick<ProposalProjection, 'state' | 'opensAt' | 'closesAt' | 'graceHours'>;

/**
 * When ballots stop counting: closing plus the offline grace period. A ballot the hub receives at
 * this very moment still counts; the hub seals after it.
 */
export function graceEndsAt(p: Pick<ProposalProjection, 'closesAt' | 'graceHours'>): number {
  return p.closesAt + p.graceHours * HOUR_MS;
}

/** The decision's phase at `now`; `isSealed` when the hub's result record is here. */
export function decisionPhase(p: PhaseTerms, now: number, isSealed = false): DecisionPhase {
  if (isSealed) return 'sealed';
  if (p.state === 'draft' || p.state === 'cancelled') return p.state;
  if (now < p.opensAt) return 'scheduled';
  if (now < p.closesAt) return 'voting';
  if (now <= graceEndsAt(p)) return 'grace';
  return 'sealing';
}

/** The voter's phase at `now`, for the proposal list's tabs and the ballot screen. */
export function proposalPhase(p: PhaseTerms, now: number): ProposalPhase {
  return proposalPhaseOf[decisionPhase(p, now)];
}

/** Whether the tally may be shown now: always when live, else only once voting has closed. */
export function areResultsVisible(p: Pick<ProposalProjection, 'resultsVisibility' | 'closesAt'>, now: number): boolean {
  return p.resultsVisibility === 'live' || now >= p.closesAt;
}
