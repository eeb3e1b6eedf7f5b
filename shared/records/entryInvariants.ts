import { creditNeedsName } from './entryConsent';
import { licenceViolation, type Licence } from './entryLicence';
import { translationViolation, type Translation } from './entryTranslation';
import { labelsViolation, type EntryLabel } from './entryLabels';
import { consentViolation, entryStatusViolation, firstViolation, nonEmpty, type InvariantViolation } from './invariants';

/** The part of an entry's projection its invariants read (structural: no import of entry.ts). */
export interface EntryInvariantFields {
  readonly title: string;
  readonly sharing: string;
  readonly status: string;
  readonly attribution: { readonly consent: string; readonly holderName: string };
  readonly labels: readonly EntryLabel[];
  readonly licence: Licence;
  readonly translation: Translation | null;
}

/** What every state of an entry satisfies (invariants.ts), in the order a form would point at them. */
export function entryInvariants(p: EntryInvariantFields): InvariantViolation | null {
  return firstViolation(nonEmpty('title', p.title), consentViolation(p.sharing, p.attribution.consent), creditNeedsName(p.attribution), entryStatusViolation(p.sharing, p.status), labelsViolation(p.labels), licenceViolation(p.licence), translationViolation(p.translation));
}
