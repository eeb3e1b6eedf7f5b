import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { reservedTypeOf } from '../../shared/records/reservedIds';
import type { RecordType } from '../../shared/records/recordType';
import type { RecordLog } from '../storage/hubStorage';

/*
 * Repair of data written before ids were reserved (shared/records/reservedIds.ts): a record of one
 * type under an id reserved for another (a comment at `result~P` froze P's vote; one at
 * `ballot~P~O` kept O from voting) is moved to a fresh ordinary id, content, owner and log kept,
 * so the id is free for the record it belongs to. The hub runs this at every start (Hub.open) and
 * `hub repair-ids` runs it on demand; each move is returned for the log. Idempotent: a repaired
 * storage has nothing left to move.
 */

export interface SquatterMove {
  readonly fromId: string;
  readonly toId: string;
  readonly type: RecordType;
  readonly ownerOrg: string;
  /** The type the id is reserved for. */
  readonly reservedFor: RecordType;
  readonly seq: number;
}

const PAGE = 1000;

export async function repairSquatters(storage: Pick<RecordLog, 'changedSummariesSince' | 'moveRecord'>): Promise<SquatterMove[]> {
  const moves: SquatterMove[] = [];
  for (let cursor = 0; ; ) {
    const page = await storage.changedSummariesSince(cursor, PAGE);
    for (const { header, seq } of page) {
      const reservedFor = reservedTypeOf(header.id);
      if (reservedFor === null || reservedFor === header.type) continue;
      const toId = `${header.type}-moved-${bytesToHex(randomBytes(8))}`;
      // Null: the record changed since the scan (it cannot have: no client can write it now) or the id is taken; the next start retries.
      const moved = await storage.moveRecord(header.id, toId, seq);
      if (moved !== null) moves.push({ fromId: header.id, toId, type: header.type, ownerOrg: header.ownerOrg, reservedFor, seq: moved });
    }
    if (page.length < PAGE) return moves;
    cursor = page[page.length - 1]!.seq;
  }
}
