/*
 * A token bucket: `burst` messages at once, refilled at `perSecond`. The WebSocket endpoints give
 * one to each connection and one to each credential (shared by all of its sockets, so opening
 * more sockets buys no more messages). In memory per hub process, like the HTTP rate limit.
 */

export interface BudgetRate {
  readonly perSecond: number;
  readonly burst: number;
}

export class MessageBudget {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly rate: BudgetRate,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rate.burst;
    this.refilledAt = now();
  }

  /** Takes one message from the budget; false when it is spent. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket is full again (nothing to remember about this sender). */
  get isFull(): boolean {
    this.refill();
    return this.tokens >= this.rate.burst;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate.perSecond);
    this.refilledAt = now;
  }
}
