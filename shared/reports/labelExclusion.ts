import { isLeftOutOfReports, labelText, noticeKeyOf, noticeLabelIds, reportExcludedLabelIds, type EntryLabel, type EntryLabelId } from '../records/entryLabels';
import type { ReportData } from './reportData';
import type { ReportLocale, ReportModel, ReportSection } from './reportModel';

/*
 * Reports and exports are made for people outside the organization (the network, funders, a
 * province): an entry whose labels keep it inside its organization (TK Secret/Sacred, TK Community
 * Use Only: shared/records/entryLabels.ts) is never in one. A device holds such entries only of
 * its own organization (the hub sends them to nobody else), so leaving them out here is what keeps
 * them from leaving on paper. An entry labelled TK Women Restricted or TK Men Restricted is left
 * out as well: the network does not know who its readers are, so a report cannot be made for the
 * audience the label allows. The report says how many were left out and why — a section in the
 * document (HTML, PDF, Markdown), a line of its criteria, and a last row of its CSV — so a reader
 * knows the counts are not the whole of the organization's knowledge.
 */

export interface LeftOut {
  readonly count: number;
  /** Entries left out per label that kept them in (an entry with both counts under the first). */
  readonly byLabel: ReadonlyMap<EntryLabelId, number>;
}

/**
 * The report data without owner-only or audience-restricted entries, nor translations of them (the
 * same knowledge in another language, counted under the original's label), nor comments on any of
 * these; and what was left out.
 */
export function withoutOwnerOnlyEntries(data: ReportData): { data: ReportData; leftOut: LeftOut } {
  const byLabel = new Map<EntryLabelId, number>();
  const leftOutIds = new Set<string>();
  const reasonOf = (labels: readonly Pick<EntryLabel, 'id'>[]): EntryLabelId | null =>
    isLeftOutOfReports(labels) ? reportExcludedLabelIds.find((id) => labels.some((label) => label.id === id))! : null;
  const byId = new Map(data.entries.map((view) => [view.header.id, view]));
  const entries = data.entries.filter((view) => {
    const of = view.projection.translation?.of;
    const reason = reasonOf(view.projection.labels) ?? (of === undefined ? null : reasonOf(byId.get(of)?.projection.labels ?? []));
    if (reason === null) return true;
    byLabel.set(reason, (byLabel.get(reason) ?? 0) + 1);
    leftOutIds.add(view.header.id);
    return false;
  });
  if (leftOutIds.size === 0) return { data, leftOut: { count: 0, byLabel } };
  const comments = data.comments.filter((view) => !leftOutIds.has(view.projection.targetId));
  return { data: { ...data, entries, comments }, leftOut: { count: leftOutIds.size, byLabel } };
}

function reasonsText(leftOut: LeftOut, locale: ReportLocale): string {
  return reportExcludedLabelIds.flatMap((id) => {
    const n = leftOut.byLabel.get(id);
    return n ? [[id, n] as const] : [];
  }).map(([id, n]) => locale.t('labels.report.reason', { label: locale.t(`labels.name.${id}`), n })).join(locale.language.startsWith('zh') ? '；' : '; ');
}

/** The model with what was left out said in it (unchanged when nothing was). */
export function sayWhatWasLeftOut(model: ReportModel, leftOut: LeftOut, locale: ReportLocale): ReportModel {
  if (leftOut.count === 0) return model;
  const { t } = locale;
  const reasons = reasonsText(leftOut, locale);
  // One entry reads in the singular (separate keys: report labels are remembered without plural forms).
  const one = leftOut.count === 1;
  const text = t(one ? 'labels.report.textOne' : 'labels.report.text', { n: leftOut.count, reasons });
  const section: ReportSection = { id: 'left-out', heading: t('labels.report.heading'), blocks: [{ kind: 'paragraph', text }] };
  return {
    ...model,
    criteria: [...model.criteria, text],
    sections: [...model.sections, section],
    table: { columns: model.table.columns, rows: [...model.table.rows, [t(one ? 'labels.report.csvOne' : 'labels.report.csv', { n: leftOut.count, reasons })]] },
  };
}

/**
 * An entry's labels as a report prints them with the entry: each label's name with the
 * community's words in the report's language, and a seasonal label as its notice.
 */
export function entryLabelLines(labels: readonly EntryLabel[], locale: ReportLocale): string[] {
  const { t } = locale;
  return labels.map((label) => {
    const words = labelText(label, locale.language) || t(`labels.meaning.${label.id}`);
    return noticeLabelIds.includes(label.id) ? t(`labels.notice.${noticeKeyOf(label.id)}`, { text: words }) : `${t(`labels.name.${label.id}`)}: ${words}`;
  });
}
