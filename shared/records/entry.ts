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
import { consentViolation } from './invariants';
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
export const sharingLabels = ['private', 'network', 'public'] as const;
export const entryStatuses = ['draft', 'shared', 'endorsed'] as const;
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
    const text = (max: number) => shortText(max);
    return {
      kind: readField(doc, 'kind', z.enum(entryKinds), 'practice'),
      title: readField(doc, 'title', text(300), ''),
      summary: readField(doc, 'summary', text(2000), ''),
      body: fragmentText(richText(doc, 'body')),
      sections: Object.fromEntries(
        entrySections.map((name) => [name, fragmentText(sectionFragment(doc, name))]),
      ) as Record<EntrySection, string>,
      tags: readSet(doc, 'tags', tagSchema),
      topic: readField(doc, 'topic', text(120), ''),
      region: readField(doc, 'region', regionPathSchema, []),
      language: readField(doc, 'language', languageSchema, 'und'),
      author: readField(doc, 'author', text(200), ''),
      attribution: readField(doc, 'attribution', attributionSchema, defaultAttribution),
      sharing: readField(doc, 'sharing', z.enum(sharingLabels), 'private'),
      status: readField(doc, 'status', z.enum(entryStatuses), 'draft'),
      reviewNotes: readLog(doc, 'reviewNotes', reviewNoteSchema),
      authorSteps: readLog(doc, 'authorSteps', authorStepSchema),
      reviewSteps: readLog(doc, 'reviewSteps', reviewStepSchema),
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
    refId: '',
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
  setAttribution: defineMutator('entry', 'setAttribution', 'edit', attributionSchema, (doc, attribution) => {
    const sharing = readField(doc, 'sharing', z.enum(sharingLabels), 'private');
    assertConsentAllows(sharing, attribution);
    writeFields(doc, { attribution });
  }),
  /** Choosing who may see it also moves a draft to shared and back. */
  setSharing: defineMutator('entry', 'setSharing', 'edit', z.enum(sharingLabels), (doc, sharing) => {
    assertConsentAllows(sharing, readField(doc, 'attribution', attributionSchema, defaultAttribution));
    const status = readField(doc, 'status', z.enum(entryStatuses), 'draft');
    const nextStatus = sharing === 'private' ? 'draft' : status === 'draft' ? 'shared' : status;
    writeFields(doc, { sharing, status: nextStatus });
  }),
  addReviewNote: defineMutator('entry', 'addReviewNote', 'review', nonEmptyText(4000), (doc, text, ctx) =>
    appendLog(doc, 'reviewNotes', { byOrg: ctx.orgId, role: ctx.role, at: ctx.now, text }),
  ),
  setEndorsed: defineMutator('entry', 'setEndorsed', 'review', z.boolean(), (doc, isEndorsed) => {
    const sharing = readField(doc, 'sharing', z.enum(sharingLabels), 'private');
    if (isEndorsed && sharing === 'private') throw new RecordInputError('status', 'a private draft cannot be endorsed');
    writeFields(doc, { status: isEndorsed ? 'endorsed' : sharing === 'private' ? 'draft' : 'shared' });
  }),
  setLabels: setEntryLabels,
  applyLabel: applyEntryLabel,
  setLabelTexts: setEntryLabelTexts,
  setLicence: setEntryLicence,
  ...attachmentMutators('entry'),
};

/** The editor binds Tiptap's Collaboration extension to these fragment names. */
export const entryFragmentNames = ['body', ...entrySections.map((name) => `section.${name}`)] as const;
