import { resultId } from '../records/result';
import type { RecordType } from '../records/recordType';

/**
 * Whether `record` is the sealed result of `proposalId`: a record of type `result` at the id
 * derived from the proposal. Only the hub writes results (rules/HUB_WRITTEN_TYPES), so a record of
 * any other type at that id (a squatter, from before ids were reserved) never seals a vote.
 */
export function isSealedResult<R extends { readonly header: { readonly id: string; readonly type: RecordType } }>(record: R | null | undefined, proposalId: string): record is R {
  return record?.header.type === 'result' && record.header.id === resultId(proposalId);
}
