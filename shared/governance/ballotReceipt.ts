import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Choice } from '../records/ballot';
import { canonicalJson } from './canonicalJson';

export interface ReceiptBallot {
  readonly proposalId: string;
  readonly orgId: string;
  readonly choice: Choice;
  readonly castAt: number;
  /**
   * The ballot's receipt salt (ballot.receiptSalt): random, readable only by those who may read the
   * ballot. Without it, a secret ballot's receipt could be reversed by trying every option and every
   * plausible cast time. Empty or absent on ballots written before salts existed.
   */
  readonly salt?: string;
}

/**
 * The receipt a voter keeps: sha256 (hex) of the canonical JSON of the ballot as counted, with the
 * ballot's salt. It names no device and no arrival time, so the voter's own copy and the decision
 * record's copy hash alike; the salt keeps anyone who cannot read the ballot from testing guesses
 * of its choice against the receipt.
 */
export function ballotReceipt(ballot: ReceiptBallot): string {
  const { proposalId, orgId, choice, castAt } = ballot;
  const salt = ballot.salt ? ballot.salt : undefined;
  return bytesToHex(sha256(utf8ToBytes(canonicalJson({ proposalId, orgId, choice, castAt, salt }))));
}
