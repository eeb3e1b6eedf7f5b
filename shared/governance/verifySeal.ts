import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { hubKeySchema, signatureSchema, type ResultProjection, type SealedDecision, SEALED_DECISION_FORMAT, SEALED_DECISION_VERSION, parseSealedPayload } from '../records/result';
import { canonicalJson } from './canonicalJson';

/*
 * Offline verification of a sealed result: anyone holding the network record (which carries the
 * hub's public key) can check that a result was signed by that hub and says what was signed,
 * without asking the hub. Signing lives on the hub (server/hub/hubKey.ts); the message format
 * lives here so both sides agree on it.
 */

/**
 * Domain separation: the hub's key also signs sync bundles, so a seal signature must never be
 * reusable as anything else (and the reverse).
 */
export const SEAL_CONTEXT = 'fieldwise/result-seal/v1\n';

/** The exact bytes the hub signs for a result payload. */
export function sealMessage(payload: string): Uint8Array {
  return utf8ToBytes(SEAL_CONTEXT + payload);
}

export type SealFailure =
  /** No trusted hub key to check against (the network record has none yet). */
  | 'no-trusted-key'
  /** The result names another key than the trusted one. */
  | 'key-mismatch'
  /** The signature or key is not well formed, or the payload is not a sealed decision. */
  | 'malformed'
  /** The signature does not match the payload under the trusted key. */
  | 'bad-signature'
  /** The projected fields differ from the signed payload (a copy altered after reading). */
  | 'payload-mismatch';

export type SealVerification = { readonly isValid: true; readonly reason: null } | { readonly isValid: false; readonly reason: SealFailure };

const failed = (reason: SealFailure): SealVerification => ({ isValid: false, reason });

/** The sealed decision that a result projection shows, in the shape the hub signed. */
export function decisionOf(result: ResultProjection): SealedDecision | null {
  if (!result.terms || !result.tally) return null;
  const signed = parseSealedPayload(result.payload);
  return {
    format: SEALED_DECISION_FORMAT,
    version: SEALED_DECISION_VERSION,
    proposalId: result.proposalId,
    terms: result.terms,
    eligibleOrgIds: result.eligibleOrgIds,
    tally: result.tally,
    counted: result.counted,
    excluded: result.excluded,
    // Results sealed before reasons and versions existed sign neither field.
    ...(signed?.reasons !== undefined ? { reasons: result.reasons } : {}),
    ...(signed?.proposalVersion !== undefined ? { proposalVersion: result.proposalVersion } : {}),
    sealedAt: result.sealedAt,
  };
}

/**
 * Whether `result` is a seal by the hub whose public key (hex) is `trustedHubKey`, and says exactly
 * what was sealed. Pure and offline. The trusted key must come from somewhere the verifier already
 * trusts (the network record as synced, a key printed by `hub key`), never from the result itself.
 */
export function verifySeal(
  result: Pick<ResultProjection, 'payload' | 'signature' | 'hubKey'> & Partial<ResultProjection>,
  trustedHubKey: string | null | undefined,
): SealVerification {
  if (!trustedHubKey) return failed('no-trusted-key');
  if (!hubKeySchema.safeParse(trustedHubKey).success) return failed('malformed');
  if (result.hubKey !== trustedHubKey) return failed('key-mismatch');
  if (!signatureSchema.safeParse(result.signature).success) return failed('malformed');
  let isSigned: boolean;
  try {
    isSigned = ed25519.verify(hexToBytes(result.signature), sealMessage(result.payload), hexToBytes(trustedHubKey));
  } catch {
    return failed('malformed');
  }
  if (!isSigned) return failed('bad-signature');
  // A full projection must show what was signed, field by field, in canonical form.
  if (result.tally !== undefined) {
    const shown = decisionOf(result as ResultProjection);
    if (!shown) return failed('malformed');
    if (canonicalJson(shown) !== result.payload) return failed('payload-mismatch');
  }
  return { isValid: true, reason: null };
}
