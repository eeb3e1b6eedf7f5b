import { mergeUpdates } from '../../shared/records/yjsUpdates';
import { canRead, type Actor } from '../../shared/rules/rules';
import { limits, type PulledRecord, type PullFrame } from '../../shared/sync/protocol';
import type { RecordLog, StoredRecord } from '../storage/hubStorage';

/*
 * The pull stream: pages of the records readable by `actor` that changed since `since`, in
 * sequence order. Each record carries the delta since the checkpoint, or its whole state where the
 * checkpoint predates its compaction or a change in who may read it. A record the reader can no
 * longer read is named in the page's `withdrawn` list, so the reader's device deletes its copy,
 * exactly when the reader could have held one: it could read the record at its checkpoint or at
 * some moment since (by the facts versions the storage keeps, RecordLog.factsSince), asked with
 * the reader's current role. A record it never could read since its checkpoint (another
 * organization's secret ballot, a private draft) is never named: the list is no oracle. A first
 * pull (since 0) has nothing to withdraw.
 */
export async function* pullFrames(
  storage: RecordLog,
  actor: Actor,
  since: number,
  options: { readonly withProjections?: boolean; readonly pageSize?: number } = {},
): AsyncGenerator<PullFrame> {
  const pageSize = options.pageSize ?? limits.pullPageRecords;
  let cursor = since;
  for (;;) {
    const changed = await storage.changedSince(cursor, pageSize);
    const readable = changed.filter((record) => canRead(actor, record.header, record.facts));
    const withdrawn = since === 0 ? [] : await withdrawnFrom(storage, actor, since, changed);
    const needsFullState = (record: StoredRecord) => since < record.compactedSeq || since < record.factsSeq;
    const logs = await storage.updatesSince(readable.filter((r) => !needsFullState(r)).map((r) => r.header.id), since);
    const records: PulledRecord[] = readable.map((record) => {
      const log = logs.get(record.header.id) ?? [];
      const isFullState = needsFullState(record) || log.length === 0;
      return {
        meta: { ...record.header, seq: record.seq, ...(options.withProjections ? { projection: record.projection } : {}) },
        isFullState,
        update: isFullState ? record.state : mergeUpdates(log),
      };
    });
    if (changed.length > 0) cursor = changed[changed.length - 1]!.seq;
    const isLast = changed.length < pageSize;
    yield { kind: 'page', records, checkpoint: cursor, isLast, ...(withdrawn.length > 0 ? { withdrawn } : {}) };
    if (isLast) return;
  }
}

/** The records of `changed` the reader may hold a copy of and can no longer read. */
export async function withdrawnFrom(storage: RecordLog, actor: Actor, since: number, changed: readonly StoredRecord[]): Promise<string[]> {
  // Facts unchanged since the checkpoint: unreadable now means unreadable all along.
  const lost = changed.filter((record) => since < record.factsSeq && !canRead(actor, record.header, record.facts));
  if (lost.length === 0) return [];
  const versions = await storage.factsSince(
    lost.map((record) => record.header.id),
    since,
  );
  const couldRead = (record: StoredRecord) => (versions.get(record.header.id) ?? [null]).some((facts) => facts === null || canRead(actor, record.header, facts));
  return lost.filter(couldRead).map((record) => record.header.id);
}
