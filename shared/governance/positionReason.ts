import type { Choice } from '../records/ballot';
import { hasVisibleText } from '../records/visibleText';

/*
 * When a position needs its reason: a block in a consent vote stops the proposal for everyone, so
 * the blocking organization says why. The ballot form and the hub's policy both call this, so a
 * block the form lets through is one the hub takes. A reason of only spaces or invisible characters
 * (a zero-width space) is no reason (records/visibleText.ts).
 */

export type PositionReasonProblem = 'block-needs-reason';

/** Why this choice cannot be sent with this reason, or null when it can. */
export function positionReasonProblem(choice: Choice, reason: string): PositionReasonProblem | null {
  if (choice.method === 'consent' && choice.position === 'block' && !hasVisibleText(reason)) return 'block-needs-reason';
  return null;
}
