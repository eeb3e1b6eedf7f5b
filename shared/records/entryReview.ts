import type * as Y from 'yjs';
import { entry, entrySections, type EntryProjection } from './entry';
import { z } from 'zod';
import { entryVersionSchema, type AuthorStep, type EntryVersion, type ReviewStep, type VersionRich, type VersionSections } from './entryReviewSchema';
import { writeVersion } from './entryDraft';
import { sortedKeysJson } from './invariants';
import { richText } from './layout';
import { fragmentJson } from './richTextJson';
import { appendLog, writeFields } from './layout';
import { shortText, reasonText } from './fieldSchemas';
import { defineMutator, type EditContext } from './recordModule';
import { RecordInputError } from './recordError';
import { versionSectionsOf } from './entryTemplates';

/*
 * Reviewing an entry, on either side and offline: the author submits a version, reviewers comment,
 * request changes or endorse that version, the author replies and submits again. Everything is an
 * append to one of two logs (entryReviewSchema.ts); what state the review is in, which version is
 * pinned, and the entry's history are pure functions of the projection, the same on every replica.
 */

/**
 * An entry's content now, as a version: plain text, only the kind's own sections (optional ones
 * included, whether the network has them on or not), empty ones left out.
 */
export type VersionFields = Pick<EntryProjection, 'kind' | 'title' | 'summary' | 'sections' | 'body'>;

export function versionOf(p: VersionFields): EntryVersion {
  const sections: VersionSections = {};
  for (const name of versionSectionsOf(p.kind)) {
    const text = p.sections[name];
    if (text && text.trim() !== '') sections[name] = text;
  }
  return { kind: p.kind, title: p.title, summary: p.summary, sections, body: p.body };
}

/**
 * The entry in `doc` (or its draft's, read with `draft.read`) as a version, with its rich text as written (headings, lists, bold): what a
 * submission stores, so the history and the pinned version show the formatting, offline and after
 * compaction (a log item is kept whole).
 */
export function versionOfDoc(doc: Y.Doc, read: (doc: Y.Doc) => VersionFields = entry.read): EntryVersion {
  const version = versionOf(read(doc));
  const sections: NonNullable<VersionRich['sections']> = {};
  for (const name of Object.keys(version.sections) as (keyof VersionSections)[]) sections[name] = fragmentJson(richText(doc, `section.${name}`));
  const rich: VersionRich = { ...(version.body ? { body: fragmentJson(richText(doc, 'body')) } : {}), ...(Object.keys(sections).length > 0 ? { sections } : {}) };
  return { ...version, rich };
}

/** Two versions are the same, formatting included (key order aside): an endorsement copies its submission exactly. */
export function isSameVersion(a: EntryVersion, b: EntryVersion): boolean {
  return sortedKeysJson(a) === sortedKeysJson(b);
}

/**
 * Two versions say the same words (formatting aside): how "changed since" is judged, since a
 * projection, all the library holds, carries plain text only. Changing only the formatting is
 * therefore not "changes in draft".
 */
export function isSameText(a: EntryVersion, b: EntryVersion): boolean {
  const { rich: _a, ...plainA } = a;
  const { rich: _b, ...plainB } = b;
  return sortedKeysJson(plainA) === sortedKeysJson(plainB);
}

/** `<deviceId>:<time>`, with `:<n>` added when a step of the entry has it (two steps in one millisecond): the hub refuses a taken id. */
function stepId(doc: Y.Doc, ctx: EditContext): string {
  const taken = new Set(['authorSteps', 'reviewSteps'].flatMap((name) => doc.getArray<{ id?: unknown }>(`log.${name}`).toArray().map((step) => step?.id)));
  const base = `${ctx.deviceId}:${ctx.now}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}:${n}`;
  return id;
}
const stepOf = (doc: Y.Doc, ctx: EditContext, note: string) => ({ id: stepId(doc, ctx), byOrg: ctx.orgId, role: ctx.role, at: ctx.now, note });

type Submission = Extract<AuthorStep, { kind: 'submitted' }>;
type Endorsement = Extract<ReviewStep, { kind: 'endorsed' }>;

export function submissionsOf(p: Pick<EntryProjection, 'authorSteps'>): Submission[] {
  return p.authorSteps.filter((step): step is Submission => step.kind === 'submitted');
}

/** The submission reviewers answer now: the last one submitted. */
export function latestSubmission(p: Pick<EntryProjection, 'authorSteps'>): Submission | null {
  const all = submissionsOf(p);
  return all[all.length - 1] ?? null;
}

export type ReviewState = 'none' | 'submitted' | 'changes-requested' | 'endorsed';

/**
 * Where the review stands: not submitted; submitted and waiting; changes requested; endorsed. Only
 * the reviewers' answers to the latest submission count: a resubmission waits for a new answer.
 */
export function reviewStateOf(p: Pick<EntryProjection, 'authorSteps' | 'reviewSteps'>): ReviewState {
  const latest = latestSubmission(p);
  if (!latest) return 'none';
  const answers = p.reviewSteps.filter((step) => step.submissionId === latest.id && step.kind !== 'comment');
  const last = answers[answers.length - 1];
  return last ? (last.kind === 'endorsed' ? 'endorsed' : 'changes-requested') : 'submitted';
}

/** The pinned version: the latest endorsement's copy of what it endorsed; null before any. */
export function pinnedVersionOf(p: Pick<EntryProjection, 'reviewSteps'>): Endorsement | null {
  const endorsements = p.reviewSteps.filter((step): step is Endorsement => step.kind === 'endorsed');
  return endorsements[endorsements.length - 1] ?? null;
}

/**
 * Endorsed, and the entry says something else now, or its author's draft does (entryDraft.ts,
 * held by the author's organization alone): "endorsed, changes in draft".
 */
export function hasChangesSinceEndorsed(p: EntryProjection, draft: VersionFields | null = null): boolean {
  const pinned = pinnedVersionOf(p);
  return pinned !== null && (!isSameText(pinned.version, versionOf(p)) || (draft !== null && !isSameText(pinned.version, versionOf(draft))));
}

/**
 * What a reader of `readerOrg` is shown of an entry of `ownerOrg`: the pinned version when the
 * entry is endorsed with changes in draft and the reader is of another organization (the author
 * drafts, others read what was endorsed); null when the entry is shown as it is now.
 */
export function pinnedForReader(p: EntryProjection, readerOrg: string, ownerOrg: string): Endorsement | null {
  if (readerOrg === ownerOrg || !hasChangesSinceEndorsed(p)) return null;
  return pinnedVersionOf(p);
}

/**
 * The entry as a reader of `readerOrg` is shown it: with the pinned version's kind and text in place
 * of the author's draft where pinnedForReader says so, everything else as it is. What the device
 * indexes for search, so a reader never finds an entry by words only its draft holds.
 */
export function asShownTo(p: EntryProjection, readerOrg: string, ownerOrg: string): EntryProjection {
  const pinned = pinnedForReader(p, readerOrg, ownerOrg);
  if (!pinned) return p;
  const { kind, title, summary, sections, body } = pinned.version;
  const allSections = Object.fromEntries(entrySections.map((name) => [name, sections[name] ?? ''])) as EntryProjection['sections'];
  return { ...p, kind, title, summary, sections: allSections, body };
}

/** Whether `p` waits in a review queue for a reviewer of another organization. */
export function isAwaitingReview(p: EntryProjection): boolean {
  return p.sharing !== 'private' && reviewStateOf(p) === 'submitted';
}

export type HistoryEvent =
  | { readonly kind: 'created'; readonly at: number }
  | { readonly kind: 'changed'; readonly at: number }
  | { readonly kind: 'submitted' | 'reply'; readonly at: number; readonly step: AuthorStep }
  | { readonly kind: ReviewStep['kind']; readonly at: number; readonly step: ReviewStep };

/**
 * The entry's history, oldest first: created, each review step (by its writer's clock, which is
 * all a replica knows offline), and "changed" when the text now differs from the last version
 * submitted or endorsed.
 */
export function entryHistory(p: EntryProjection): HistoryEvent[] {
  const steps: HistoryEvent[] = [
    ...p.authorSteps.map((step): HistoryEvent => ({ kind: step.kind, at: step.at, step })),
    ...p.reviewSteps.map((step): HistoryEvent => ({ kind: step.kind, at: step.at, step })),
  ].sort((a, b) => a.at - b.at);
  const events: HistoryEvent[] = [{ kind: 'created', at: p.createdAt }, ...steps];
  const versions = [...submissionsOf(p).map((s) => s.version), ...(pinnedVersionOf(p) ? [pinnedVersionOf(p)!.version] : [])];
  const now = versionOf(p);
  if (versions.length > 0 && !versions.some((v) => isSameText(v, now))) events.push({ kind: 'changed', at: p.updatedAt });
  return events;
}

const noteSchema = shortText(4000).default('');

export const entryReviewMutators = {
  /** The author submits the entry as it reads now; a private draft is the author's alone, so it must be shared first. */
  submitForReview: defineMutator('entry', 'submitForReview', 'edit', noteSchema, (doc: Y.Doc, note, ctx) => {
    const p = entry.read(doc);
    if (p.sharing === 'private') throw new RecordInputError('sharing', 'share the entry with the network before submitting it for review');
    if (p.attribution.consent === 'pending') throw new RecordInputError('attribution', 'the knowledge holder has not given consent yet');
    appendLog<AuthorStep>(doc, 'authorSteps', { kind: 'submitted', ...stepOf(doc, ctx, note), version: versionOfDoc(doc) });
  }),
  /**
   * The author submits the draft of an endorsed entry (entryDraft.ts): its text is copied into the
   * entry and submitted in this one change, so reviewers read what was submitted, and the draft
   * reached no one before. `version` is the draft as it reads now (versionOfDoc of its doc).
   */
  submitDraftForReview: defineMutator('entry', 'submitDraftForReview', 'edit', z.object({ note: noteSchema, version: entryVersionSchema }), (doc: Y.Doc, { note, version }, ctx) => {
    const p = entry.read(doc);
    if (p.sharing === 'private') throw new RecordInputError('sharing', 'share the entry with the network before submitting it for review');
    if (p.attribution.consent === 'pending') throw new RecordInputError('attribution', 'the knowledge holder has not given consent yet');
    writeVersion(doc, version);
    appendLog<AuthorStep>(doc, 'authorSteps', { kind: 'submitted', ...stepOf(doc, ctx, note), version: versionOfDoc(doc) });
  }),
  /** The author's word in the review thread. */
  replyInReview: defineMutator('entry', 'replyInReview', 'edit', reasonText(4000), (doc: Y.Doc, note, ctx) => {
    appendLog<AuthorStep>(doc, 'authorSteps', { kind: 'reply', ...stepOf(doc, ctx, note) });
  }),
  /** A reviewer's comment in the thread, about the latest submission (if any). */
  commentOnReview: defineMutator('entry', 'commentOnReview', 'review', reasonText(4000), (doc: Y.Doc, note, ctx) => {
    appendLog<ReviewStep>(doc, 'reviewSteps', { kind: 'comment', ...stepOf(doc, ctx, note), submissionId: latestSubmission(entry.read(doc))?.id ?? '' });
  }),
  requestChanges: defineMutator('entry', 'requestChanges', 'review', reasonText(4000), (doc: Y.Doc, note, ctx) => {
    const latest = latestSubmission(entry.read(doc));
    if (!latest) throw new RecordInputError('reviewSteps', 'nothing has been submitted for review');
    appendLog<ReviewStep>(doc, 'reviewSteps', { kind: 'changes-requested', ...stepOf(doc, ctx, note), submissionId: latest.id });
  }),
  /**
   * Endorses the latest submission: the version the author submitted, which the reviewer read, not
   * whatever the author has typed since. The endorsement carries its copy: the pinned version.
   */
  endorseSubmission: defineMutator('entry', 'endorseSubmission', 'review', noteSchema, (doc: Y.Doc, note, ctx) => {
    const p = entry.read(doc);
    const latest = latestSubmission(p);
    if (!latest) throw new RecordInputError('reviewSteps', 'nothing has been submitted for review');
    if (p.sharing === 'private') throw new RecordInputError('status', 'a private draft cannot be endorsed');
    appendLog<ReviewStep>(doc, 'reviewSteps', { kind: 'endorsed', ...stepOf(doc, ctx, note), submissionId: latest.id, version: latest.version });
    writeFields(doc, { status: 'endorsed' });
  }),
};

