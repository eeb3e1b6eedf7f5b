import { canonicalJson } from '../../shared/governance/canonicalJson';
import * as Y from 'yjs';
import { isSameVersion, versionOfDoc } from '../../shared/records/entryReview';
import { authorStepSchema, reviewStepSchema, type AuthorStep, type ReviewStep } from '../../shared/records/entryReviewSchema';
import type { Actor } from '../../shared/rules/rules';
import type { RecordWrite } from '../storage/hubStorage';
import { HubError } from './hubError';

/*
 * The hub's word on an entry's review (shared/records/entryReviewSchema.ts), beyond the rules
 * table (which already gives the author's log to the entry's organization and the reviewers' log
 * to reviewers): both logs only grow — no step is ever removed or rewritten, whoever writes; each
 * new step names its writer's organization and role and an id no step of the entry has; nobody reviews an entry of their own
 * organization; an answer names a submission the entry has; a new submission's version is the
 * entry as it reads after the change, rich text included (else an author could submit benign text
 * with another `version`, and the reviewer, reading the live text, would endorse what nobody read);
 * and an endorsement's version is a faithful copy of the submission it endorses, so the pinned
 * version is what the author submitted and the reviewer read; an entry that comes to read endorsed gets an endorsement in the same
 * change. A refusal is `forbidden` (403) and nothing of the batch is written.
 */

function parsedList<T>(value: unknown, schema: { safeParse: (raw: unknown) => { success: true; data: T } | { success: false } }): T[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((raw) => {
    const parsed = schema.safeParse(raw);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * The items of `after` that `before` does not hold, counted as a multiset (concurrent appends from
 * two devices may interleave, so order is not compared); `isRemoving` when one of `before` is gone.
 */
function appended<T>(before: readonly T[], after: readonly T[]): { added: T[]; isRemoving: boolean } {
  const left = new Map<string, number>();
  for (const item of before) left.set(canonicalJson(item), (left.get(canonicalJson(item)) ?? 0) + 1);
  const added: T[] = [];
  for (const item of after) {
    const key = canonicalJson(item);
    const count = left.get(key) ?? 0;
    if (count > 0) left.set(key, count - 1);
    else added.push(item);
  }
  return { added, isRemoving: [...left.values()].some((count) => count > 0) };
}

export function checkEntryReview(actor: Actor, write: RecordWrite, before: Record<string, unknown> | null): void {
  if (write.header.type !== 'entry') return;
  const id = write.header.id;
  const refuse = (message: string): never => {
    throw new HubError('forbidden', message, id);
  };
  const after = write.projection;
  const authorBefore = parsedList<AuthorStep>(before?.['authorSteps'], authorStepSchema);
  const authorAfter = parsedList<AuthorStep>(after['authorSteps'], authorStepSchema);
  const reviewBefore = parsedList<ReviewStep>(before?.['reviewSteps'], reviewStepSchema);
  const reviewAfter = parsedList<ReviewStep>(after['reviewSteps'], reviewStepSchema);
  const authorChange = appended(authorBefore, authorAfter);
  const reviewChange = appended(reviewBefore, reviewAfter);
  if (authorChange.isRemoving || reviewChange.isRemoving) refuse("an entry's review steps are kept: none may be removed or rewritten");
  // A step's id is unique in the entry: an answer names its submission by id, so a new submission
  // under an endorsed one's id would read as endorsed without anyone reviewing it.
  const ids = new Set([...authorBefore, ...reviewBefore].map((step) => step.id));
  for (const step of [...authorChange.added, ...reviewChange.added]) {
    if (step.byOrg !== actor.orgId || step.role !== actor.role) refuse('a review step must name the organization and role that write it');
    if (ids.has(step.id)) refuse(`a review step's id is unique in the entry: ${step.id} is taken`);
    ids.add(step.id);
  }
  if (authorChange.added.length > 0 && actor.orgId !== write.header.ownerOrg) refuse("only the entry's organization submits it or replies as its author");
  // The cost, taken knowingly (docs/SECURITY.md): a submission merged here with another device's
  // concurrent edit of the text is refused too, and stays in that device's outbox until undone.
  const submitted = authorChange.added.filter((step) => step.kind === 'submitted');
  if (submitted.length > 0) {
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, write.state);
      const live = versionOfDoc(doc);
      if (submitted.some((step) => !isSameVersion(step.version, live))) refuse("a submission's version must be the entry as it reads after the change");
    } finally {
      doc.destroy();
    }
  }
  // An entry reads endorsed only with a pinned version (entrySharing.ts); becoming endorsed again
  // takes a new endorsement too, never the status alone over an older one.
  const isEndorsedNow = after['status'] === 'endorsed' && before?.['status'] !== 'endorsed';
  if (isEndorsedNow && !reviewChange.added.some((step) => step.kind === 'endorsed')) refuse('an entry is endorsed by an endorsement of a submission, added with its status');
  if (reviewChange.added.length === 0) return;
  if (actor.orgId === write.header.ownerOrg) refuse("an organization does not review its own entry; the secretariat or a steward with the review scope does");
  const submissions = new Map(authorAfter.flatMap((step) => (step.kind === 'submitted' ? [[step.id, step] as const] : [])));
  for (const step of reviewChange.added) {
    if (step.kind === 'comment') {
      if (step.submissionId !== '' && !submissions.has(step.submissionId)) refuse(`the entry has no submission ${step.submissionId}`);
      continue;
    }
    const submission = submissions.get(step.submissionId);
    if (!submission) return refuse(`the entry has no submission ${step.submissionId}`);
    if (step.kind === 'endorsed' && !isSameVersion(step.version, submission.version)) refuse('an endorsement must carry the version it endorses exactly as submitted');
  }
}
