import type { EntryProjection } from '../records/entry';
import { hasChangesSinceEndorsed, pinnedVersionOf, reviewStateOf, versionOf } from '../records/entryReview';
import type { EntryVersion } from '../records/entryReviewSchema';
import { versionSectionsOf } from '../records/entryTemplates';
import type { ReportLocale } from './reportModel';

/*
 * What a report prints of an entry's text. An endorsed entry prints its endorsed (pinned) version,
 * the one the network vouched for, even while its author drafts changes; any other entry prints
 * its text as it is. Each of its kind's template sections with text (then its optional sections
 * with text, whether the network has them on now or not), then the full write-up.
 */

export function printedVersion(p: EntryProjection): EntryVersion {
  const pinned = pinnedVersionOf(p);
  return p.status === 'endorsed' && pinned ? pinned.version : versionOf(p);
}

export function printedVersionOf(p: EntryProjection, locale: ReportLocale): { heading: string; text: string }[] {
  const version = printedVersion(p);
  const parts = versionSectionsOf(version.kind).flatMap((name) => {
    const text = version.sections[name]?.trim();
    return text ? [{ heading: locale.t(`entry.section.${name}`), text }] : [];
  });
  if (version.body.trim() !== '') parts.push({ heading: locale.t('reports.doc.digest.body'), text: version.body.trim() });
  return parts;
}

/** The entry's status with its review: "Endorsed", "Endorsed, changes in draft", "Shared · Submitted for review". */
export function reviewLabel(p: EntryProjection, locale: ReportLocale): string {
  const { t } = locale;
  if (p.status === 'endorsed') return hasChangesSinceEndorsed(p) ? t('review.changesInDraft') : t('entry.status.endorsed');
  const state = reviewStateOf(p);
  return state === 'none' || state === 'endorsed' ? t(`entry.status.${p.status}`) : `${t(`entry.status.${p.status}`)} · ${t(`review.state.${state}`)}`;
}
