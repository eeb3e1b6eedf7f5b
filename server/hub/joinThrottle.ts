import { HubError } from './hubError';

/*
 * Brute force of invitation codes: failed joins are counted per source address and per code
 * prefix (the first 4 characters of the normalized code) in fixed windows, in memory per hub
 * process. Once either count is reached, joins from that address or with that prefix are refused
 * before the code is looked up, even a right one, until the window ends. A code has 100 bits, so
 * this is not what keeps codes safe; it keeps a guesser from costing the hub a lookup per guess
 * and makes a spread-out guesser (many addresses, one prefix) as slow as a single one.
 */

export interface JoinThrottleOptions {
  readonly maxFailures?: number;
  readonly windowMs?: number;
}

export const JOIN_THROTTLE_DEFAULTS = { maxFailures: 10, windowMs: 15 * 60_000 } as const;

/** Bounds the memory an attacker can make the counters take: the oldest windows go first. */
const MAX_COUNTERS = 100_000;

interface Window {
  readonly startedAt: number;
  failures: number;
}

export class JoinThrottle {
  private readonly counters = new Map<string, Window>();
  private readonly maxFailures: number;
  private readonly windowMs: number;

  constructor(options: JoinThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? JOIN_THROTTLE_DEFAULTS.maxFailures;
    this.windowMs = options.windowMs ?? JOIN_THROTTLE_DEFAULTS.windowMs;
  }

  /** Refuses with `rate-limited` when the address or the prefix has used up its failures. */
  check(keys: readonly string[], now: number): void {
    for (const key of keys) {
      const window = this.current(key, now);
      if (window && window.failures >= this.maxFailures) {
        const seconds = Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000));
        throw new HubError('rate-limited', `too many failed joins; retry in ${seconds} s`, undefined, seconds);
      }
    }
  }

  recordFailure(keys: readonly string[], now: number): void {
    for (const key of keys) {
      const window = this.current(key, now);
      if (window) window.failures += 1;
      else {
        if (this.counters.size >= MAX_COUNTERS) this.counters.delete(this.counters.keys().next().value!);
        this.counters.set(key, { startedAt: now, failures: 1 });
      }
    }
  }

  private current(key: string, now: number): Window | null {
    const window = this.counters.get(key);
    if (!window) return null;
    if (window.startedAt + this.windowMs <= now) {
      this.counters.delete(key);
      return null;
    }
    return window;
  }
}

/** The counters a join attempt is checked against: its source address and its code's prefix. */
export function joinThrottleKeys(source: string | undefined, normalizedCode: string): string[] {
  return [...(source ? [`source:${source}`] : []), `prefix:${normalizedCode.slice(0, 4)}`];
}
