import type { ErrorCode } from '../../shared/sync/protocol';
import type { HubError } from '../hub/hubError';

/*
 * The one place a refusal's code becomes an HTTP status: the hub's core refuses with codes
 * (server/hub/hubError.ts) and knows no HTTP. docs/PROTOCOL.md documents every row (its error
 * tables), and test/unit/refusalStatus.test.ts holds the two together.
 */

export interface RefusalStatus {
  readonly status: number;
  /** The answer carries `Retry-After` (seconds, from the refusal). */
  readonly hasRetryAfter?: true;
}

export const refusalStatus: { readonly [code in ErrorCode]: RefusalStatus } = {
  'bad-json': { status: 400 },
  'bad-request': { status: 400 },
  'unknown-type': { status: 400 },
  'bad-update': { status: 400 },
  'missing-dependency': { status: 400 },
  'wrong-id': { status: 400 },
  'bad-bundle': { status: 400 },
  'bad-structure': { status: 400 },
  unauthorized: { status: 401 },
  'token-expired': { status: 401 },
  'token-revoked': { status: 401 },
  forbidden: { status: 403 },
  'invitation-invalid': { status: 403 },
  'not-eligible': { status: 403 },
  'steward-not-authorized': { status: 403 },
  'bundle-foreign': { status: 403 },
  'bundle-revoked': { status: 403 },
  'bundle-expired': { status: 403 },
  'bundle-signature-invalid': { status: 403 },
  'not-found': { status: 404 },
  'header-mismatch': { status: 409 },
  'device-key-conflict': { status: 409 },
  'name-taken': { status: 409 },
  'proposal-unknown': { status: 409 },
  'poll-not-open': { status: 409 },
  'cast-before-opening': { status: 409 },
  'cast-after-closing': { status: 409 },
  'cast-in-future': { status: 409 },
  'grace-expired': { status: 409 },
  'poll-sealed': { status: 409 },
  'terms-locked': { status: 409 },
  'version-unknown': { status: 409 },
  'outcome-not-sealed': { status: 409 },
  'eligibility-mismatch': { status: 409 },
  'own-ballot-cast': { status: 409 },
  'body-too-large': { status: 413 },
  'batch-too-large': { status: 413 },
  'update-too-large': { status: 413 },
  'record-too-large': { status: 413 },
  'update-too-slow': { status: 422 },
  'update-too-complex': { status: 422 },
  'secrecy-mismatch': { status: 422 },
  'invalid-choice': { status: 422 },
  'reason-required': { status: 422 },
  'witness-required': { status: 422 },
  'version-unrecorded': { status: 422 },
  'version-unchanged': { status: 422 },
  'eligibility-missing': { status: 422 },
  'state-change-unrecorded': { status: 422 },
  'rate-limited': { status: 429, hasRetryAfter: true },
  internal: { status: 500 },
  'hub-busy': { status: 503, hasRetryAfter: true },
  'admin-only': { status: 403 },
  'device-wiped': { status: 401 },
  'invitation-used': { status: 403 },
  'invitation-expired': { status: 403 },
  'invitation-withdrawn': { status: 403 },
  'invitation-not-pending': { status: 409 },
  'already-revoked': { status: 409 },
  'org-revoked': { status: 409 },
  'not-steward': { status: 409 },
  'secretariat-protected': { status: 409 },
  'unknown-scope': { status: 400 },
  'bad-region-tree': { status: 400 },
  'quota-records': { status: 429, hasRetryAfter: true },
  'quota-bytes': { status: 413 },
  'upload-stalled': { status: 408 },
  'invariant-violated': { status: 422 },
  'blob-too-large': { status: 413 },
  'size-mismatch': { status: 413 },
  'offset-mismatch': { status: 409 },
  'hash-mismatch': { status: 422 },
  'unknown-upload': { status: 404 },
  'out-of-range': { status: 416 },
  'tus-unsupported': { status: 412 },
};

/** A refusal as it goes on the wire: status, headers and the documented JSON body. */
export function refusalResponse(error: HubError): { status: number; headers: Record<string, string>; body: ReturnType<HubError['toBody']> } {
  const { status, hasRetryAfter } = refusalStatus[error.code];
  const headers: Record<string, string> = hasRetryAfter && error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {};
  return { status, headers, body: error.toBody() };
}
