import type { Outcome } from './decisionMethod';
import { meetsShare } from './meetsShare';

function leaders(values: ReadonlyMap<string, number>): string[] {
  const max = Math.max(...values.values());
  return [...values].filter(([, value]) => value === max).map(([id]) => id);
}

/**
 * The outcome where the option with the most wins: no votes fails, a shared lead is undecided (a
 * tie is never broken by chance or by order), and the sole leader passes when its share, as the
 * method measures it, reaches the threshold.
 */
export function decideByLead(values: ReadonlyMap<string, number>, share: (leaderValue: number) => number, threshold: number): Outcome {
  const lead = leaders(values);
  const leadValue = values.get(lead[0] ?? '') ?? 0;
  if (lead.length === 0 || leadValue === 0) return { status: 'failed', reason: 'no-votes', winnerId: null, tiedIds: [] };
  if (lead.length > 1) return { status: 'undecided', reason: 'tie', winnerId: null, tiedIds: lead };
  if (!meetsShare(share(leadValue), threshold)) return { status: 'failed', reason: 'threshold-not-met', winnerId: null, tiedIds: [] };
  return { status: 'passed', reason: 'threshold-met', winnerId: lead[0]!, tiedIds: [] };
}
