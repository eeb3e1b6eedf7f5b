import type * as Y from 'yjs';
import { z } from 'zod';
import { blobRefSchema, blobsOf } from '../blobs/blobRef';
import { orgIdSchema, shortText, timeSchema } from './fieldSchemas';
import type { InvariantViolation } from './invariants';
import { defineMutator } from './recordModule';
import { RecordInputError } from './recordError';
import type { RecordType } from './recordType';

/*
 * Photos, voice recordings and documents on a record (issue 18). The bytes never enter the Y.Doc
 * (shared/blobs/blobRef.ts): an attachment holds a BlobRef (the original's SHA-256, size and
 * type, and its preview and thumbnail), a caption, and the knowledge holder's consent for it.
 *
 * Layout: the top-level map `map.attachments`, attachment id -> attachment, one key per
 * attachment, so two devices attaching at once both keep theirs (as `map.labels`, entryLabels.ts).
 * Read tolerantly (a value that does not parse is left out), written strictly (the hub refuses a
 * stored key or value that does not read back as written: `storedAttachmentsViolation`).
 *
 * An attachment follows its record: whoever may read the record may read its blobs, except that
 * an attachment whose consent is `pending` leaves its owning organization as a reference only,
 * never as bytes (the hub's blob read rule, docs/PROTOCOL.md "Blobs").
 */

export const attachmentKinds = ['photo', 'audio', 'document'] as const;
export type AttachmentKind = (typeof attachmentKinds)[number];

/**
 * The knowledge holder's consent for this attachment: `given`; `pending` (kept on the owner's
 * devices, its bytes shared with nobody else); `not-needed` (no person or community's knowledge
 * in it, e.g. a scanned fee schedule).
 */
export const attachmentConsents = ['given', 'pending', 'not-needed'] as const;
export type AttachmentConsent = (typeof attachmentConsents)[number];

export const MAX_ATTACHMENTS = 100;

/** An attachment's key in `map.attachments`: made by the device that attaches it. */
export const attachmentIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be 1 to 64 lowercase letters, digits or dashes');

export const attachmentSchema = z.strictObject({
  kind: z.enum(attachmentKinds),
  ref: blobRefSchema,
  /** The file's name as picked or recorded (shown in lists, CSV and Markdown). */
  name: shortText(255),
  caption: shortText(2000),
  consent: z.enum(attachmentConsents),
  /** Photos: location and camera data (EXIF) were kept at the author's choice; removed otherwise. */
  keepsLocation: z.boolean(),
  /** Photos: the original's size in pixels; audio: its length. Absent where unknown. */
  widthPx: z.number().int().positive().max(100_000).optional(),
  heightPx: z.number().int().positive().max(100_000).optional(),
  durationMs: z.number().int().nonnegative().max(24 * 3600_000).optional(),
  addedAt: timeSchema,
  addedBy: orgIdSchema,
});
export type Attachment = z.infer<typeof attachmentSchema>;

/** An attachment as a projection lists it: with its key. */
export type AttachmentEntry = Attachment & { readonly id: string };
export const attachmentEntrySchema = attachmentSchema.extend({ id: attachmentIdSchema });

const ATTACHMENTS_MAP = 'map.attachments';

function attachmentsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ATTACHMENTS_MAP);
}

/** The record's attachments, oldest first (then by id), leaving out what does not parse. */
export function readAttachments(doc: Y.Doc): AttachmentEntry[] {
  const list: AttachmentEntry[] = [];
  for (const [id, value] of attachmentsMap(doc).entries()) {
    if (!attachmentIdSchema.safeParse(id).success) continue;
    const parsed = attachmentSchema.safeParse(value);
    if (parsed.success) list.push({ id, ...parsed.data });
  }
  return list.sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

/** Strict write: every key is an attachment id, every value reads back exactly as written, at most MAX_ATTACHMENTS. */
export function storedAttachmentsViolation(doc: Y.Doc): InvariantViolation | null {
  const map = attachmentsMap(doc);
  if (map.size > MAX_ATTACHMENTS) return { field: 'attachments', reason: `a record may hold at most ${MAX_ATTACHMENTS} attachments` };
  for (const [id, value] of map.entries()) {
    if (!attachmentIdSchema.safeParse(id).success) return { field: 'attachments', reason: `${id} is not an attachment id` };
    const parsed = attachmentSchema.safeParse(value);
    if (!parsed.success || canonical(parsed.data) !== canonical(value)) return { field: 'attachments', reason: `the attachment ${id} holds a value attachments do not allow` };
  }
  return null;
}

/** Every blob hash the attachments of a projection reference (each rendition), each once. */
export function referencedBlobs(projection: unknown): string[] {
  const attachments = (projection as { attachments?: unknown } | null)?.attachments;
  if (!Array.isArray(attachments)) return [];
  const hashes = new Set<string>();
  for (const item of attachments) {
    const parsed = attachmentEntrySchema.safeParse(item);
    if (parsed.success) for (const { content } of blobsOf(parsed.data.ref)) hashes.add(content.sha256);
  }
  return [...hashes];
}

/** The mutators every record type with attachments gets: an `edit`, the owner's. */
export function attachmentMutators(type: RecordType) {
  return {
    addAttachment: defineMutator(type, 'addAttachment', 'edit', z.strictObject({ id: attachmentIdSchema, attachment: attachmentSchema.omit({ addedAt: true, addedBy: true }) }), (doc, { id, attachment }, ctx) => {
      const map = attachmentsMap(doc);
      if (!map.has(id) && map.size >= MAX_ATTACHMENTS) throw new RecordInputError('attachments', `a record may hold at most ${MAX_ATTACHMENTS} attachments`);
      map.set(id, { ...attachment, addedAt: ctx.now, addedBy: ctx.orgId });
    }),
    setAttachmentCaption: defineMutator(type, 'setAttachmentCaption', 'edit', z.strictObject({ id: attachmentIdSchema, caption: shortText(2000) }), (doc, { id, caption }) => update(doc, id, { caption })),
    setAttachmentConsent: defineMutator(type, 'setAttachmentConsent', 'edit', z.strictObject({ id: attachmentIdSchema, consent: z.enum(attachmentConsents) }), (doc, { id, consent }) => update(doc, id, { consent })),
    removeAttachment: defineMutator(type, 'removeAttachment', 'edit', attachmentIdSchema, (doc, id) => void attachmentsMap(doc).delete(id)),
  };
}

function update(doc: Y.Doc, id: string, change: Partial<Attachment>): void {
  const map = attachmentsMap(doc);
  const parsed = attachmentSchema.safeParse(map.get(id));
  if (!parsed.success) throw new RecordInputError('attachments', `no attachment ${id} on this record`);
  map.set(id, { ...parsed.data, ...change });
}
