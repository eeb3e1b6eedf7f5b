import { orgNameKey } from '../../shared/records/org';
import type { Directory, RecordLog, RecordWrite } from '../storage/hubStorage';
import type { BatchProjections } from './governancePolicy';
import { HubError } from './hubError';

/*
 * One organization cannot take another's name: a profile (org record) whose name changes to one
 * that is, ignoring case, width and surrounding whitespace, another organization's — as its
 * profile says or as the secretariat registered it — is refused with `name-taken`.
 */

export async function assertOrgNameFree(storage: Pick<RecordLog, 'getRecord'> & Pick<Directory, 'listOrgs'>, write: RecordWrite, before: Record<string, unknown> | null, batch: BatchProjections): Promise<void> {
  if (write.header.type !== 'org') return;
  const name = write.projection['name'];
  if (typeof name !== 'string' || name.trim() === '' || (before && before['name'] === name)) return;
  const key = orgNameKey(name);
  for (const org of await storage.listOrgs()) {
    if (org.id === write.header.id) continue;
    const pending = batch.get(org.id);
    const profileName = pending ? pending.projection['name'] : (await storage.getRecord(org.id))?.projection['name'];
    const names = [org.name, typeof profileName === 'string' ? profileName : ''];
    if (names.some((other) => other.trim() !== '' && orgNameKey(other) === key)) {
      throw new HubError('name-taken', 'another organization already has this name', write.header.id);
    }
  }
}
