import type { ErrorCode } from '../../shared/sync/protocol';

/**
 * A refusal: a protocol error code, a sentence for people, and the record it is about. It knows no
 * HTTP: server/http/refusalStatus.ts gives each code its status (and `Retry-After`) on the wire.
 * Nothing was written when one is thrown.
 */
export class HubError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly recordId?: string,
    /** When the refused request may be tried again (a rate limit). */
    readonly retryAfterSeconds?: number,
    /** A revoked or wiped device: the secretariat's words and when (docs/PROTOCOL.md, Administration). */
    readonly revocation?: { readonly reason: string | null; readonly revokedAt: number },
  ) {
    super(message);
    this.name = 'HubError';
  }

  toBody(): { error: { code: ErrorCode; message: string; recordId?: string; reason?: string; revokedAt?: number } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.recordId ? { recordId: this.recordId } : {}),
        ...(this.revocation?.reason ? { reason: this.revocation.reason } : {}),
        ...(this.revocation ? { revokedAt: this.revocation.revokedAt } : {}),
      },
    };
  }
}
