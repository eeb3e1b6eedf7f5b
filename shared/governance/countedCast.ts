import type { BallotProjection, Choice } from '../records/ballot';
import { canonicalJson } from './canonicalJson';

export interface Cast {
  readonly choice: Choice;
  readonly castAt: number;
  readonly deviceId: string;
}

/**
 * The cast that counts on a ballot: its latest revision by cast time (two casts at the same
 * instant fall to the greater canonical JSON of the choice, the rule tally.ts uses). Not the
 * ballot's `choice` field: two laptops casting concurrently merge that field by Yjs client order,
 * not by time, while every revision survives in the log. The voter's receipt is of this cast.
 */
export function countedCast(ballot: Pick<BallotProjection, 'revisions'>): Cast | null {
  let best: Cast | null = null;
  let bestKey = '';
  for (const revision of ballot.revisions) {
    const key = canonicalJson(revision.choice);
    if (!best || revision.at > best.castAt || (revision.at === best.castAt && key > bestKey)) {
      best = { choice: revision.choice, castAt: revision.at, deviceId: revision.deviceId };
      bestKey = key;
    }
  }
  return best;
}
