import { z } from 'zod';
import { readField, writeFields } from './layout';
import { nonEmptyText, reasonText, shortText, timeSchema } from './fieldSchemas';
import { commentInvariants } from './invariants';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';
import { recordIdSchema } from './recordType';

/*
 * A comment or suggestion on a proposal or an entry; one record per comment, so only its own
 * organization writes it. Threads link by `parentId`. The secretariat can hide a comment (kept,
 * with the reason) but never edit its text.
 */

const hiddenSchema = z.object({ reason: nonEmptyText(500), byOrg: recordIdSchema, at: timeSchema });

export const commentProjectionSchema = z.object({
  targetId: z.string(),
  parentId: z.string().nullable(),
  kind: z.enum(['comment', 'suggestion']),
  text: shortText(8000),
  authorName: shortText(200),
  hidden: hiddenSchema.nullable(),
  ...timestampsShape,
});
export type CommentProjection = z.infer<typeof commentProjectionSchema>;

export const commentInputSchema = z.object({
  targetId: recordIdSchema,
  parentId: recordIdSchema.nullable().default(null),
  kind: z.enum(['comment', 'suggestion']).default('comment'),
  text: nonEmptyText(8000),
  authorName: shortText(200).default(''),
});
export type CommentInput = z.input<typeof commentInputSchema>;

export const comment = defineRecord({
  type: 'comment',
  projectionSchema: commentProjectionSchema,
  inputSchema: commentInputSchema,
  init(doc, input) {
    writeFields(doc, { ...input, hidden: null });
  },
  read(doc) {
    return {
      targetId: readField(doc, 'targetId', z.string(), ''),
      parentId: readField(doc, 'parentId', z.string().nullable(), null),
      kind: readField(doc, 'kind', z.enum(['comment', 'suggestion']), 'comment'),
      text: readField(doc, 'text', shortText(8000), ''),
      authorName: readField(doc, 'authorName', shortText(200), ''),
      hidden: readField(doc, 'hidden', hiddenSchema.nullable(), null),
    };
  },
  fieldActions: { hidden: 'moderate' },
  invariants: commentInvariants,
  index: (p) => ({ title: '', status: p.hidden ? 'hidden' : 'visible', kind: p.kind, refId: p.targetId, tags: [], region: '' }),
  facts: (p) => ({ isHidden: p.hidden !== null }),
});

export const commentMutators = {
  setText: defineMutator('comment', 'setText', 'edit', nonEmptyText(8000), (doc, text) => writeFields(doc, { text })),
  hide: defineMutator('comment', 'hide', 'moderate', reasonText(500), (doc, reason, ctx) =>
    writeFields(doc, { hidden: { reason, byOrg: ctx.orgId, at: ctx.now } }),
  ),
  unhide: defineMutator('comment', 'unhide', 'moderate', z.undefined(), (doc) => writeFields(doc, { hidden: null })),
};
