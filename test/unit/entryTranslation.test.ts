// Translations: each its own entry linked to its original (`translation: { of, translator }`),
// the translator required, and the library's language choice: the version in the reader's
// language when one is held, with the others to link to; nothing shown of an original not held.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, type EntryInput } from '../../shared/records/entry';
import { versionsFor, type VersionCandidate } from '../../shared/records/entryTranslation';
import { RecordInputError } from '../../shared/records/recordError';

const ctx = { orgId: 'org-a', deviceId: 'dev-a', role: 'member' as const, now: 1_000 };
const input: EntryInput = {
  kind: 'local-wisdom',
  title: '看燕子',
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: '老姆登', consent: 'community-approved' },
  sharing: 'network',
};

const original = (id: string, language: string): VersionCandidate => ({ id, language, translation: null });
const translationOf = (id: string, of: string, language: string): VersionCandidate => ({ id, language, translation: { of, translator: 'Ma Li' } });
const idsOf = (rows: ReturnType<typeof versionsFor>) => rows.map((row) => ({ shown: row.shown.id, others: row.others.map((other) => other.id) }));

describe('a translation entry', () => {
  it('is created linked to its original with its translator; an original reads no link', () => {
    const doc = new Y.Doc();
    entry.create(doc, entry.parseInput({ ...input, title: 'Reading the swallows', language: 'en', translation: { of: 'entry-swallows', translator: 'Ma Li' } }), ctx);
    expect(entry.read(doc).translation).toEqual({ of: 'entry-swallows', translator: 'Ma Li' });
    const plain = new Y.Doc();
    entry.create(plain, entry.parseInput(input), ctx);
    expect(entry.read(plain).translation).toBeNull();
  });

  it('names its translator', () => {
    const doc = new Y.Doc();
    let field = '';
    try {
      entry.create(doc, entry.parseInput({ ...input, translation: { of: 'entry-swallows', translator: ' ' } }), ctx);
    } catch (error) {
      if (error instanceof RecordInputError) field = error.field;
    }
    expect(field).toBe('translation.translator');
  });
});

describe('the library’s language choice', () => {
  const entries = [original('e-zh', 'zh-CN'), translationOf('e-en', 'e-zh', 'en'), original('e-only-en', 'en')];

  it('shows the version in the reader’s language, with a link to the other', () => {
    expect(idsOf(versionsFor(entries, 'en'))).toEqual([
      { shown: 'e-en', others: ['e-zh'] },
      { shown: 'e-only-en', others: [] },
    ]);
    expect(idsOf(versionsFor(entries, 'zh-CN'))).toEqual([
      { shown: 'e-zh', others: ['e-en'] },
      { shown: 'e-only-en', others: [] },
    ]);
  });

  it('matches languages by their primary tag (zh and zh-CN), and falls back to the original', () => {
    expect(idsOf(versionsFor(entries, 'zh'))[0]).toEqual({ shown: 'e-zh', others: ['e-en'] });
    expect(idsOf(versionsFor(entries, 'fr'))[0]).toEqual({ shown: 'e-zh', others: ['e-en'] });
  });

  it('lists a translation whose original is not held as its own row, revealing nothing of the original', () => {
    const rows = versionsFor([translationOf('e-en', 'e-private', 'en')], 'zh-CN');
    expect(idsOf(rows)).toEqual([{ shown: 'e-en', others: [] }]);
  });

  it('does not group under a translation, nor under itself', () => {
    const chain = [original('a', 'zh-CN'), translationOf('b', 'a', 'en'), translationOf('c', 'b', 'en'), translationOf('d', 'd', 'en')];
    expect(idsOf(versionsFor(chain, 'en'))).toEqual([
      { shown: 'b', others: ['a'] },
      { shown: 'c', others: [] },
      { shown: 'd', others: [] },
    ]);
  });
});
