import * as Y from 'yjs';
import type { RecordLog } from '../storage/hubStorage';

/*
 * Trims long update logs. Every commit already stores the record's state folded through a Y.Doc,
 * so compaction re-folds that state (garbage-collecting what it can) and drops the logged updates
 * it covers. No acknowledged update is lost: it is in the state; a client whose checkpoint predates
 * the compaction point gets the whole state instead of a delta.
 */
export async function compactRecords(storage: RecordLog, options: { minUpdates?: number; limit?: number } = {}): Promise<number> {
  const candidates = await storage.compactionCandidates(options.minUpdates ?? 100, options.limit ?? 100);
  let compacted = 0;
  for (const id of candidates) {
    const record = await storage.getRecord(id);
    if (!record) continue;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, record.state);
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    // Refused when the record changed meanwhile; the next round tries again.
    if (await storage.compact(id, state, record.seq)) compacted += 1;
  }
  return compacted;
}
