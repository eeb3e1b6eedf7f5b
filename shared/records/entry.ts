import type * as Y from 'yjs';
import { z } from 'zod';
import { appendLog, fragmentText, readField, readLog, readSet, richText, setFragmentText, writeFields, writeSet } from './layout';
import { languageSchema, longText, mergedTagsSchema, tagSchema, nonEmptyText, orgIdSchema, shortText, tagsSchema, timeSchema } from './fieldSchemas';
import { regionKey, regionPathSchema } from './region';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';
import { RecordInputError } from './recordError';
import { entryInvariants } from './entryInvariants';
import { consentRecordSchema } from './entryConsent';
import { readTranslation, translationSchema } from './entryTranslation';
import { licenceSchema, readLicence, setEntryLicence, unspecifiedLicence } from './entryLicence';
import { consentViolation, entryStatuses, sharingAsRead, sharingLabels, storedSharingOf } from './entrySharing';
import { applyEntryLabel, entryLabelSchema, entryLabelsInputSchema, isOwnerOnly, readLabels, setEntryLabels, setEntryLabelTexts, writeLabels } from './entryLabels';
import { roleSchema } from './recordType';
import { allSections } from './entryTemplates';
import { authorStepSchema, reviewStepSchema } from './entryReviewSchema';
import { attachmentEntrySchema, attachmentMutators, readAttachments } from './attachments';

/*
 * An entry: a practice, a piece of local ("folk") wisdom, a challenge from the field, or a lesson.
 * Layout: plain fields in the `fields` map; tags as a set; the rich-text body and each template
 * section as their own Y.XmlFragment (`body`, `section.context`, ...) for the editor to bind to;
 * review notes as an append-only log.
 */

export const entryKinds = ['practice', 'local-wisdom', 'challenge', 'lesson'] as const;
export { entryStatuses, sharingLabels } from './entrySharing';
/** Every kind's template sections (entryTemplates.ts says which kind shows which). */
export const entrySections = allSections;
export type EntrySection = (typeof entrySections)[number];

/**
 * Consent given by the knowledge holder: `pending` blocks sharing beyond a private draft, since
 * local wisdom belongs to the people who hold it.
 */
export const consentLevels = ['pending', 'credit-by-name', 'anonymous', 'community-approved'] as const;

export const attributionSchema = z.object({
  holderKind: z.enum(['person', 'community']),
  holderName: shortText(200),
  consent: z.enum(consentLevels),
  /** Who gave consent, when, how and for what use (entryConsent.ts); absent on older entries. */
  consentRecord: consentRecordSchema.optional(),
});
export type Attribution = z.infer<typeof attributionSchema>;

export const reviewNoteSchema = z.object({
  byOrg: orgIdSchema,
  role: roleSchema,
  at: timeSchema,
  text: nonEmptyText(4000),
});
export type ReviewNote = z.infer<typeof reviewNoteSchema>;

const sectionsSchema = z.object(
  Object.fromEntries(entrySections.map((name) => [name, longText])) as Record<EntrySection, typeof longText>,
);

export const entryProjectionSchema = z.object({
  kind: z.enum(entryKinds),
  title: shortText(300),
  summary: shortText(2000),
  body: longText,
  sections: sectionsSchema,
  tags: mergedTagsSchema,
  topic: shortText(120),
  region: regionPathSchema,
  language: languageSchema,
  author: shortText(200),
  attribution: attributionSchema,
  sharing: z.enum(sharingLabels),
  status: z.enum(entryStatuses),
  reviewNotes: z.array(reviewNoteSchema),
  /** The review (entryReviewSchema.ts): the author's log and the reviewers'. */
  authorSteps: z.array(authorStepSchema),
  reviewSteps: z.array(reviewStepSchema),
  /** Sharing and cultural labels (entryLabels.ts). */
  labels: z.array(entryLabelSchema),
  /** Licence or conditions of use (entryLicence.ts). */
  licence: licenceSchema,
  /** Set on a translation: the original it translates and the translator (entryTranslation.ts). */
  translation: translationSchema.nullable(),
  /** Photos, voice recordings and documents, by reference (attachments.ts). */
  attachments: z.array(attachmentEntrySchema),
  ...timestampsShape,
});
export type EntryProjection = z.infer<typeof entryProjectionSchema>;

export const entryInputSchema = z.object({
  kind: z.enum(entryKinds),
  title: nonEmptyText(300),
  summary: shortText(2000).default(''),
  body: longText.default(''),
  sections: sectionsSchema.partial().default({}),
  tags: tagsSchema.default([]),
  topic: shortText(120).default(''),
  region: regionPathSchema.default([]),
  language: languageSchema,
  author: shortText(200).default(''),
  attribution: attributionSchema.default({ holderKind: 'person', holderName: '', consent: 'pending' }),
  sharing: z.enum(sharingLabels).default('private'),
  labels: entryLabelsInputSchema.default([]),
  licence: licenceSchema.default(unspecifiedLicence),
  translation: translationSchema.nullable().default(null),
});
export type EntryInput = z.input<typeof entryInputSchema>;

const defaultAttribution: Attribution = { holderKind: 'person', holderName: '', consent: 'pending' };

function sectionFragment(doc: Y.Doc, section: EntrySection): Y.XmlFragment {
  return richText(doc, `section.${section}`);
}

function assertConsentAllows(sharing: string, attribution: Attribution): void {
  const violation = consentViolation(sharing, attribution.consent);
  if (violation) throw new RecordInputError(violation.field, violation.reason);
}

// Built once: a zod schema costs far more to build than to check, and every pulled or imported
// entry is read through these (issue 17: building them per read was a third of an import's CPU).
const readSchemas = {
  kind: z.enum(entryKinds),
  title: shortText(300),
  summary: shortText(2000),
  topic: shortText(120),
  author: shortText(200),
} as const;

export const entry = defineRecord({
  type: 'entry',
  projectionSchema: entryProjectionSchema,
  inputSchema: entryInputSchema,
  init(doc, input) {
    assertConsentAllows(input.sharing, input.attribution);
    const { body, sections, tags, labels, ...plain } = input;
    writeFields(doc, { ...plain, status: input.sharing === 'private' ? 'draft' : 'shared' });
    writeSet(doc, 'tags', tags);
    writeLabels(doc, labels);
    setFragmentText(richText(doc, 'body'), body);
    for (const name of entrySections) {
      const text = sections[name];
      if (text) setFragmentText(sectionFragment(doc, name), text);
    }
  },
  read(doc) {
    const text = readSchemas;
    const attribution = readField(doc, 'attribution', attributionSchema, defaultAttribution);
    const reviewSteps = readLog(doc, 'reviewSteps', reviewStepSchema);
    // Derived, not read as stored: a merge of honest edits resolves toward private (entrySharing.ts).
    const { sharing, status } = sharingAsRead(storedSharingOf(doc), attribution.consent, reviewSteps.some((step) => step.kind === 'endorsed'));
    return {
      kind: readField(doc, 'kind', text.kind, 'practice'),
      title: readField(doc, 'title', text.title, ''),
      summary: readField(doc, 'summary', text.summary, ''),
      body: fragmentText(richText(doc, 'body')),
      sections: Object.fromEntries(
        entrySections.map((name) => [name, fragmentText(sectionFragment(doc, name))]),
      ) as Record<EntrySection, string>,
      tags: readSet(doc, 'tags', tagSchema),
      topic: readField(doc, 'topic', text.topic, ''),
      region: readField(doc, 'region', regionPathSchema, []),
      language: readField(doc, 'language', languageSchema, 'und'),
      author: readField(doc, 'author', text.author, ''),
      attribution,
      sharing,
      status,
      reviewNotes: readLog(doc, 'reviewNotes', reviewNoteSchema),
      authorSteps: readLog(doc, 'authorSteps', authorStepSchema),
      reviewSteps,
      labels: readLabels(doc),
      licence: readLicence(doc),
      translation: readTranslation(doc),
      attachments: readAttachments(doc),
    };
  },
  fieldActions: {
    reviewNotes: 'review',
    reviewSteps: 'review',
    // Endorsing, or taking an endorsement back from a shared entry, is a review. Making an entry
    // private again is always the owner's call (consent can be withdrawn), endorsed or not.
    status: (before, after) =>
      after.status === 'endorsed' || (before.status === 'endorsed' && after.status === 'shared') ? 'review' : 'edit',
  },
  index: (p) => ({
    title: p.title,
    status: p.status,
    kind: p.kind,
    // A translation is found from its original (the original's screen lists its translations).
    refId: p.translation?.of ?? '',
    tags: p.tags,
    region: regionKey(p.region),
  }),
  facts: (p) => ({ isPrivate: p.sharing === 'private', ...(isOwnerOnly(p.labels) ? { isOwnerOnly: true } : {}) }),
  invariants: entryInvariants,
});

// Not `entryInputSchema.pick(...).partial()`: a field keeps its create `.default()` through
// `.partial()`, so every field the caller left out would be overwritten with its default (editing
// the title blanked the summary, topic and author).
const fieldsInput = z
  .object({
    kind: z.enum(entryKinds),
    title: nonEmptyText(300),
    summary: shortText(2000),
    topic: shortText(120),
    region: regionPathSchema,
    language: languageSchema,
    author: shortText(200),
  })
  .partial();

export const entryMutators = {
  /** Plain fields: kind, title, summary, topic, region, language, author. */
  setFields: defineMutator('entry', 'setFields', 'edit', fieldsInput, (doc, values) => writeFields(doc, values)),
  setTags: defineMutator('entry', 'setTags', 'edit', tagsSchema, (doc, tags) => writeSet(doc, 'tags', tags)),
  setBody: defineMutator('entry', 'setBody', 'edit', longText, (doc, text) => setFragmentText(richText(doc, 'body'), text)),
  setSection: defineMutator(
    'entry',
    'setSection',
    'edit',
    z.object({ section: z.enum(entrySections), text: longText }),
    (doc, { section, text }) => setFragmentText(sectionFragment(doc, section), text),
  ),
  /**
   * Withdrawing consent (`pending`) is never refused: it makes the entry a private draft, in its
   * stored fields too. Whatever a merge left stored, sharing and status are written as the entry
   * reads, so giving consent again never re-shares what a withdrawal took back (entrySharing.ts).
   */
  setAttribution: defineMutator('entry', 'setAttribution', 'edit', attributionSchema, (doc, attribution) => {
    const { sharing, status } = entry.read(doc);
    writeFields(doc, { attribution, ...(attribution.consent === 'pending' ? { sharing: 'private', status: 'draft' } : { sharing, status }) });
  }),
  /** Choosing who may see it also moves a draft to shared and back. */
  setSharing: defineMutator('entry', 'setSharing', 'edit', z.enum(sharingLabels), (doc, sharing) => {
    const p = entry.read(doc);
    assertConsentAllows(sharing, p.attribution);
    writeFields(doc, { sharing, status: sharing === 'private' ? 'draft' : p.status === 'draft' ? 'shared' : p.status });
  }),
  addReviewNote: defineMutator('entry', 'addReviewNote', 'review', nonEmptyText(4000), (doc, text, ctx) =>
    appendLog(doc, 'reviewNotes', { byOrg: ctx.orgId, role: ctx.role, at: ctx.now, text }),
  ),
  /**
   * Takes an endorsement back: the entry reads `shared`, its endorsement steps stay in the log.
   * Endorsing is `entryReviewMutators.endorseSubmission`, which pins the version it endorses.
   */
  withdrawEndorsement: defineMutator('entry', 'withdrawEndorsement', 'review', z.undefined(), (doc) => {
    if (entry.read(doc).status !== 'endorsed') throw new RecordInputError('status', 'the entry is not endorsed');
    writeFields(doc, { status: 'shared' });
  }),
  setLabels: setEntryLabels,
  applyLabel: applyEntryLabel,
  setLabelTexts: setEntryLabelTexts,
  setLicence: setEntryLicence,
  ...attachmentMutators('entry'),
};

/** The editor binds Tiptap's Collaboration extension to these fragment names. */
export const entryFragmentNames = ['body', ...entrySections.map((name) => `section.${name}`)] as const;
