/*
 * Each entry kind's template: the sections its editor shows, in order. Every section is its own
 * rich-text fragment `section.<name>` in the entry's doc (docs/PROTOCOL.md, Entries); a kind shows
 * only its own, so a practice never asks a piece of local wisdom for its "approach". Changing an
 * entry's kind keeps the text of the other kind's sections in the doc, unshown.
 *
 * A kind may also have optional sections, which a network turns on in its settings (the network
 * record's `optionalSections`). Whether one is on decides only whether the form offers it: a
 * section that holds text is always shown, carried in the entry's versions and printed, so turning
 * a section off later never hides or loses what was written in it.
 */

export const templateSections = {
  practice: ['context', 'approach', 'results', 'resourcesNeeded', 'lessonsLearned'],
  // After WOCAT's and Local Contexts' questions: what is known, whose it is, where it holds, how it lives on.
  'local-wisdom': ['knowledge', 'holders', 'appliesWhen', 'passedOn', 'cautions'],
  challenge: ['whatHappens', 'whoIsAffected', 'whatWasTried', 'helpNeeded'],
  lesson: ['whatHappened', 'whatWeLearned', 'doDifferently'],
} as const;

export type TemplateKind = keyof typeof templateSections;

/**
 * The optional sections, after WOCAT's questionnaire on SLM Technologies: its resource persons
 * (1.1), how the Technology was introduced (2.7), costs and inputs with labour in person-days
 * (4.4–4.7), and its spread and adoption (2.5, 6.5).
 */
export const optionalTemplateSections = {
  practice: ['resourcePersons', 'introduction', 'costsAndLabour', 'spread'],
  'local-wisdom': [],
  challenge: [],
  lesson: [],
} as const satisfies Record<TemplateKind, readonly string[]>;

export type OptionalSection = (typeof optionalTemplateSections)[TemplateKind][number];
export type TemplateSection = (typeof templateSections)[TemplateKind][number] | OptionalSection;

/** Every optional section of every kind, each once, in template order: the values a network's `optionalSections` may hold. */
export const optionalSections = [...new Set(Object.values(optionalTemplateSections).flat())] as readonly OptionalSection[] as readonly [OptionalSection, ...OptionalSection[]];

/** Every section name of every template, optional ones included, each once: the fragments an entry's doc may hold. */
export const allSections = [...new Set([...Object.values(templateSections).flat(), ...optionalSections])] as readonly string[] as readonly [TemplateSection, ...TemplateSection[]];

export function isOptionalSection(name: string): name is OptionalSection {
  return (optionalSections as readonly string[]).includes(name);
}

/** The sections `kind`'s template shows, in order, optional ones aside. */
export function sectionsOf(kind: TemplateKind): readonly TemplateSection[] {
  return templateSections[kind];
}

/** `kind`'s optional sections, in order. */
export function optionalSectionsOf(kind: TemplateKind): readonly OptionalSection[] {
  return optionalTemplateSections[kind];
}

/**
 * Every section a version of `kind` carries where it holds text: the template's, then its optional
 * ones, whatever the network has turned on (a version, and the hub's check of it, must not depend
 * on a setting that can change after it was written).
 */
export function versionSectionsOf(kind: TemplateKind): readonly TemplateSection[] {
  return [...templateSections[kind], ...optionalTemplateSections[kind]];
}

/**
 * The sections an entry's form shows: its template's, then each optional section the network has
 * turned on or that already holds text (turned off since, or written on another network's app).
 */
export function formSectionsOf(kind: TemplateKind, turnedOn: readonly string[], sections: Readonly<Partial<Record<string, string>>>): readonly TemplateSection[] {
  const optional = optionalTemplateSections[kind].filter((name) => turnedOn.includes(name) || (sections[name] ?? '').trim() !== '');
  return [...templateSections[kind], ...optional];
}
