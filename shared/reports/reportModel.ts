import type { BlobContent } from '../blobs/blobRef';
import type { AttachmentKind } from '../records/attachments';
import { formatDateTime } from './dateTime';
import type { ReportKind } from './reportKinds';

/*
 * A report as plain data: what every renderer (HTML, CSV, Markdown, the screen's preview) turns
 * into its own form. Builders (knowledgeDigest.ts, networkContributions.ts, orgProfileReport.ts,
 * decisionRecordReport.ts) make one from a `ReportData` snapshot of the store; nothing here reads
 * a clock, the store or the network, so a report is reproducible from its inputs.
 */

/**
 * Turns an i18n key (`reports.doc.title.digest`, `entry.kind.practice`) into text in the report's
 * language; `values` interpolates `{{name}}` and may carry `defaultValue`. The renderer passes
 * i18next's `t` for the chosen language; shared/ never loads catalogs itself.
 */
export type ReportTranslate = (key: string, values?: Readonly<Record<string, string | number>>) => string;

export interface ReportLocale {
  readonly t: ReportTranslate;
  /** BCP 47 tag of the report's language, e.g. 'zh-CN'; sets <html lang> and date formats. */
  readonly language: string;
  /** IANA time zone dates are shown in; 'UTC' unless the screen passes the device's. */
  readonly timeZone: string;
  /** The regional locale dates are written in (e.g. 'en-GB' for an English report); `language` if absent. */
  readonly formatLocale?: string;
}

export interface ReportFact {
  readonly label: string;
  readonly value: string;
}

export interface ReportBar {
  readonly label: string;
  readonly value: number;
}

/** One entry of a digest or a profile, already in display form. */
export interface ReportEntryItem {
  readonly id: string;
  readonly title: string;
  /** Kind, organization, region, date: one line. */
  readonly meta: string;
  readonly summary: string;
  /** "Knowledge holder: ... · Consent: ..." (the holder's name left out under anonymous consent). */
  readonly attribution: string;
  readonly labels: readonly string[];
  /** The entry's text: its kind's template sections with text, then the full write-up, each under its heading. */
  readonly content: readonly { readonly heading: string; readonly text: string }[];
  /** What is attached that the report may show (reportAttachments.ts); null when nothing is attached. */
  readonly attachments: ReportEntryAttachments | null;
}

/** An entry's attachments as a report shows them, under their heading. */
export interface ReportEntryAttachments {
  readonly heading: string;
  readonly items: readonly ReportAttachment[];
  /** Why some are not shown (consent pending, a private entry's photos), one sentence each. */
  readonly notes: readonly string[];
}

export interface ReportAttachment {
  readonly id: string;
  readonly kind: AttachmentKind;
  readonly name: string;
  readonly caption: string;
  /** "Photo: well.jpg; the new tank", as CSV and Markdown list it. */
  readonly line: string;
  /** Set on a photo the document may show; absent when photos are not included or may not be shown. */
  readonly photo?: ReportPhoto;
}

/** A photo to embed: the renditions to try, best first (preview, then thumbnail; never the original). */
export interface ReportPhoto {
  readonly sources: readonly BlobContent[];
  readonly alt: string;
  /** What the document says in its place when none of the sources is on this device, in the report's language. */
  readonly missingText: string;
}

export type ReportBlock =
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'facts'; readonly items: readonly ReportFact[] }
  | {
      readonly kind: 'table';
      readonly caption: string;
      readonly columns: readonly string[];
      readonly rows: readonly (readonly string[])[];
      /** Indexes of columns holding numbers (right-aligned). */
      readonly numericColumns: readonly number[];
    }
  /** A horizontal bar chart: inline SVG in HTML, a table in Markdown. */
  | { readonly kind: 'bars'; readonly caption: string; readonly bars: readonly ReportBar[] }
  | { readonly kind: 'entries'; readonly items: readonly ReportEntryItem[] };

export interface ReportSection {
  readonly id: string;
  readonly heading: string;
  readonly blocks: readonly ReportBlock[];
}

/** How current a report is: one row per organization whose data it shows. */
export interface FreshnessRow {
  readonly orgId: string;
  readonly orgName: string;
  readonly lastSyncAt: number | null;
  /** Whole days since lastSyncAt; null when never heard from. */
  readonly ageDays: number | null;
  /** Not heard from for longer than the threshold, or never. */
  readonly isStale: boolean;
}

export interface Freshness {
  readonly thresholdDays: number;
  /** Where the times come from, said in the report: the hub's record of syncs, or derived on this device. */
  readonly source: LastSyncSource;
  /** When the hub reported the times (source 'hub'); null otherwise. */
  readonly asOf: number | null;
  readonly rows: readonly FreshnessRow[];
  readonly staleCount: number;
}

export type LastSyncSource = 'hub' | 'derived';

/** The report's main rows, which CSV exports as they are. */
export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export interface ReportModel {
  readonly kind: ReportKind;
  readonly title: string;
  readonly subtitle: string;
  readonly language: string;
  readonly generatedAt: number;
  readonly generatedAtText: string;
  /** The filters and choices that made it, one line each. */
  readonly criteria: readonly string[];
  readonly freshness: Freshness;
  readonly freshnessSection: ReportSection;
  readonly sections: readonly ReportSection[];
  readonly table: ReportTable;
  /** A suggested file name without extension (no path characters). */
  readonly fileStem: string;
}

const DAY_MS = 86_400_000;
export { DAY_MS };

/** A time as the report shows it, in its locale (see dateTime.ts) and time zone. */
export function formatTime(locale: ReportLocale, time: number): string {
  return formatDateTime(locale.formatLocale ?? locale.language, time, 'dateTime', locale.timeZone);
}

export function formatDate(locale: ReportLocale, time: number): string {
  return formatDateTime(locale.formatLocale ?? locale.language, time, 'date', locale.timeZone);
}

/**
 * The same locale with labels and sentence patterns remembered: a large report asks for the same
 * few labels (a kind, a consent level) and sentences (an attribution line) once per row, and a
 * catalog lookup with interpolation costs far more than a map's. A pattern is learnt once per key
 * and set of value names by translating with marker values, then filled in by replacing markers.
 * `defaultValue` passes through unchanged. A key given a `count` is translated each time: its
 * plural form depends on the number, and a marker in its place is no number (the freshness
 * sentence showed as its bare key in every report).
 */
export function withRememberedLabels(locale: ReportLocale): ReportLocale {
  const labels = new Map<string, string>();
  const patterns = new Map<string, string>();
  const marker = (name: string) => `\u0001${name}\u0002`;
  return {
    ...locale,
    t: (key, values) => {
      if (values === undefined) {
        let label = labels.get(key);
        if (label === undefined) {
          label = locale.t(key);
          labels.set(key, label);
        }
        return label;
      }
      if ('count' in values) return locale.t(key, values);
      const names = Object.keys(values).filter((name) => name !== 'defaultValue').sort();
      const patternKey = `${key}|${names.join(',')}|${values['defaultValue'] ?? ''}`;
      let pattern = patterns.get(patternKey);
      if (pattern === undefined) {
        const markers: Record<string, string | number> = Object.fromEntries(names.map((name) => [name, marker(name)]));
        if (values['defaultValue'] !== undefined) markers['defaultValue'] = values['defaultValue'];
        pattern = locale.t(key, markers);
        patterns.set(patternKey, pattern);
      }
      return pattern.replace(/\u0001(\w+)\u0002/g, (_match, name: string) => String(values[name] ?? ''));
    },
  };
}

/** A machine-readable time for CSV cells: ISO 8601 in UTC. */
export function isoTime(time: number | null): string {
  return time === null ? '' : new Date(time).toISOString();
}

/** 'YYYY-MM' of a time in UTC: months of contributions are counted the same on every device. */
export function monthOf(time: number): string {
  return new Date(time).toISOString().slice(0, 7);
}

/** A file name stem: letters (any script), digits, '-' and '_' only. */
export function fileStemOf(...parts: readonly string[]): string {
  return (
    parts
      .join('-')
      .replace(/[^\p{L}\p{N}_-]+/gu, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 120) || 'report'
  );
}

export const byText = (a: string, b: string): number => a.localeCompare(b);
