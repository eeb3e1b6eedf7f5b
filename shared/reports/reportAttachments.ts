import type { BlobContent } from '../blobs/blobRef';
import type { AttachmentEntry } from '../records/attachments';
import { isLeftOutOfReports } from '../records/entryLabels';
import type { ViewOf } from './reportData';
import type { ReportAttachment, ReportEntryAttachments, ReportLocale, ReportModel, ReportPhoto } from './reportModel';

/*
 * Which of an entry's attachments a report shows, and how: the one home of the rule, which every
 * format follows because each renders only what the model holds.
 *
 * - An attachment whose holder's consent is `pending` is not in the report at all: not its bytes,
 *   not its name or caption (which can say as much as the photo). The entry says how many.
 * - A private entry's photos are never printed (a report is for people outside the
 *   organization), even where a digest was asked to list private drafts: its attachments are
 *   named, not shown.
 * - An entry left out for its labels (labelExclusion.ts) never reaches the builders, so neither
 *   does anything attached to it.
 * - A photo is shown from its preview, else its thumbnail; never the original (a report stays a
 *   few megabytes, and an original may keep location data). A rendition larger than a preview
 *   can be, or of a type a report does not embed, is not tried.
 */

/** Largest rendition a report embeds: a ~1024 px JPEG preview is well under this. */
export const MAX_EMBEDDED_PHOTO_BYTES = 2 * 1024 * 1024;

/** The image types a report embeds; the bytes are also checked to be one (reportPhotos.ts). */
export const embeddableImageTypes: readonly string[] = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

/** May this attachment appear in a report at all (its name, its caption, its bytes)? */
export const isReportableAttachment = (attachment: AttachmentEntry): boolean => attachment.consent !== 'pending';

/** A photo's key among the report's choices: its entry and its attachment. */
export const photoKey = (entryId: string, attachmentId: string): string => `${entryId}/${attachmentId}`;

/** The photos a report may show, as the screen offers them to leave out: photos of shared entries no label keeps out, whose consent allows it. */
export function choosablePhotos(entries: readonly ViewOf<'entry'>[]): { readonly key: string; readonly title: string; readonly name: string }[] {
  return entries.flatMap((view) =>
    view.projection.sharing === 'private' || isLeftOutOfReports(view.projection.labels)
      ? []
      : view.projection.attachments.filter((attachment) => attachment.kind === 'photo' && isReportableAttachment(attachment)).map((attachment) => ({ key: photoKey(view.header.id, attachment.id), title: view.projection.title, name: attachment.name })),
  );
}

/** The renditions of a photo a report may embed, best first. */
export function photoSources(attachment: AttachmentEntry): BlobContent[] {
  const { preview, thumbnail } = attachment.ref.variants;
  return [preview, thumbnail].filter((content): content is BlobContent => content !== undefined && content.sizeBytes <= MAX_EMBEDDED_PHOTO_BYTES && embeddableImageTypes.includes(content.mediaType));
}

export function attachmentLine(attachment: Pick<AttachmentEntry, 'kind' | 'name' | 'caption'>, locale: ReportLocale): string {
  const kind = locale.t(`reports.doc.attachment.kind.${attachment.kind}`);
  return attachment.caption
    ? locale.t('reports.doc.attachment.lineWithCaption', { kind, name: attachment.name, caption: attachment.caption })
    : locale.t('reports.doc.attachment.line', { kind, name: attachment.name });
}

/** An entry's attachments as its report item holds them; null when nothing is attached. */
export function entryAttachments(view: ViewOf<'entry'>, locale: ReportLocale, includePhotos: boolean, leftOutPhotos: ReadonlySet<string> = new Set()): ReportEntryAttachments | null {
  const all = view.projection.attachments;
  if (all.length === 0) return null;
  const { t } = locale;
  const shown = all.filter(isReportableAttachment);
  const pending = all.length - shown.length;
  const isPrivate = view.projection.sharing === 'private';
  const mayShowPhotos = includePhotos && !isPrivate;
  const items = shown.map((attachment): ReportAttachment => {
    const item = { id: attachment.id, kind: attachment.kind, name: attachment.name, caption: attachment.caption, line: attachmentLine(attachment, locale) };
    if (!mayShowPhotos || attachment.kind !== 'photo' || leftOutPhotos.has(photoKey(view.header.id, attachment.id))) return item;
    const photo: ReportPhoto = {
      sources: photoSources(attachment),
      alt: attachment.caption || attachment.name,
      missingText: t('reports.doc.attachment.notDownloaded', { name: attachment.name }),
    };
    return { ...item, photo };
  });
  const notes = [
    ...(pending === 1 ? [t('reports.doc.attachment.pendingOne')] : pending > 1 ? [t('reports.doc.attachment.pending', { n: pending })] : []),
    ...(includePhotos && isPrivate && shown.some((attachment) => attachment.kind === 'photo') ? [t('reports.doc.attachment.privateEntry')] : []),
  ];
  return { heading: t('reports.doc.attachment.heading'), items, notes };
}

/** The CSV cell: one line per attachment shown, then the notes. */
export function attachmentsCell(attachments: ReportEntryAttachments | null): string {
  return attachments ? [...attachments.items.map((item) => item.line), ...attachments.notes].join('\n') : '';
}

/** Every photo the model's documents may show, in order; what reportPhotos.ts loads. */
export function photosOf(model: Pick<ReportModel, 'sections'>): ReportPhoto[] {
  return model.sections.flatMap((section) =>
    section.blocks.flatMap((block) => (block.kind === 'entries' ? block.items.flatMap((item) => (item.attachments?.items ?? []).flatMap((attachment) => (attachment.photo ? [attachment.photo] : []))) : [])),
  );
}

/** The model with a line of its criteria saying whether photos are in it (unchanged when nothing in it has a photo). */
export function sayWhetherPhotos(model: ReportModel, locale: ReportLocale, includePhotos: boolean, leftOutPhotos: ReadonlySet<string> = new Set()): ReportModel {
  const photoKeys = model.sections.flatMap((section) =>
    section.blocks.flatMap((block) => (block.kind === 'entries' ? block.items.flatMap((item) => (item.attachments?.items ?? []).filter((attachment) => attachment.kind === 'photo').map((attachment) => photoKey(item.id, attachment.id))) : [])),
  );
  if (photoKeys.length === 0) return model;
  const chosenOut = photoKeys.filter((key) => leftOutPhotos.has(key)).length;
  const line = !includePhotos
    ? locale.t('reports.doc.criteria.noPhotos')
    : chosenOut > 0
      ? locale.t('reports.doc.criteria.photosSome', { n: chosenOut })
      : locale.t('reports.doc.criteria.photos');
  return { ...model, criteria: [...model.criteria, line] };
}
