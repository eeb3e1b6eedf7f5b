import { creditNeedsName } from './entryConsent';
import { licenceViolation, type Licence } from './entryLicence';
import { translationViolation, type Translation } from './entryTranslation';
import { labelsViolation, type EntryLabel } from './entryLabels';
import { firstViolation, nonEmpty, type InvariantViolation } from './invariants';
import { hasVisibleText } from './visibleText';

/** The part of an entry's projection its invariants read (structural: no import of entry.ts). */
export interface EntryInvariantFields {
  readonly title: string;
  readonly attribution: { readonly consent: string; readonly holderName: string };
  readonly labels: readonly EntryLabel[];
  readonly licence: Licence;
  readonly translation: Translation | null;
  readonly reviewSteps: readonly { readonly kind: string; readonly note: string }[];
  readonly authorSteps: readonly { readonly kind: string; readonly note: string }[];
}

/** Review steps whose note is their whole point: a request for changes, a comment, a reply. */
const SAYING_STEPS: ReadonlySet<string> = new Set(['changes-requested', 'comment', 'reply']);

/** A request for changes, or a comment or reply in the review thread, that reads as blank. */
function blankReviewNote(p: EntryInvariantFields): InvariantViolation | null {
  for (const [field, steps] of [['reviewSteps', p.reviewSteps], ['authorSteps', p.authorSteps]] as const) {
    if (steps.some((step) => SAYING_STEPS.has(step.kind) && !hasVisibleText(step.note))) return { field, reason: 'a request for changes, a comment or a reply needs words the author can read' };
  }
  return null;
}

/**
 * What every state of an entry satisfies (invariants.ts), in the order a form would point at them.
 * Consent and status need no rule here: an entry reads as a private draft whenever its consent is
 * pending or any stored trace says private, and `endorsed` only with a pinned version
 * (entrySharing.ts), so every merged state is valid and the withdrawal wins. A new entry's stored
 * fields are held to what it reads as (newEntrySharingViolation, on the hub).
 */
export function entryInvariants(p: EntryInvariantFields): InvariantViolation | null {
  return firstViolation(nonEmpty('title', p.title), creditNeedsName(p.attribution), labelsViolation(p.labels), licenceViolation(p.licence), translationViolation(p.translation), blankReviewNote(p));
}
