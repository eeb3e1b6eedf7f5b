import type * as Y from 'yjs';
import type { EntryProjection } from '../records/entry';
import { draft, draftIdOf, type DraftProjection } from '../records/entryDraft';
import { entryReviewMutators, pinnedVersionOf, versionOfDoc } from '../records/entryReview';
import type { FieldwiseClient } from './client';

/*
 * Where an entry's author writes its words (shared/records/entryDraft.ts): into the entry until it
 * is endorsed, then into its draft, which never leaves the organization, until the author submits
 * it again. The editor and the tests go through these two doors, so "typing after endorsement"
 * means one thing everywhere.
 */

export interface AuthorText {
  /** The record the words are written to: the entry, or `draft~<entry>`. */
  readonly id: string;
  /** Its session doc, held for the caller (release it with client.releaseDoc(id)). */
  readonly doc: Y.Doc;
  readonly isDraft: boolean;
}

/** Whether `p`, owned by `ownerOrg`, is written through a draft by a reader of `readerOrg`: its own, and endorsed once. */
export function isDraftedBy(p: Pick<EntryProjection, 'reviewSteps'>, readerOrg: string, ownerOrg: string): boolean {
  return readerOrg === ownerOrg && pinnedVersionOf(p) !== null;
}

/**
 * Opens the record the author's words of `entryId` go to, starting the draft (from the entry as it
 * reads now, so nothing typed before the endorsement arrived is lost) when there is none yet. The
 * draft is created like any record: durable, row and outbox, before this resolves.
 */
export async function openAuthorText(client: FieldwiseClient, entryId: string): Promise<AuthorText> {
  const view = await client.get<'entry'>(entryId);
  if (!view || view.header.type !== 'entry') throw new RangeError(`no entry ${entryId} in this store`);
  const pinned = pinnedVersionOf(view.projection);
  if (pinned === null || !isDraftedBy(view.projection, client.identity.orgId, view.header.ownerOrg)) return { id: entryId, doc: await client.openDoc(entryId), isDraft: false };
  const id = draftIdOf(entryId);
  if (!(await client.get(id))) {
    await client.create('draft', { draftOf: entryId, version: await client.readDoc(entryId, (doc) => versionOfDoc(doc)), at: pinned.at });
  }
  return { id, doc: await client.openDoc(id), isDraft: true };
}

/** The draft of `entryId` as this device holds it, or null (none started, or not this organization's). */
export async function draftOf(client: FieldwiseClient, entryId: string): Promise<DraftProjection | null> {
  return (await client.get<'draft'>(draftIdOf(entryId)))?.projection ?? null;
}

/**
 * Submits the author's words for review: the draft's, copied into the entry in the same change,
 * where there is a draft; the entry as it reads otherwise.
 */
export async function submitAuthorText(client: FieldwiseClient, entryId: string, note: string): Promise<void> {
  const id = draftIdOf(entryId);
  if (!(await client.get(id))) return client.mutate(entryId, entryReviewMutators.submitForReview, note);
  await client.mutate(entryId, entryReviewMutators.submitDraftForReview, { note, version: await client.readDoc(id, (doc) => versionOfDoc(doc, draft.read)) });
}
