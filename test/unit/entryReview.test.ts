import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, entryMutators } from '../../shared/records/entry';
import { entryHistory, entryReviewMutators, hasChangesSinceEndorsed, isAwaitingReview, pinnedVersionOf, reviewStateOf, versionOf } from '../../shared/records/entryReview';
import { sectionsOf, templateSections } from '../../shared/records/entryTemplates';
import { RecordInputError } from '../../shared/records/recordError';
import type { EditContext } from '../../shared/records/recordModule';

/*
 * The review of an entry as pure functions of its doc: submit, request changes, resubmit, endorse
 * the submitted version (not what the author typed since), and the history that follows.
 */

const T0 = Date.UTC(2026, 3, 1, 8);
const author: EditContext = { orgId: 'org-erhai', deviceId: 'dev-erhai', role: 'member', now: T0 };
const reviewer: EditContext = { orgId: 'org-sec', deviceId: 'dev-sec', role: 'secretariat', now: T0 };
const at = (ctx: EditContext, minutes: number): EditContext => ({ ...ctx, now: T0 + minutes * 60_000 });

function sharedEntry(): Y.Doc {
  const doc = new Y.Doc();
  entry.create(
    doc,
    entry.parseInput({
      kind: 'local-wisdom',
      title: 'Reading the swallows',
      summary: 'When swallows fly low, rain comes within a day.',
      sections: { knowledge: 'Low swallows mean rain.', context: 'not a local-wisdom section' },
      language: 'en',
      attribution: { holderKind: 'person', holderName: 'Grandmother Li', consent: 'credit-by-name' },
      sharing: 'network',
    }),
    author,
  );
  return doc;
}

describe('entry templates', () => {
  it('gives each kind its own sections, none shared by accident between wisdom, challenge and lesson', () => {
    expect(sectionsOf('practice')).toEqual(['context', 'approach', 'results', 'resourcesNeeded', 'lessonsLearned']);
    expect(sectionsOf('local-wisdom')).toContain('holders');
    expect(sectionsOf('challenge')).toContain('whoIsAffected');
    expect(sectionsOf('lesson')).toContain('doDifferently');
    const all = Object.values(templateSections).flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it("keeps only the kind's own non-empty sections in a version", () => {
    expect(versionOf(entry.read(sharedEntry())).sections).toEqual({ knowledge: 'Low swallows mean rain.' });
  });
});

describe('entry review', () => {
  it('goes submitted, changes requested, resubmitted, endorsed, and pins the submitted version', () => {
    const doc = sharedEntry();
    expect(reviewStateOf(entry.read(doc))).toBe('none');
    entryReviewMutators.submitForReview.apply(doc, 'Please review.', at(author, 1));
    expect(reviewStateOf(entry.read(doc))).toBe('submitted');
    expect(isAwaitingReview(entry.read(doc))).toBe(true);
    entryReviewMutators.requestChanges.apply(doc, 'Say which season.', at(reviewer, 2));
    expect(reviewStateOf(entry.read(doc))).toBe('changes-requested');
    entryReviewMutators.replyInReview.apply(doc, 'Added it.', at(author, 3));
    entryMutators.setSection.apply(doc, { section: 'appliesWhen', text: 'Late spring, before the plum rains.' }, at(author, 3));
    entryReviewMutators.submitForReview.apply(doc, '', at(author, 4));
    expect(reviewStateOf(entry.read(doc))).toBe('submitted');
    // The author types on after submitting: the reviewer endorses what was submitted, not this.
    entryMutators.setBody.apply(doc, 'A newer draft.', at(author, 5));
    entryReviewMutators.endorseSubmission.apply(doc, 'Well documented.', at(reviewer, 6));
    const p = entry.read(doc);
    expect(p.status).toBe('endorsed');
    expect(reviewStateOf(p)).toBe('endorsed');
    expect(pinnedVersionOf(p)?.version).toMatchObject({ body: '', sections: { knowledge: 'Low swallows mean rain.', appliesWhen: 'Late spring, before the plum rains.' } });
    expect(hasChangesSinceEndorsed(p)).toBe(true);
    expect(entryHistory(p).map((event) => event.kind)).toEqual(['created', 'submitted', 'changes-requested', 'reply', 'submitted', 'endorsed', 'changed']);
    expect(pinnedVersionOf(p)).toMatchObject({ byOrg: 'org-sec', role: 'secretariat', at: T0 + 6 * 60_000, note: 'Well documented.' });
  });

  it('a re-review endorses the new version', () => {
    const doc = sharedEntry();
    entryReviewMutators.submitForReview.apply(doc, '', at(author, 1));
    entryReviewMutators.endorseSubmission.apply(doc, '', at(reviewer, 2));
    entryMutators.setFields.apply(doc, { title: 'Reading the swallows and the frogs' }, at(author, 3));
    expect(hasChangesSinceEndorsed(entry.read(doc))).toBe(true);
    entryReviewMutators.submitForReview.apply(doc, '', at(author, 4));
    expect(reviewStateOf(entry.read(doc))).toBe('submitted');
    expect(pinnedVersionOf(entry.read(doc))?.version.title).toBe('Reading the swallows');
    entryReviewMutators.endorseSubmission.apply(doc, '', at(reviewer, 5));
    expect(pinnedVersionOf(entry.read(doc))?.version.title).toBe('Reading the swallows and the frogs');
    expect(hasChangesSinceEndorsed(entry.read(doc))).toBe(false);
  });

  it('refuses to submit a private draft, and to answer or endorse before any submission', () => {
    const doc = sharedEntry();
    expect(() => entryReviewMutators.endorseSubmission.apply(doc, '', reviewer)).toThrow(RecordInputError);
    expect(() => entryReviewMutators.requestChanges.apply(doc, 'More?', reviewer)).toThrow(RecordInputError);
    expect(() => entryReviewMutators.requestChanges.apply(doc, '  ', reviewer)).toThrow(RecordInputError);
    entryMutators.setSharing.apply(doc, 'private', author);
    expect(() => entryReviewMutators.submitForReview.apply(doc, '', author)).toThrow(RecordInputError);
    expect(entry.read(doc).authorSteps).toEqual([]);
  });

  it('declares the author steps an edit and the reviewer steps a review', () => {
    expect(entryReviewMutators.submitForReview.action).toBe('edit');
    expect(entryReviewMutators.replyInReview.action).toBe('edit');
    for (const mutator of [entryReviewMutators.commentOnReview, entryReviewMutators.requestChanges, entryReviewMutators.endorseSubmission]) expect(mutator.action).toBe('review');
    const doc = sharedEntry();
    const before = entry.read(doc);
    entryReviewMutators.submitForReview.apply(doc, '', at(author, 1));
    expect(entry.changeActions(before, entry.read(doc))).toEqual(['edit']);
    const submitted = entry.read(doc);
    entryReviewMutators.commentOnReview.apply(doc, 'Nice.', at(reviewer, 2));
    expect(entry.changeActions(submitted, entry.read(doc))).toEqual(['review']);
  });
});
