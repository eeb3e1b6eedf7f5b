import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { entryReviewMutators, isSameVersion, pinnedVersionOf, versionOf, versionOfDoc } from '../../shared/records/entryReview';
import { allSections, formSectionsOf, optionalSections, optionalSectionsOf, sectionsOf, templateSections, versionSectionsOf } from '../../shared/records/entryTemplates';
import { network, networkMutators } from '../../shared/records/network';
import type { EditContext } from '../../shared/records/recordModule';
import { structureActionsBetween } from '../../shared/records/structureActions';

/*
 * The optional sections after WOCAT's questionnaire: a network turns them on for its entry form;
 * what an entry holds in one is its text whatever the setting says: in its versions (which the hub
 * checks a submission against), on its form, and never lost when the network turns it off.
 */

const T0 = Date.UTC(2026, 5, 1);
const author: EditContext = { orgId: 'org-erhai', deviceId: 'dev-erhai', role: 'member', now: T0 };
const reviewer: EditContext = { orgId: 'org-sec', deviceId: 'dev-sec', role: 'secretariat', now: T0 + 60_000 };

const practice: EntryInput = {
  kind: 'practice',
  title: 'Stone bunds on the terraces',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Erhai terrace farmers', consent: 'community-approved' },
  sharing: 'network',
  sections: { context: 'Steep fields lose soil each rain.', resourcePersons: 'Yang Wei, extension worker', costsAndLabour: '12 person-days per mu' },
};

function created(input: EntryInput = practice): Y.Doc {
  const doc = new Y.Doc();
  entry.create(doc, entry.parseInput(input), author);
  return doc;
}

describe('optional sections', () => {
  it('are the four WOCAT parts for a practice, none for the other kinds, and no name clashes with a template section', () => {
    expect(optionalSectionsOf('practice')).toEqual(['resourcePersons', 'introduction', 'costsAndLabour', 'spread']);
    for (const kind of ['local-wisdom', 'challenge', 'lesson'] as const) expect(optionalSectionsOf(kind)).toEqual([]);
    const template = Object.values(templateSections).flat() as string[];
    for (const name of optionalSections) expect(template).not.toContain(name);
    expect(allSections).toEqual(expect.arrayContaining([...template, ...optionalSections]));
    expect(versionSectionsOf('practice')).toEqual([...sectionsOf('practice'), ...optionalSectionsOf('practice')]);
  });

  it('are on the form when the network turns them on, or when they hold text, and only then', () => {
    const empty = {};
    expect(formSectionsOf('practice', [], empty)).toEqual(sectionsOf('practice'));
    expect(formSectionsOf('practice', ['spread', 'resourcePersons'], empty)).toEqual([...sectionsOf('practice'), 'resourcePersons', 'spread']);
    // Turned off after a member wrote in it: still shown, so the text is neither hidden nor lost.
    expect(formSectionsOf('practice', [], { costsAndLabour: '12 person-days', spread: '  ' })).toEqual([...sectionsOf('practice'), 'costsAndLabour']);
    // A lesson has no optional sections, whatever the network has on.
    expect(formSectionsOf('lesson', ['spread'], { spread: 'text kept from when it was a practice' })).toEqual(sectionsOf('lesson'));
  });

  it('are in a version whenever they hold text, whatever the network has on, the same on every replica', () => {
    const doc = created();
    const version = versionOf(entry.read(doc));
    expect(version.sections).toEqual({ context: 'Steep fields lose soil each rain.', resourcePersons: 'Yang Wei, extension worker', costsAndLabour: '12 person-days per mu' });
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    expect(isSameVersion(versionOfDoc(replica), versionOfDoc(doc))).toBe(true);
    expect(Object.keys(versionOfDoc(doc).rich?.sections ?? {}).sort()).toEqual(['context', 'costsAndLabour', 'resourcePersons']);
    // A practice turned into a lesson keeps the text in its doc, out of the lesson's version.
    entryMutators.setFields.apply(doc, { kind: 'lesson' }, author);
    expect(versionOf(entry.read(doc)).sections).toEqual({});
    expect(entry.read(doc).sections.resourcePersons).toBe('Yang Wei, extension worker');
  });

  it('are pinned with the version an endorsement pins, and a change to one is a change since', () => {
    const doc = created();
    entryReviewMutators.submitForReview.apply(doc, '', author);
    entryReviewMutators.endorseSubmission.apply(doc, '', reviewer);
    expect(pinnedVersionOf(entry.read(doc))?.version.sections.resourcePersons).toBe('Yang Wei, extension worker');
    entryMutators.setSection.apply(doc, { section: 'spread', text: 'Three villages, about 40 households' }, { ...author, now: T0 + 120_000 });
    expect(versionOf(entry.read(doc)).sections.spread).toBe('Three villages, about 40 households');
    expect(pinnedVersionOf(entry.read(doc))?.version.sections.spread).toBeUndefined();
  });

  it('are edits to the entry, like any section: the structure check asks `edit` and refuses a section name no template has', () => {
    const doc = created();
    const after = new Y.Doc();
    Y.applyUpdate(after, Y.encodeStateAsUpdate(doc));
    entryMutators.setSection.apply(after, { section: 'introduction', text: 'Through a county project in 2019' }, author);
    expect(structureActionsBetween('entry', doc, after)).toEqual(['edit']);
    const junk = new Y.Doc();
    Y.applyUpdate(junk, Y.encodeStateAsUpdate(doc));
    junk.getXmlFragment('section.labourCosts').insert(0, [new Y.XmlText('not a section')]);
    expect(() => structureActionsBetween('entry', doc, junk)).toThrow(/section\.labourCosts/);
  });
});

describe("the network's optional sections setting", () => {
  const sec: EditContext = { orgId: 'org-sec', deviceId: 'hub', role: 'secretariat', now: T0 };
  it('reads none on a network that never set it, and keeps the names it knows in template order', () => {
    const doc = new Y.Doc();
    network.create(doc, network.parseInput({ name: 'Erhai network' }), sec);
    expect(network.read(doc).optionalSections).toEqual([]);
    networkMutators.setDetails.apply(doc, { optionalSections: ['spread', 'resourcePersons'] }, sec);
    expect(network.read(doc).optionalSections).toEqual(['resourcePersons', 'spread']);
    // A name a newer app knows and this one does not is left out, not the whole list.
    doc.getMap('fields').set('optionalSections', ['spread', 'soilTests']);
    expect(network.read(doc).optionalSections).toEqual(['spread']);
  });

  it('refuses a name that is no optional section, or one twice', () => {
    const doc = new Y.Doc();
    network.create(doc, network.parseInput({ name: 'Erhai network' }), sec);
    expect(() => networkMutators.setDetails.apply(doc, { optionalSections: ['context' as 'spread'] }, sec)).toThrow();
    expect(() => networkMutators.setDetails.apply(doc, { optionalSections: ['spread', 'spread'] }, sec)).toThrow();
  });
});

describe('docs/PROTOCOL.md', () => {
  it('names every section and optional section of each kind in its template table, in order', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/PROTOCOL.md'), 'utf8');
    for (const kind of Object.keys(templateSections) as (keyof typeof templateSections)[]) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${kind}\` |`) && line.split('|').length === 5);
      expect(row, kind).toBeDefined();
      const [, , sections, optional] = row!.split('|');
      expect([...sections!.matchAll(/`(\w+)`/g)].map((m) => m[1]), kind).toEqual([...sectionsOf(kind)]);
      expect([...optional!.matchAll(/`(\w+)`/g)].map((m) => m[1]), kind).toEqual([...optionalSectionsOf(kind)]);
    }
  });
});
