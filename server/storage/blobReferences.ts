import { blobsOf } from '../../shared/blobs/blobRef';
import { attachmentEntrySchema } from '../../shared/records/attachments';
import type { BlobReferenceRow } from './hubStorage';

/*
 * The blob reference index both record adapters keep (HubStorage's BlobIndex): at each commit,
 * one row per (record, hash) for every rendition the record's attachments name, replacing the
 * record's rows before, so a removed attachment stops referencing its blobs in the commit that
 * removes it. It is what the blob routes authorize by (server/hub/blobAccess.ts) and what garbage
 * collection asks before it deletes a blob. Read from the projection the write path computed, the
 * same hashes `referencedBlobs` (shared/records/attachments.ts) gives.
 */

/** The index rows of one projection: each hash once, with whether every attachment naming it is consent-pending. */
export function blobReferencesOf(projection: unknown): BlobReferenceRow[] {
  const attachments = (projection as { attachments?: unknown } | null)?.attachments;
  if (!Array.isArray(attachments)) return [];
  const rows = new Map<string, BlobReferenceRow>();
  for (const item of attachments) {
    const parsed = attachmentEntrySchema.safeParse(item);
    if (!parsed.success) continue;
    const isConsentPending = parsed.data.consent === 'pending';
    for (const { content } of blobsOf(parsed.data.ref)) {
      const seen = rows.get(content.sha256);
      // One attachment that shares it is enough to share the bytes (a reference given twice).
      rows.set(content.sha256, seen ? { ...seen, isConsentPending: seen.isConsentPending && isConsentPending } : { ...content, isConsentPending });
    }
  }
  return [...rows.values()];
}

/** Whether a stored projection may reference blobs at all: a cheap test before parsing it (backfill). */
export const mayReferenceBlobs = (projectionJson: string): boolean => projectionJson.includes('"sha256"');
