import { sha256 } from '@noble/hashes/sha2.js';
import type * as Y from 'yjs';
import { z } from 'zod';
import { entryVersionSchema, type EntryVersion } from './entryReviewSchema';
import { allSections, versionSectionsOf, type TemplateSection } from './entryTemplates';
import { shortText, longText, nonEmptyText, timeSchema } from './fieldSchemas';
import { firstViolation, nonEmpty, sortedKeysJson, type InvariantViolation } from './invariants';
import { fragmentText, readField, richText, setFragmentText, writeFields } from './layout';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';
import { recordIdSchema } from './recordType';
import { setFragmentJson } from './richTextJson';

/*
 * The author's draft of an endorsed entry: a record of its own, type `draft`, id
 * `draft~<entry id>`, owned by the entry's organization. Once an entry is endorsed, everyone who
 * reads it reads the endorsed (pinned) version, and the whole entry doc goes wherever the entry
 * goes (pull, `/yjs`, bundles): a draft typed into the entry would reach every reader's device,
 * whatever the screens show. So the author's words go here instead, and this record never leaves
 * its organization: the rules table gives no other organization any action on a `draft`, the
 * secretariat included (shared/rules/rules.ts), and the hub refuses a draft that is not its own
 * entry's (server/hub/entryDrafts.ts). Submitting it for review copies its text into the entry in
 * one change (entryReview.ts `submitDraftForReview`): from then on reviewers read it, as they read
 * any submission.
 *
 * Its layout is the part of an entry's that a version holds (entryReviewSchema.ts): `fields.kind`,
 * `title`, `summary`, the `body` fragment and the `section.<name>` fragments; `fields.draftOf` names
 * the entry; `fields.sharing` is `private` and may hold nothing else.
 *
 * Two devices of the organization may each start the draft offline. Its first state is therefore
 * built under a Yjs client id derived from what it starts from (`seed`), never the device's own:
 * two devices starting from the same entry write the very same items, which merge into one; two
 * starting from different text (one had not heard of an edit yet) write under different ids, and
 * both texts are kept for the author to sort out, nothing lost. Every later edit is the device's own.
 */

export const DRAFT_ID_PREFIX = 'draft~';

/** The id of `entryId`'s draft. */
export const draftIdOf = (entryId: string): string => `${DRAFT_ID_PREFIX}${entryId}`;

const sectionsSchema = z.object(Object.fromEntries(allSections.map((name) => [name, longText])) as Record<TemplateSection, typeof longText>);

export const draftProjectionSchema = z.object({
  /** The entry this drafts; '' on a record that names none (the hub refuses it: wrong-id). */
  draftOf: z.string(),
  /** Always `private`: a draft is its organization's alone. */
  sharing: z.literal('private'),
  kind: entryVersionSchema.shape.kind,
  title: shortText(300),
  summary: shortText(2000),
  sections: sectionsSchema,
  body: longText,
  ...timestampsShape,
});
export type DraftProjection = z.infer<typeof draftProjectionSchema>;

export const draftInputSchema = z.object({
  draftOf: recordIdSchema,
  /** The text it starts from: the entry as it reads when the author starts drafting. */
  version: entryVersionSchema,
  /** When the entry was endorsed: the draft's creation time, the same on every device. */
  at: timeSchema,
});
export type DraftInput = z.input<typeof draftInputSchema>;

/** Writes `version`'s text into `doc` (an entry's or a draft's): its plain fields, and its fragments with their formatting. */
export function writeVersion(doc: Y.Doc, version: EntryVersion): void {
  writeFields(doc, { kind: version.kind, title: version.title, summary: version.summary });
  const write = (name: string, text: string, rich: Parameters<typeof setFragmentJson>[1] | undefined) => {
    if (rich) setFragmentJson(richText(doc, name), rich);
    else setFragmentText(richText(doc, name), text);
  };
  write('body', version.body, version.rich?.body);
  for (const name of versionSectionsOf(version.kind)) {
    const fragment = richText(doc, `section.${name}`);
    const text = version.sections[name];
    if (text === undefined) {
      if (fragment.length > 0) fragment.delete(0, fragment.length);
    } else write(`section.${name}`, text, version.rich?.sections?.[name]);
  }
}

/** A Yjs client id (a positive 32-bit integer) that is a function of what a draft starts from. */
function seedClientId(input: z.infer<typeof draftInputSchema>): number {
  const digest = sha256(new TextEncoder().encode(sortedKeysJson(input)));
  // Never 0: some tools take 0 for "no client".
  return (((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0) || 1;
}

/** A draft is its own entry's (id) and has a title, as the entry it will be copied into must. */
function draftInvariants(p: DraftProjection): InvariantViolation | null {
  return firstViolation(nonEmpty('draftOf', p.draftOf), nonEmpty('title', p.title));
}

export const draft = defineRecord({
  type: 'draft',
  projectionSchema: draftProjectionSchema,
  inputSchema: draftInputSchema,
  init(doc, input) {
    writeFields(doc, { draftOf: input.draftOf, sharing: 'private' });
    writeVersion(doc, input.version);
  },
  read(doc) {
    return {
      draftOf: readField(doc, 'draftOf', z.string(), ''),
      sharing: 'private' as const,
      kind: readField(doc, 'kind', entryVersionSchema.shape.kind, 'practice'),
      title: readField(doc, 'title', shortText(300), ''),
      summary: readField(doc, 'summary', shortText(2000), ''),
      sections: Object.fromEntries(allSections.map((name) => [name, fragmentText(richText(doc, `section.${name}`))])) as Record<TemplateSection, string>,
      body: fragmentText(richText(doc, 'body')),
    };
  },
  index: (p) => ({ title: p.title, status: 'draft', kind: p.kind, refId: p.draftOf, tags: [], region: '' }),
  // Belt and braces: the rules table already gives no other organization anything of a draft.
  facts: () => ({ isPrivate: true, isOwnerOnly: true }),
  invariants: draftInvariants,
  deriveId: (input) => draftIdOf(input.draftOf),
  seed: (input) => ({ clientId: seedClientId(input), now: input.at }),
});

const draftFieldsInput = z.object({ kind: entryVersionSchema.shape.kind, title: nonEmptyText(300), summary: shortText(2000) }).partial();

export const draftMutators = {
  /** The draft's plain text fields; its rich text is edited on the doc by the editor. */
  setFields: defineMutator('draft', 'setFields', 'edit', draftFieldsInput, (doc, values) => writeFields(doc, values)),
};
