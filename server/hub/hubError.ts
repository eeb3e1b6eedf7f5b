import type { ErrorCode } from '../../shared/sync/protocol';

/** A refusal: sent as `{"error": {code, message, recordId?}}` with a 4xx status. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly recordId?: string,
  ) {
    super(message);
    this.name = 'HubError';
  }

  toBody(): { error: { code: ErrorCode; message: string; recordId?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.recordId ? { recordId: this.recordId } : {}) } };
  }
}
