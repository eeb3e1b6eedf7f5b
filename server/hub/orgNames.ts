import { orgNameKey } from '../../shared/records/org';
import type { Directory, RecordLog, RecordWrite } from '../storage/hubStorage';
import type { BatchProjections } from './governancePolicy';
import { HubError } from './hubError';
import { isSameOrgName } from './orgNameSkeleton';

/*
 * One organization cannot take another's name: a profile (org record) whose name changes to one
 * that is, ignoring case, width, spacing, invisible characters and look-alike letters of other
 * scripts (orgNameSkeleton.ts), another organization's — as its profile says or as the secretariat
 * registered it — is refused with `name-taken`; so is an invitation for a new organization under it.
 */

/** Whether another organization (not `exceptOrgId`) is registered or profiled under `name`. */
export async function isOrgNameTaken(storage: Pick<RecordLog, 'getRecord'> & Pick<Directory, 'listOrgs'>, name: string, exceptOrgId: string | null): Promise<boolean> {
  for (const other of await storage.listOrgs()) {
    if (other.id === exceptOrgId) continue;
    const profileName = (await storage.getRecord(other.id))?.projection['name'];
    if ([other.name, typeof profileName === 'string' ? profileName : ''].some((taken) => taken.trim() !== '' && isSameOrgName(taken, name))) return true;
  }
  return false;
}

export async function assertOrgNameFree(storage: Pick<RecordLog, 'getRecord'> & Pick<Directory, 'listOrgs'>, write: RecordWrite, before: Record<string, unknown> | null, batch: BatchProjections): Promise<void> {
  if (write.header.type !== 'org') return;
  const name = write.projection['name'];
  if (typeof name !== 'string' || name.trim() === '' || (before && before['name'] === name)) return;
  for (const org of await storage.listOrgs()) {
    if (org.id === write.header.id) continue;
    const pending = batch.get(org.id);
    const profileName = pending ? pending.projection['name'] : (await storage.getRecord(org.id))?.projection['name'];
    const names = [org.name, typeof profileName === 'string' ? profileName : ''];
    if (names.some((other) => other.trim() !== '' && isSameOrgName(other, name))) {
      throw new HubError('name-taken', 'another organization already has this name', write.header.id);
    }
  }
}

/** Projected lists whose items say which organization wrote them (`byOrg`). */
const SIGNED_LISTS = ['reviewNotes', 'stageHistory', 'steps'] as const;
/** Single values that say which organization wrote them, each by the key that names it (an offer's closure, its closer). */
const SIGNED_VALUES = { hidden: 'byOrg', selfAssessment: 'byOrg', closure: 'orgId' } as const;

const signerOf = (value: unknown, key: string = 'byOrg'): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);

/**
 * Content never speaks for another organization: a review note, a logged step, a moderation, an
 * assessment or an offer's closure added by this change must name the writer's organization
 * (`byOrg`, a closure's `orgId`), and a comment's `authorName` may only be its owner's own name
 * (readers are shown the owner's name anyway).
 */
export async function assertClaimsMatchWriter(
  storage: Pick<RecordLog, 'getRecord'> & Pick<Directory, 'getOrg'>,
  writerOrg: string,
  write: RecordWrite,
  before: Record<string, unknown> | null,
): Promise<void> {
  const refuse = (what: string) => {
    throw new HubError('forbidden', `${what} must name the organization that writes it`, write.header.id);
  };
  const after = write.projection;
  for (const key of SIGNED_LISTS) {
    const items = after[key];
    if (!Array.isArray(items)) continue;
    const earlier = new Set((Array.isArray(before?.[key]) ? (before[key] as unknown[]) : []).map((item) => JSON.stringify(item)));
    for (const item of items) if (!earlier.has(JSON.stringify(item)) && signerOf(item) !== writerOrg) refuse(`a new ${key} item`);
  }
  for (const [key, signer] of Object.entries(SIGNED_VALUES)) {
    const value = after[key];
    if (value === null || value === undefined || JSON.stringify(value) === JSON.stringify(before?.[key])) continue;
    if (signerOf(value, signer) !== writerOrg) refuse(key);
  }
  const authorName = after['authorName'];
  if (write.header.type === 'comment' && typeof authorName === 'string' && authorName.trim() !== '' && authorName !== before?.['authorName']) {
    const owner = write.header.ownerOrg;
    const profileName = (await storage.getRecord(owner))?.projection['name'];
    const ownNames = [(await storage.getOrg(owner))?.name, typeof profileName === 'string' ? profileName : undefined].filter((name): name is string => !!name);
    if (!ownNames.some((name) => orgNameKey(name) === orgNameKey(authorName))) refuse("a comment's author name");
  }
}
