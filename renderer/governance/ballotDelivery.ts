import type { GovernanceErrorCode } from '../../shared/governance/governanceErrorCodes';

/*
 * What the ballot screen says about this organization's ballot on its way to the hub: pure, so
 * each wording is tested without a browser or a hub.
 */

export type BallotDelivery =
  /** Nothing cast yet from this organization. */
  | { readonly kind: 'not-cast' }
  /** Saved on this device; no connection to the hub right now: it is sent when one appears. */
  | { readonly kind: 'saved-offline' }
  /** Saved on this device and being sent. */
  | { readonly kind: 'sending' }
  /** The hub has it. */
  | { readonly kind: 'received' }
  /** The hub refused it because it arrived after the grace period: kept here, not counted. */
  | { readonly kind: 'refused-late' }
  /** The hub refused it for another reason (the code and message say which). */
  | { readonly kind: 'refused'; readonly code: string; readonly message: string };

export interface BallotDeliveryInput {
  readonly isCast: boolean;
  /** Changes to the ballot record not yet acknowledged by the hub. */
  readonly pendingCount: number;
  /** The hub's refusal of this ballot's changes, if any (the sync engine's quarantine). */
  readonly refusal: { readonly code: string; readonly message: string } | null;
  /** Whether the device can reach the hub now (a live connection or a sync under way). */
  readonly isConnected: boolean;
}

/**
 * Hub refusals that mean "too late to count" (shared/governance/governanceErrorCodes.ts): the
 * ballot arrived after closing plus the grace period (`grace-expired`), or after the hub sealed
 * the result, which it does only once the grace period is over (`poll-sealed`).
 */
export const LATE_BALLOT_CODES: ReadonlySet<GovernanceErrorCode> = new Set<GovernanceErrorCode>(['grace-expired', 'poll-sealed']);

export function ballotDelivery(input: BallotDeliveryInput): BallotDelivery {
  if (!input.isCast) return { kind: 'not-cast' };
  if (input.refusal) {
    return (LATE_BALLOT_CODES as ReadonlySet<string>).has(input.refusal.code) ? { kind: 'refused-late' } : { kind: 'refused', ...input.refusal };
  }
  if (input.pendingCount > 0) return input.isConnected ? { kind: 'sending' } : { kind: 'saved-offline' };
  return { kind: 'received' };
}
