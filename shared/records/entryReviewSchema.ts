import { z } from 'zod';
import { longText, nonEmptyText, orgIdSchema, shortText, timeSchema } from './fieldSchemas';
import { roleSchema } from './recordType';
import { allSections, type TemplateSection } from './entryTemplates';
import { richBlocksSchema } from './richTextJson';

/*
 * The review of an entry, as two append-only logs in its doc (docs/PROTOCOL.md, Review):
 * - `log.authorSteps`, written by the entry's organization: `submitted` (with the version it
 *   submits, a copy of the entry: plain text, and its rich text as written) and `reply` (the author's word in the review thread);
 * - `log.reviewSteps`, written by reviewers (the secretariat, a steward granted `review`), never by
 *   the entry's own organization: `comment`, `changes-requested` and `endorsed`, each naming the
 *   submission it answers; an endorsement carries a copy of that submission's version, which is
 *   the pinned, endorsed version others read. Live log items survive compaction.
 */

export const authorStepKinds = ['submitted', 'reply'] as const;
export const reviewStepKinds = ['comment', 'changes-requested', 'endorsed'] as const;

/** The rich text of each field with text (`body` and the kind's sections), as ProseMirror JSON blocks (richTextJson.ts). */
const versionRichSchema = z.object({
  body: richBlocksSchema.optional(),
  sections: z.object(Object.fromEntries(allSections.map((name) => [name, richBlocksSchema.optional()])) as Record<TemplateSection, z.ZodOptional<typeof richBlocksSchema>>).optional(),
});
export type VersionRich = z.infer<typeof versionRichSchema>;

/**
 * A version of an entry, what was submitted, what was endorsed: its plain text, and (from this
 * version of the app on) `rich`, the same fields with their formatting, so the history shows the
 * headings, lists and bold as written. A version without `rich` (an older one) shows as plain text.
 */
export const entryVersionSchema = z.object({
  kind: z.enum(['practice', 'local-wisdom', 'challenge', 'lesson']),
  title: shortText(300),
  summary: shortText(2000),
  /** The template's sections with text; empty ones are left out. */
  sections: z.object(Object.fromEntries(allSections.map((name) => [name, longText.optional()])) as Record<TemplateSection, z.ZodOptional<typeof longText>>),
  body: longText,
  rich: versionRichSchema.optional(),
});
export type EntryVersion = z.infer<typeof entryVersionSchema>;
export type VersionSections = Partial<Record<TemplateSection, string>>;

const stepBase = {
  /** Unique within the entry: the writer's device id and clock. */
  id: nonEmptyText(200),
  byOrg: orgIdSchema,
  role: roleSchema,
  at: timeSchema,
  note: shortText(4000),
};

export const authorStepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('submitted'), ...stepBase, version: entryVersionSchema }),
  z.object({ kind: z.literal('reply'), ...stepBase, note: nonEmptyText(4000) }),
]);
export type AuthorStep = z.infer<typeof authorStepSchema>;

export const reviewStepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('comment'), ...stepBase, note: nonEmptyText(4000), submissionId: z.string().max(200) }),
  z.object({ kind: z.literal('changes-requested'), ...stepBase, note: nonEmptyText(4000), submissionId: nonEmptyText(200) }),
  z.object({ kind: z.literal('endorsed'), ...stepBase, submissionId: nonEmptyText(200), version: entryVersionSchema }),
]);
export type ReviewStep = z.infer<typeof reviewStepSchema>;
