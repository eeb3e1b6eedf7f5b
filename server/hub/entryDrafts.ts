import { draftIdOf } from '../../shared/records/entryDraft';
import type { RecordLog, RecordWrite } from '../storage/hubStorage';
import { HubError } from './hubError';

/*
 * An entry's draft (shared/records/entryDraft.ts) is its entry's organization's: `draft~<entry>`
 * may be created only by the organization that owns that entry, held by the hub or in the same
 * batch (a bundle carries both). The id and `fields.draftOf` already agree (its `deriveId`,
 * checked on every write), and a header never changes, so creation is the one moment to check.
 * An entry that is not held and one of another organization get the same answer, so the refusal
 * says nothing of what the id holds. The rules table keeps every draft from every other
 * organization (shared/rules/rules.ts), so this is what makes "another organization's draft"
 * impossible rather than merely unread.
 */
export async function assertDraftOfOwnEntry(
  storage: Pick<RecordLog, 'getRecord'>,
  write: RecordWrite,
  before: Readonly<Record<string, unknown>> | null,
  batch: readonly { readonly write: RecordWrite | null }[],
): Promise<void> {
  if (write.header.type !== 'draft' || before !== null) return;
  const entryId = write.projection['draftOf'];
  const held = typeof entryId === 'string' ? (batch.find((other) => other.write?.header.id === entryId)?.write ?? (await storage.getRecord(entryId))) : null;
  if (typeof entryId !== 'string' || draftIdOf(entryId) !== write.header.id || !held || held.header.type !== 'entry' || held.header.ownerOrg !== write.header.ownerOrg) {
    throw new HubError('wrong-id', "a draft is of an entry of its own organization's, and named after it (draft~<entry id>)", write.header.id);
  }
}
