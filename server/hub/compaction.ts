import type { RecordLog } from '../storage/hubStorage';
import { sharedValidationRunner } from './validationRunner';

/*
 * Trims long update logs. Every commit already stores the record's state folded through a Y.Doc,
 * so compaction re-folds that state (garbage-collecting what it can) and drops the logged updates
 * it covers. No acknowledged update is lost: it is in the state; a client whose checkpoint predates
 * the compaction point gets the whole state instead of a delta.
 *
 * Folding loads the state, which may cost far more than its bytes: it runs in the validation
 * worker within the record budget (validationRunner.ts), never on the hub's main thread. A state
 * that takes longer is left as it is (its log stays; a pull still serves it whole or as a delta).
 */

export interface CompactionOptions {
  readonly minUpdates?: number;
  readonly limit?: number;
  /** Loads and re-encodes a state off the main thread; the shared validation runner's by default. */
  readonly fold?: (recordId: string, state: Uint8Array) => Promise<Uint8Array>;
}

/** Records whose fold ran out of budget, with the seq it was tried at: not tried again until they change. */
const unfoldable = new Map<string, number>();

export async function compactRecords(storage: RecordLog, options: CompactionOptions = {}): Promise<number> {
  const fold = options.fold ?? ((recordId, state) => sharedValidationRunner().fold(recordId, state));
  const candidates = await storage.compactionCandidates(options.minUpdates ?? 100, options.limit ?? 100);
  let compacted = 0;
  for (const id of candidates) {
    const record = await storage.getRecord(id);
    if (!record || unfoldable.get(id) === record.seq) continue;
    let state: Uint8Array;
    try {
      state = await fold(id, record.state);
    } catch {
      unfoldable.set(id, record.seq);
      continue;
    }
    unfoldable.delete(id);
    // Refused when the record changed meanwhile; the next round tries again.
    if (await storage.compact(id, state, record.seq)) compacted += 1;
  }
  return compacted;
}
