import { z } from 'zod';
import { readField } from './layout';
import { shortText } from './fieldSchemas';
import { recordIdSchema } from './recordType';
import type { InvariantViolation } from './invariants';
import type * as Y from 'yjs';

/*
 * A translation is an entry of its own (its own text, language, sharing and review), linked to the
 * entry it translates by the plain `translation` field: `{ of: <original entry id>, translator }`,
 * or null (the default) for an original. The library shows each original's version in the
 * reader's language when one exists (`versionFor`), with a link to the others.
 */

export const translationSchema = z.object({
  /** The id of the original entry. */
  of: recordIdSchema,
  /** Who translated it. */
  translator: shortText(200),
});
export type Translation = z.infer<typeof translationSchema>;

export const readTranslation = (doc: Y.Doc): Translation | null => readField(doc, 'translation', translationSchema.nullable(), null);

/** A translation names its translator. */
export function translationViolation(translation: Translation | null): InvariantViolation | null {
  return translation && translation.translator.trim() === '' ? { field: 'translation.translator', reason: 'a translation names its translator' } : null;
}

/** What the library's language choice needs of an entry it holds. */
export interface VersionCandidate {
  readonly id: string;
  readonly language: string;
  readonly translation: Translation | null;
}

/** The primary subtag, lower case: `zh-CN` and `zh` are the same reader language. */
const primary = (language: string): string => language.split('-')[0]!.toLowerCase();

/**
 * The library's rows: each original once, shown in the reader's language where a translation into
 * it is held (else the original), with the other versions to link to. A translation whose
 * original is not held (not readable here, or not yet pulled) is its own row: nothing is shown of
 * an original the reader does not have.
 */
export function versionsFor<T extends VersionCandidate>(entries: readonly T[], readerLanguage: string): { readonly shown: T; readonly others: readonly T[] }[] {
  const held = new Map(entries.map((candidate) => [candidate.id, candidate]));
  const translationsOf = new Map<string, T[]>();
  for (const candidate of entries) {
    const of = candidate.translation?.of;
    if (of === undefined || of === candidate.id || !held.has(of) || held.get(of)!.translation !== null) continue;
    translationsOf.set(of, [...(translationsOf.get(of) ?? []), candidate]);
  }
  const grouped = new Set([...translationsOf.values()].flat().map((candidate) => candidate.id));
  return entries
    .filter((candidate) => !grouped.has(candidate.id))
    .map((original) => {
      const versions = [original, ...(translationsOf.get(original.id) ?? [])];
      const shown = versions.find((version) => primary(version.language) === primary(readerLanguage)) ?? original;
      return { shown, others: versions.filter((version) => version !== shown) };
    });
}
