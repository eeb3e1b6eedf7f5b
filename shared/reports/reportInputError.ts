/** Why a report cannot be built from the choices made; the screen shows `code` in its language. */
export type ReportInputCode = 'period-reversed' | 'bad-threshold' | 'bad-region-depth' | 'unknown-org' | 'unknown-proposal' | 'bad-options';

export class ReportInputError extends RangeError {
  constructor(
    readonly code: ReportInputCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReportInputError';
  }
}
