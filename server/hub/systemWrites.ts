import * as Y from 'yjs';
import { moduleFor } from '../../shared/records/registry';
import type { RecordHeader } from '../../shared/records/recordType';
import { areBytesEqual } from '../../shared/records/yjsUpdates';
import { StaleWriteError, type RecordLog } from '../storage/hubStorage';

/*
 * Records the hub itself writes: the network record and organization profiles, when the
 * secretariat runs `hub init` and `hub invite`. They take the same commit path (sequence numbers,
 * update log) as any push, so clients pull them like everything else.
 */
export async function commitSystemChange(storage: RecordLog, header: RecordHeader, change: (doc: Y.Doc) => void): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const stored = await storage.getRecord(header.id);
    const doc = new Y.Doc();
    if (stored) Y.applyUpdate(doc, stored.state);
    const before = Y.encodeStateVector(doc);
    change(doc);
    // A change that turned out to change nothing (another process did it first) writes nothing.
    if (stored && areBytesEqual(Y.encodeStateAsUpdate(doc), stored.state)) {
      doc.destroy();
      return stored.seq;
    }
    const update = Y.encodeStateAsUpdate(doc, before);
    const module = moduleFor((stored?.header ?? header).type);
    const projection = module.read(doc);
    try {
      const [seq] = await storage.commit([
        {
          header: stored?.header ?? header,
          update,
          state: Y.encodeStateAsUpdate(doc),
          projection: { ...projection },
          facts: module.facts(projection),
          credentialId: null,
          expectedSeq: stored?.seq ?? null,
        },
      ]);
      return seq!;
    } catch (error) {
      if (!(error instanceof StaleWriteError) || attempt >= 5) throw error;
    } finally {
      doc.destroy();
    }
  }
}
