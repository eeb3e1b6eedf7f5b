// Entry labels in the app's own create and mutators: the invariants the hub enforces
// (test/integration/recordInvariants.test.ts) refuse the same states here, naming the field, and
// a labelled entry's read facts keep it in its organization.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { labelText, noticeLabels, storedLabelsViolation } from '../../shared/records/entryLabels';
import { RecordInputError } from '../../shared/records/recordError';
import { canRead } from '../../shared/rules/rules';

const ctx = { orgId: 'org-a', deviceId: 'dev-a', role: 'member' as const, now: 1_000 };
const input: EntryInput = {
  kind: 'local-wisdom',
  title: 'Swallows and rain',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Elders', consent: 'community-approved' },
  sharing: 'network',
};

function created(extra: Partial<EntryInput> = {}): Y.Doc {
  const doc = new Y.Doc();
  entry.create(doc, entry.parseInput({ ...input, ...extra }), ctx);
  return doc;
}

const refusal = (run: () => void): { field: string } | null => {
  try {
    run();
  } catch (error) {
    if (error instanceof RecordInputError) return { field: error.field };
    throw error;
  }
  return null;
};

describe('entry labels', () => {
  it('are stored and read with their texts, an entry without any reading none', () => {
    const doc = created({ labels: [{ id: 'tk-seasonal', texts: { en: 'Only told in spring', zh: '只在春天讲述' } }] });
    const p = entry.read(doc);
    expect(p.labels).toEqual([{ id: 'tk-seasonal', texts: { en: 'Only told in spring', zh: '只在春天讲述' } }]);
    expect(noticeLabels(p.labels).map((label) => labelText(label, 'zh-CN'))).toEqual(['只在春天讲述']);
    expect(entry.read(new Y.Doc()).labels).toEqual([]);
  });

  it('applies a label and sets its words on the labels the doc holds, so quick edits build on each other', () => {
    const doc = created();
    entryMutators.applyLabel.apply(doc, { id: 'tk-seasonal', isOn: true }, ctx);
    entryMutators.setLabelTexts.apply(doc, { id: 'tk-seasonal', texts: { zh: '只在春播前讲述' } }, ctx);
    entryMutators.applyLabel.apply(doc, { id: 'tk-verified', isOn: true }, ctx);
    entryMutators.applyLabel.apply(doc, { id: 'tk-non-verified', isOn: true }, ctx);
    expect(entry.read(doc).labels).toEqual([
      { id: 'tk-seasonal', texts: { en: '', zh: '只在春播前讲述' } },
      { id: 'tk-non-verified', texts: { en: '', zh: '' } },
    ]);
    entryMutators.applyLabel.apply(doc, { id: 'tk-seasonal', isOn: false }, ctx);
    expect(entry.read(doc).labels.map((label) => label.id)).toEqual(['tk-non-verified']);
  });

  it('read tolerantly: a key or texts that do not parse are left out, and the hub strict check names them', () => {
    const doc = created();
    const labels = doc.getMap('map.labels');
    labels.set('tk-attribution', { en: 'Credit the elders', zh: '' });
    labels.set('nonsense', { en: '', zh: '' });
    labels.set('tk-seasonal', 'x');
    expect(entry.read(doc).labels.map((label) => label.id)).toEqual(['tk-attribution']);
    expect(storedLabelsViolation(doc)).toMatchObject({ field: 'labels' });
    labels.delete('nonsense');
    labels.delete('tk-seasonal');
    expect(storedLabelsViolation(doc)).toBeNull();
  });

  it('keeps both labels when two devices apply different ones at once (per-label keys merge)', () => {
    const a = created();
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    entryMutators.applyLabel.apply(a, { id: 'tk-secret-sacred', isOn: true }, ctx);
    entryMutators.applyLabel.apply(b, { id: 'tk-attribution', isOn: true }, ctx);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    expect(entry.read(a).labels.map((label) => label.id)).toEqual(['tk-attribution', 'tk-secret-sacred']);
  });

  it('refuses contradictory labels in setLabels and in create, naming labels', () => {
    const both = [
      { id: 'tk-women-restricted' as const, texts: { en: '', zh: '' } },
      { id: 'tk-men-restricted' as const, texts: { en: '', zh: '' } },
    ];
    expect(refusal(() => entryMutators.setLabels.apply(created(), both, ctx))).toEqual({ field: 'labels' });
    expect(refusal(() => created({ labels: both }))).toEqual({ field: 'labels' });
  });

  it('keeps the shared rules in the mutators (the same functions the hub runs), and withdrawing consent is never refused', () => {
    const withdrawn = created();
    entryMutators.setAttribution.apply(withdrawn, { ...input.attribution!, consent: 'pending' }, ctx);
    expect(entry.read(withdrawn)).toMatchObject({ sharing: 'private', status: 'draft' });
    expect(refusal(() => entryMutators.setSharing.apply(withdrawn, 'network', ctx))).toEqual({ field: 'sharing' });
    // Every mutator checks the whole state it leaves: a state already broken (written by hand) takes no other edit.
    const broken = created();
    broken.getMap('map.labels').set('tk-verified', { en: '', zh: '' });
    broken.getMap('map.labels').set('tk-non-verified', { en: '', zh: '' });
    expect(refusal(() => entryMutators.setTags.apply(broken, ['water'], ctx))).toEqual({ field: 'labels' });
  });

  it.each(['tk-secret-sacred', 'tk-community-use-only'] as const)('%s makes the entry readable by its own organization only', (id) => {
    const p = entry.read(created({ labels: [{ id, texts: { en: '', zh: '' } }] }));
    const facts = entry.facts(p);
    const record = { type: 'entry' as const, ownerOrg: 'org-a' };
    expect(canRead({ orgId: 'org-a', role: 'observer' }, record, facts)).toBe(true);
    for (const role of ['secretariat', 'steward', 'member', 'observer'] as const) expect(canRead({ orgId: 'org-b', role }, record, facts)).toBe(false);
    expect(entry.facts(entry.read(created({ labels: [{ id: 'tk-seasonal', texts: { en: '', zh: '' } }] })))).toEqual({ isPrivate: false });
  });
});
