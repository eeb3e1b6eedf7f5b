import type * as Y from 'yjs';
import { z } from 'zod';
import { fields, writeFields } from './layout';
import { shortText } from './fieldSchemas';
import type { InvariantViolation } from './invariants';
import { defineMutator } from './recordModule';

/*
 * Sharing and cultural labels on an entry, after Local Contexts' Traditional Knowledge (TK) and
 * Biocultural (BC) labels (localcontexts.org): the community applies a label and says in its own
 * words, per language, what it asks of whoever reads the entry.
 *
 * Layout: `fields.labels`, a plain JSON array (last writer wins, like every plain field) of
 * `{ id, texts: { en, zh } }`, at most one per id. Read tolerantly (an item that does not parse is
 * left out), written strictly (the hub refuses a stored value that is not exactly what is read:
 * invariants.ts).
 *
 * Some labels are enforced, not only shown:
 * - `owner-only` (TK Secret/Sacred, TK Community Use Only): the entry never leaves its owning
 *   organization. Its read facts say so (`isOwnerOnly`), so the shared read rules
 *   (shared/rules/rules.ts) give no other organization, the secretariat included, any right to
 *   it: pulls, bundles and `/yjs` send it to nobody else and withdraw it from those who had it;
 *   reports and exports leave it out, saying how many and why (shared/reports/labelExclusion.ts).
 * - `notice` (TK Seasonal): its notice is shown wherever the entry is shown.
 * The others are shown with the entry.
 */

export const tkLabelIds = [
  'tk-attribution',
  'tk-community-use-only',
  'tk-seasonal',
  'tk-women-restricted',
  'tk-men-restricted',
  'tk-secret-sacred',
  'tk-culturally-sensitive',
  'tk-non-commercial',
  'tk-open-to-collaboration',
  'tk-verified',
  'tk-non-verified',
] as const;

export const bcLabelIds = ['bc-provenance', 'bc-consent-verified', 'bc-consent-non-verified', 'bc-non-commercial', 'bc-open-to-collaboration', 'bc-research-use'] as const;

export const entryLabelIds = [...tkLabelIds, ...bcLabelIds] as const;
export type EntryLabelId = (typeof entryLabelIds)[number];

/** Labels that keep the entry inside its owning organization (read rules, pulls, bundles, /yjs, reports). */
export const ownerOnlyLabelIds: readonly EntryLabelId[] = ['tk-secret-sacred', 'tk-community-use-only'];
/** Labels whose notice is shown wherever the entry is shown. */
export const noticeLabelIds: readonly EntryLabelId[] = ['tk-seasonal'];

/** Pairs that cannot both apply: a label and its opposite. */
const exclusivePairs: readonly (readonly [EntryLabelId, EntryLabelId])[] = [
  ['tk-verified', 'tk-non-verified'],
  ['bc-consent-verified', 'bc-consent-non-verified'],
  ['tk-women-restricted', 'tk-men-restricted'],
];

/** The community's own words for a label, per language of the network ('' where not written). */
export const labelTextsSchema = z.strictObject({ en: shortText(2000), zh: shortText(2000) });
export type LabelTexts = z.infer<typeof labelTextsSchema>;

export const entryLabelSchema = z.strictObject({ id: z.enum(entryLabelIds), texts: labelTextsSchema });
export type EntryLabel = z.infer<typeof entryLabelSchema>;

export const MAX_LABELS = entryLabelIds.length;

/** What `setLabels` takes: one label per id, each text trimmed. */
export const entryLabelsInputSchema = z.array(entryLabelSchema).max(MAX_LABELS);

/** The entry's labels as stored, leaving out items that do not parse (tolerant read). */
export function readLabels(doc: Y.Doc): EntryLabel[] {
  const raw = fields(doc).get('labels');
  if (!Array.isArray(raw)) return [];
  const labels: EntryLabel[] = [];
  for (const item of raw) {
    const parsed = entryLabelSchema.safeParse(item);
    if (parsed.success) labels.push(parsed.data);
  }
  return labels;
}

export function isOwnerOnly(labels: readonly Pick<EntryLabel, 'id'>[]): boolean {
  return labels.some((label) => ownerOnlyLabelIds.includes(label.id));
}

/** The labels whose notice must be shown with the entry (seasonal). */
export function noticeLabels(labels: readonly EntryLabel[]): EntryLabel[] {
  return labels.filter((label) => noticeLabelIds.includes(label.id));
}

/** The community's text in `language` ('en' or 'zh'/'zh-CN'), else in the other language, else ''. */
export function labelText(label: EntryLabel, language: string): string {
  const own = language.startsWith('zh') ? label.texts.zh : label.texts.en;
  return own || label.texts.en || label.texts.zh;
}

/** Labels invariants: one label per id, none with its opposite. */
export function labelsViolation(labels: readonly EntryLabel[]): InvariantViolation | null {
  const ids = new Set<string>();
  for (const label of labels) {
    if (ids.has(label.id)) return { field: 'labels', reason: `the label ${label.id} is applied twice` };
    ids.add(label.id);
  }
  for (const [a, b] of exclusivePairs) {
    if (ids.has(a) && ids.has(b)) return { field: 'labels', reason: `${a} and ${b} cannot both apply` };
  }
  return null;
}

/** Replaces the entry's labels (with their texts): an `edit`, the owner's. */
export const setEntryLabels = defineMutator('entry', 'setLabels', 'edit', entryLabelsInputSchema, (doc, labels) => writeFields(doc, { labels }));

/** `labels` with `id` applied (its opposite, if any, taken off) or taken off; the others kept in order. */
export function toggledLabels(labels: readonly EntryLabel[], id: EntryLabelId, isOn: boolean): EntryLabel[] {
  const opposite = exclusivePairs.flatMap(([a, b]) => (a === id ? [b] : b === id ? [a] : []));
  const kept = labels.filter((label) => label.id !== id && !(isOn && opposite.includes(label.id)));
  return isOn ? [...kept, labels.find((label) => label.id === id) ?? { id, texts: { en: '', zh: '' } }] : kept;
}

/**
 * Applies or takes off one label on the labels the doc holds when it runs: two quick edits of one
 * form (a text saved as a checkbox is ticked) each build on the other instead of writing back a
 * list read before the other landed.
 */
export const applyEntryLabel = defineMutator('entry', 'applyLabel', 'edit', z.strictObject({ id: z.enum(entryLabelIds), isOn: z.boolean() }), (doc, { id, isOn }) =>
  writeFields(doc, { labels: toggledLabels(readLabels(doc), id, isOn) }),
);

/** Sets the community's words of one applied label, in the languages given, on the labels the doc holds. */
export const setEntryLabelTexts = defineMutator('entry', 'setLabelTexts', 'edit', z.strictObject({ id: z.enum(entryLabelIds), texts: labelTextsSchema.partial() }), (doc, { id, texts }) =>
  writeFields(doc, { labels: readLabels(doc).map((label) => (label.id === id ? { ...label, texts: { ...label.texts, ...texts } } : label)) }),
);
