import type * as Y from 'yjs';
import { z } from 'zod';
import { readField } from './layout';
import type { InvariantViolation } from './invariants';

/*
 * Who an entry is shared with, and its status, as every replica reads them from what is stored.
 *
 * Plain fields are last-writer-wins per key, so two honest devices of one organization can merge
 * into a state neither wrote: consent withdrawn on one (`attribution`) while the other shared the
 * draft (`sharing`, `status`), or the entry made private on one (`sharing: private`,
 * `status: draft`) while the other widened it to the public (`sharing` alone). A withdrawal must
 * win, and the hub must never refuse it, so the reading resolves every such merge toward private:
 * the entry is a private draft when consent is `pending`, when `sharing` is `private`, or when
 * `status` is `draft` (only making an entry private writes `draft`, so a stored draft is the trace
 * of a withdrawal another key lost). The hub's read rules, pulls, `/yjs` and bundles go by this
 * reading (the `isPrivate` fact), so the merged entry leaves every other reader at once.
 *
 * An `endorsed` status counts only with an endorsement step that pins a version
 * (entryReview.ts): a status written without one (the old `setEndorsed`, or an entry endorsed
 * before review steps existed) reads as `shared`, so "Endorsed" always has a version behind it.
 */

export const sharingLabels = ['private', 'network', 'public'] as const;
export type SharingLabel = (typeof sharingLabels)[number];
export const entryStatuses = ['draft', 'shared', 'endorsed'] as const;
export type EntryStatus = (typeof entryStatuses)[number];

export interface SharingFields {
  readonly sharing: SharingLabel;
  readonly status: EntryStatus;
}

/** `fields.sharing` and `fields.status` as stored (tolerant: an unreadable value reads as private, draft). */
// Built once: every pulled or imported entry is read through these (issue 17).
const storedSchemas = { sharing: z.enum(sharingLabels), status: z.enum(entryStatuses) } as const;

export function storedSharingOf(doc: Y.Doc): SharingFields {
  return {
    sharing: readField(doc, 'sharing', storedSchemas.sharing, 'private'),
    status: readField(doc, 'status', storedSchemas.status, 'draft'),
  };
}

/** The sharing and status an entry reads as, from what is stored, its consent, and whether an endorsement pins a version. */
export function sharingAsRead(stored: SharingFields, consent: string, hasPinnedVersion: boolean): SharingFields {
  if (consent === 'pending' || stored.sharing === 'private' || stored.status === 'draft') return { sharing: 'private', status: 'draft' };
  return { sharing: stored.sharing, status: stored.status === 'endorsed' && hasPinnedVersion ? 'endorsed' : 'shared' };
}

/**
 * Consent `pending` keeps an entry its owner's private draft: local wisdom belongs to the people
 * who hold it, and nobody has said yet that it may go further. Checked on what a writer asks for
 * (create, setSharing); a merged state reads private instead (sharingAsRead).
 */
export function consentViolation(sharing: string, consent: string): InvariantViolation | null {
  return sharing !== 'private' && consent === 'pending'
    ? { field: 'sharing', reason: 'the knowledge holder has not given consent yet; keep it a private draft' }
    : null;
}

/**
 * What the hub holds a write of an entry's stored sharing and status to (strict write where no
 * honest merge can be at fault; `statusBefore` is the stored status before the change, null for a
 * new entry):
 * - a new entry's stored fields must be what it reads as: no race makes a new record, so a writer
 *   whose entry would silently read private learns it at once;
 * - a change that writes `status: endorsed` must leave the entry reading endorsed: the endorsement
 *   step pinning a version comes with it (entryReview.ts `endorseSubmission`). A status stored
 *   `endorsed` before the change (an older entry's, endorsed with no step) is left as it is.
 */
export function storedSharingViolation(stored: SharingFields, read: SharingFields, consent: string, statusBefore: unknown): InvariantViolation | null {
  if (statusBefore === null) {
    const consentRefusal = consentViolation(stored.sharing, consent);
    if (consentRefusal) return consentRefusal;
    if (stored.sharing === 'private' && stored.status !== 'draft') return { field: 'status', reason: 'a private entry is a draft; it cannot be shared or endorsed' };
    if (stored.sharing !== 'private' && stored.status === 'draft') return { field: 'status', reason: 'a shared entry is not a draft; a draft status makes it private' };
  }
  if (stored.status === 'endorsed' && statusBefore !== 'endorsed' && read.status !== 'endorsed') {
    return { field: 'status', reason: 'an entry is endorsed by an endorsement step that pins the version it endorses, not by its status alone' };
  }
  return null;
}
