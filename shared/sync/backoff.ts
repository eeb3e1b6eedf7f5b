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

/**
 * Probes of a link that did not answer (no HTTP answer at all) while the platform says it is
 * online: the first three come after 1, 2 and 4 seconds, so a link that returns is used within
 * seconds; after that the wait doubles from 8 s up to `capMs` (default one minute), jittered
 * between half and the whole bound so it never collapses to nothing. A hub that answers with
 * errors is retried on `backoffDelayMs` instead.
 */
export const shortProbeScheduleMs: readonly number[] = [1_000, 2_000, 4_000];

export function probeDelayMs(attempt: number, random: () => number, capMs = 60_000): number {
  const short = shortProbeScheduleMs[Math.max(attempt, 1) - 1];
  if (short !== undefined) return short;
  const exponent = Math.min(attempt - 1 - shortProbeScheduleMs.length, 30);
  const bound = Math.min(capMs, 8_000 * 2 ** exponent);
  return Math.floor(bound / 2 + (random() * bound) / 2);
}
