/*
 * Retry delays: exponential with "full jitter" (a uniformly random delay up to the exponential
 * bound). Hundreds of laptops coming back online when a village's link returns then spread their
 * retries over the window instead of hitting the hub in lockstep.
 */

export interface BackoffOptions {
  /** Bound of the first retry's delay. */
  readonly baseMs: number;
  /** Largest delay, however many attempts failed. */
  readonly capMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 1_000, capMs: 5 * 60_000 };

/** The delay before retry number `attempt` (1 for the first retry), given `random` in [0, 1). */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const bound = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  return Math.floor(random() * bound);
}
