import { NETWORK_RECORD_ID } from './network';
import type { RecordType } from './recordType';

/*
 * The id grammar: some ids say what a record is, and belong to that type alone. A ballot's id is
 * `ballot~<proposal>~<org>`, an interest's `interest~<offer>~<org>`, a sealed result's
 * `result~<proposal>`, an entry's draft's `draft~<entry>`, and the network record's is NETWORK_RECORD_ID. A record of another type
 * under such an id would stand in the way of the real one (a `comment` at `result~P` used to look
 * sealed and froze the vote; one at `ballot~P~O` kept O from ever voting), so the client and the
 * hub both refuse it with this one function. Whether a typed record's id is its derivation (the
 * owner and the proposal or offer it names) is each module's `deriveId`, checked beside it.
 */

const RESERVED_PREFIXES: readonly { readonly prefix: string; readonly type: RecordType }[] = [
  { prefix: 'result~', type: 'result' },
  { prefix: 'ballot~', type: 'ballot' },
  { prefix: 'interest~', type: 'interest' },
  { prefix: 'draft~', type: 'draft' },
];

/** The type an id is reserved for, or null for an ordinary id. */
export function reservedTypeOf(id: string): RecordType | null {
  if (id === NETWORK_RECORD_ID) return 'network';
  return RESERVED_PREFIXES.find(({ prefix }) => id.startsWith(prefix))?.type ?? null;
}

/** Why a record of this type may not have this id, or null when it may. */
export function reservedIdRefusal(header: { readonly id: string; readonly type: RecordType }): string | null {
  const reserved = reservedTypeOf(header.id);
  if (reserved !== null && reserved !== header.type) return `the id ${header.id} is reserved for a ${reserved}, not a ${header.type}`;
  if (header.type === 'network' && header.id !== NETWORK_RECORD_ID) return `there is one network record, with the id ${NETWORK_RECORD_ID}`;
  return null;
}
