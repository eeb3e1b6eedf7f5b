/*
 * Each entry kind's template: the sections its editor shows, in order. Every section is its own
 * rich-text fragment `section.<name>` in the entry's doc (docs/PROTOCOL.md, Entries); a kind shows
 * only its own, so a practice never asks a piece of local wisdom for its "approach". Changing an
 * entry's kind keeps the text of the other kind's sections in the doc, unshown.
 */

export const templateSections = {
  practice: ['context', 'approach', 'results', 'resourcesNeeded', 'lessonsLearned'],
  // After WOCAT's and Local Contexts' questions: what is known, whose it is, where it holds, how it lives on.
  'local-wisdom': ['knowledge', 'holders', 'appliesWhen', 'passedOn', 'cautions'],
  challenge: ['whatHappens', 'whoIsAffected', 'whatWasTried', 'helpNeeded'],
  lesson: ['whatHappened', 'whatWeLearned', 'doDifferently'],
} as const;

export type TemplateKind = keyof typeof templateSections;

/** Every section name of every template, each once: the fragments an entry's doc may hold. */
export const allSections = [...new Set(Object.values(templateSections).flat())] as readonly string[] as readonly [
  (typeof templateSections)[TemplateKind][number],
  ...(typeof templateSections)[TemplateKind][number][],
];
export type TemplateSection = (typeof templateSections)[TemplateKind][number];

/** The sections `kind`'s template shows, in order. */
export function sectionsOf(kind: TemplateKind): readonly TemplateSection[] {
  return templateSections[kind];
}
