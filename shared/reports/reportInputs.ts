import { DEFAULT_STALE_AFTER_DAYS, freshnessOf, freshnessSection } from './freshness';
import type { ReportData } from './reportData';
import type { Freshness, LastSyncSource, ReportLocale, ReportSection } from './reportModel';

/** What every report builder takes besides its own options. */
export interface ReportContext {
  readonly data: ReportData;
  readonly locale: ReportLocale;
  readonly now: number;
  /** Each organization's last sync time (null: never); see lastHeardFrom.ts for the derived one. */
  readonly lastSyncAt: ReadonlyMap<string, number | null>;
  readonly lastSyncSource: LastSyncSource;
  /** When the hub reported the times (source 'hub'); the report says how old that report is. */
  readonly lastSyncAsOf?: number | null;
  /** Flag organizations not heard from for longer than this; default 30. */
  readonly staleAfterDays?: number;
  /** Whether the document (HTML, PDF) shows photos; default true. CSV and Markdown list attachments by name either way. */
  readonly includePhotos?: boolean;
  /** Photos the person chose to leave out of the document (photoKey: entry id and attachment id); they are named, not shown. */
  readonly leftOutPhotos?: ReadonlySet<string>;
}

export function freshnessFor(context: ReportContext, orgIds: Iterable<string>, names: ReadonlyMap<string, string>): { freshness: Freshness; section: ReportSection } {
  const freshness = freshnessOf({
    orgIds,
    names,
    lastSyncAt: context.lastSyncAt,
    source: context.lastSyncSource,
    thresholdDays: context.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS,
    now: context.now,
    asOf: context.lastSyncAsOf ?? null,
  });
  return { freshness, section: freshnessSection(freshness, context.locale) };
}
