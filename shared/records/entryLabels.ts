import type * as Y from 'yjs';
import { z } from 'zod';
import { shortText } from './fieldSchemas';
import type { InvariantViolation } from './invariants';
import { defineMutator } from './recordModule';

/*
 * Sharing and cultural labels on an entry, after Local Contexts' Traditional Knowledge (TK) and
 * Biocultural (BC) labels (localcontexts.org): the community applies a label and says in its own
 * words, per language, what it asks of whoever reads the entry.
 *
 * Layout: the top-level map `map.labels`, label id -> `{ en, zh }` (the community's texts), one key
 * per applied label. Per-label keys, not one list: two devices of one organization labelling at
 * once (one applies TK Secret/Sacred, the other TK Attribution) both keep their label, where a
 * last-writer-wins list lost one of them and so could let a secret entry out (an attack of the
 * adversarial pass). Read tolerantly (a key or texts that do not parse are left out), written
 * strictly (the hub refuses a stored key or value that does not read back as written:
 * `storedLabelsViolation`), in the order of `entryLabelIds`.
 *
 * Some labels are enforced, not only shown:
 * - `owner-only` (TK Secret/Sacred, TK Community Use Only): the entry never leaves its owning
 *   organization. Its read facts say so (`isOwnerOnly`), so the shared read rules
 *   (shared/rules/rules.ts) give no other organization, the secretariat included, any right to
 *   it: pulls, bundles and `/yjs` send it to nobody else and withdraw it from those who had it;
 *   reports and exports leave it out, saying how many and why (shared/reports/labelExclusion.ts).
 * - `notice` (TK Seasonal, TK Women Restricted, TK Men Restricted): its notice is shown wherever
 *   the entry is shown.
 * - `audience` (TK Women Restricted, TK Men Restricted): who may hear the knowledge turns on a
 *   trait the network does not record (nobody's gender is known to it), so the hub cannot keep the
 *   entry from the wrong readers and shares it as its sharing says; what can be enforced is: its
 *   notice wherever it is shown, and it is left out of every report and export (made for people
 *   outside the organization, an audience nobody vouches for), which says how many and why.
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
/** Labels that limit who may hear the knowledge by a trait the network does not know: left out of reports and exports, with a notice. */
export const audienceLabelIds: readonly EntryLabelId[] = ['tk-women-restricted', 'tk-men-restricted'];
/** Labels whose notice is shown wherever the entry is shown. */
export const noticeLabelIds: readonly EntryLabelId[] = ['tk-seasonal', ...audienceLabelIds];
/** Labels that keep the entry out of reports and exports, in the order a report gives the reason. */
export const reportExcludedLabelIds: readonly EntryLabelId[] = [...ownerOnlyLabelIds, ...audienceLabelIds];

/** The catalog key of a notice label's notice (`labels.notice.<key>`). */
export const noticeKeyOf = (id: EntryLabelId): string => (id === 'tk-women-restricted' ? 'womenRestricted' : id === 'tk-men-restricted' ? 'menRestricted' : 'seasonal');

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

const LABELS_MAP = 'map.labels';

function labelsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(LABELS_MAP);
}

const isLabelId = (key: string): key is EntryLabelId => (entryLabelIds as readonly string[]).includes(key);

/** The entry's labels as stored, in `entryLabelIds` order, leaving out keys and texts that do not parse (tolerant read). */
export function readLabels(doc: Y.Doc): EntryLabel[] {
  const map = labelsMap(doc);
  const labels: EntryLabel[] = [];
  for (const id of entryLabelIds) {
    if (!map.has(id)) continue;
    const texts = labelTextsSchema.safeParse(map.get(id));
    if (texts.success) labels.push({ id, texts: texts.data });
  }
  return labels;
}

/** Strict write: every stored key is a label id and every value reads back exactly as written. */
export function storedLabelsViolation(doc: Y.Doc): InvariantViolation | null {
  for (const [key, value] of labelsMap(doc).entries()) {
    if (!isLabelId(key)) return { field: 'labels', reason: `${key} is not a label this network knows` };
    const texts = labelTextsSchema.safeParse(value);
    if (!texts.success || JSON.stringify(sortedTexts(texts.data)) !== JSON.stringify(sortedTexts(value as LabelTexts))) {
      return { field: 'labels', reason: `the texts of ${key} hold a value labels do not allow` };
    }
  }
  return null;
}

const sortedTexts = (texts: LabelTexts): unknown => (texts !== null && typeof texts === 'object' ? Object.fromEntries(Object.entries(texts).sort(([a], [b]) => (a < b ? -1 : 1))) : texts);

/** Writes `labels` key by key: only the labels that change are touched, so concurrent edits of others merge. */
export function writeLabels(doc: Y.Doc, labels: readonly EntryLabel[]): void {
  const map = labelsMap(doc);
  const wanted = new Map(labels.map((label) => [label.id, label.texts] as const));
  for (const key of [...map.keys()]) if (!wanted.has(key as EntryLabelId)) map.delete(key);
  for (const [id, texts] of wanted) {
    if (JSON.stringify(sortedTexts(map.get(id) as LabelTexts)) !== JSON.stringify(sortedTexts(texts))) map.set(id, { ...texts });
  }
}

export function isOwnerOnly(labels: readonly Pick<EntryLabel, 'id'>[]): boolean {
  return labels.some((label) => ownerOnlyLabelIds.includes(label.id));
}

/** Whether reports and exports leave the entry out (owner-only or audience labels). */
export function isLeftOutOfReports(labels: readonly Pick<EntryLabel, 'id'>[]): boolean {
  return labels.some((label) => reportExcludedLabelIds.includes(label.id));
}

/** The labels whose notice must be shown with the entry (seasonal, women or men restricted). */
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
export const setEntryLabels = defineMutator('entry', 'setLabels', 'edit', entryLabelsInputSchema, (doc, labels) => writeLabels(doc, labels));

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
  writeLabels(doc, toggledLabels(readLabels(doc), id, isOn)),
);

/** Sets the community's words of one applied label, in the languages given, on the labels the doc holds. */
export const setEntryLabelTexts = defineMutator('entry', 'setLabelTexts', 'edit', z.strictObject({ id: z.enum(entryLabelIds), texts: labelTextsSchema.partial() }), (doc, { id, texts }) =>
  writeLabels(
    doc,
    readLabels(doc).map((label) => (label.id === id ? { ...label, texts: { ...label.texts, ...texts } } : label)),
  ),
);
