import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Choice } from '../records/ballot';
import { canonicalJson } from './canonicalJson';

export interface ReceiptBallot {
  readonly proposalId: string;
  readonly orgId: string;
  readonly choice: Choice;
  readonly castAt: number;
}

/**
 * The receipt a voter keeps: sha256 (hex) of the canonical JSON of the ballot as counted. It names
 * no device and no arrival time, so the voter's own copy and the decision record's copy hash alike,
 * and it reveals nothing under secret ballots to someone who does not already know the choice.
 */
export function ballotReceipt(ballot: ReceiptBallot): string {
  const { proposalId, orgId, choice, castAt } = ballot;
  return bytesToHex(sha256(utf8ToBytes(canonicalJson({ proposalId, orgId, choice, castAt }))));
}
