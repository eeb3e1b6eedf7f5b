/*
 * The refusals of the hub's governance policy (server/hub/governancePolicy.ts), part of the
 * protocol's error codes (shared/sync/protocol.ts). Each is documented in docs/PROTOCOL.md.
 * A refused ballot is quarantined on the voter's device by the sync engine, with this code, so the
 * app can tell the voter why it does not count ('grace-expired': it arrived after the grace period).
 */
export const governanceErrorCodes = [
  'proposal-unknown',
  'not-eligible',
  'poll-not-open',
  'cast-before-opening',
  'cast-after-closing',
  'cast-in-future',
  'grace-expired',
  'secrecy-mismatch',
  'invalid-choice',
  'poll-sealed',
  'terms-locked',
  'steward-not-authorized',
  'reason-required',
  'version-unknown',
  'version-unrecorded',
  'version-unchanged',
  'outcome-not-sealed',
  'eligibility-mismatch',
  'eligibility-missing',
  'state-change-unrecorded',
  'own-ballot-cast',
  'witness-required',
] as const;
export type GovernanceErrorCode = (typeof governanceErrorCodes)[number];
