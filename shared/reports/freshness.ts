import { DAY_MS, formatTime, type Freshness, type FreshnessRow, type LastSyncSource, type ReportLocale, type ReportSection } from './reportModel';
import { ReportInputError } from './reportInputError';

export const DEFAULT_STALE_AFTER_DAYS = 30;

export interface FreshnessInput {
  /** The organizations whose data the report shows. */
  readonly orgIds: Iterable<string>;
  readonly names: ReadonlyMap<string, string>;
  readonly lastSyncAt: ReadonlyMap<string, number | null>;
  readonly source: LastSyncSource;
  readonly thresholdDays: number;
  readonly now: number;
  /** When the hub reported the times; null when derived or unknown. */
  readonly asOf?: number | null;
}

/**
 * How current a report is: each organization's last sync, stale ones (not heard from for longer
 * than the threshold, or never) first, then the oldest first, so what needs a phone call leads.
 */
export function freshnessOf(input: FreshnessInput): Freshness {
  if (!Number.isFinite(input.thresholdDays) || input.thresholdDays < 0) {
    throw new ReportInputError('bad-threshold', `the staleness threshold must be a number of days, 0 or more (got ${input.thresholdDays})`);
  }
  const rows: FreshnessRow[] = [...new Set(input.orgIds)].map((orgId) => {
    const lastSyncAt = input.lastSyncAt.get(orgId) ?? null;
    const ageMs = lastSyncAt === null ? null : Math.max(0, input.now - lastSyncAt);
    return {
      orgId,
      orgName: input.names.get(orgId) ?? orgId,
      lastSyncAt,
      ageDays: ageMs === null ? null : Math.floor(ageMs / DAY_MS),
      isStale: ageMs === null || ageMs > input.thresholdDays * DAY_MS,
    };
  });
  rows.sort(
    (a, b) =>
      Number(b.isStale) - Number(a.isStale) ||
      (a.lastSyncAt ?? -Infinity) - (b.lastSyncAt ?? -Infinity) ||
      a.orgName.localeCompare(b.orgName) ||
      (a.orgId < b.orgId ? -1 : a.orgId > b.orgId ? 1 : 0),
  );
  return { thresholdDays: input.thresholdDays, source: input.source, asOf: input.asOf ?? null, rows, staleCount: rows.filter((row) => row.isStale).length };
}

/** The "how current is this" section every report opens with. */
export function freshnessSection(freshness: Freshness, locale: ReportLocale): ReportSection {
  const { t } = locale;
  const never = t('reports.doc.freshness.never');
  return {
    id: 'freshness',
    heading: t('reports.doc.freshness.heading'),
    blocks: [
      { kind: 'paragraph', text: t(`reports.doc.freshness.source.${freshness.source}`) },
      ...(freshness.asOf !== null ? [{ kind: 'paragraph' as const, text: t('reports.doc.freshness.asOf', { at: formatTime(locale, freshness.asOf) }) }] : []),
      {
        kind: 'paragraph',
        text: t('reports.doc.freshness.summary', { stale: freshness.staleCount, total: freshness.rows.length, count: freshness.thresholdDays }),
      },
      {
        kind: 'table',
        caption: t('reports.doc.freshness.caption', { count: freshness.thresholdDays }),
        columns: [t('reports.doc.col.organization'), t('reports.doc.col.lastSync'), t('reports.doc.col.daysAgo'), t('reports.doc.col.freshness')],
        rows: freshness.rows.map((row) => [
          row.orgName,
          row.lastSyncAt === null ? never : formatTime(locale, row.lastSyncAt),
          row.ageDays === null ? '—' : String(row.ageDays),
          row.isStale ? t('reports.doc.freshness.stale') : t('reports.doc.freshness.current'),
        ]),
        numericColumns: [2],
      },
    ],
  };
}
