import type { RuleFacts } from '../../shared/records/recordModule';

/*
 * Every version of a record's read facts is kept with the sequence number it took effect at
 * (`facts_history`, both adapters), so a pull can answer exactly "could this reader have read the
 * record at its checkpoint or at any moment since?" before it names the record as withdrawn
 * (RecordLog.factsSince, server/hub/pullFrames.ts). One version per record and commit; a record
 * moved to another id starts a new history there. A row whose facts are NULL stands for facts not
 * known: records stored by a hub before the history was kept get one at seq 0, up to their
 * facts_seq.
 */

/**
 * The stored rows of one record's versions (JSON text, NULL for not known), oldest first, as
 * factsSince returns them. A record with no history at all (not backfilled yet) is not known.
 */
export function factsVersionsFrom(rows: readonly (string | null)[]): (RuleFacts | null)[] {
  if (rows.length === 0) return [null];
  return rows.map((facts) => (facts === null ? null : (JSON.parse(facts) as RuleFacts)));
}
