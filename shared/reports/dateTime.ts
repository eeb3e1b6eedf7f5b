/*
 * The one way Fieldwise writes dates and times, on screens and in reports: in the user's own
 * regional locale (an en-GB profile gets 24-hour time and day-month order), not the catalog's bare
 * language ("en" alone reads as US English). Formatters are cached: making one costs far more than
 * using one, and a large report formats thousands of dates.
 */

export type DateTimeStyle =
  /** 2 Dec 2026 */
  | 'date'
  /** 2 Dec 2026, 14:05 */
  | 'dateTime'
  /** 2 Dec 2026, 14:05:09: logs, where seconds tell events apart */
  | 'dateTimeSeconds'
  /** 14:05:09: the sync bar, where the day is today */
  | 'time';

const OPTIONS: Readonly<Record<DateTimeStyle, Intl.DateTimeFormatOptions>> = {
  date: { dateStyle: 'medium' },
  dateTime: { dateStyle: 'medium', timeStyle: 'short' },
  dateTimeSeconds: { dateStyle: 'medium', timeStyle: 'medium' },
  time: { timeStyle: 'medium' },
};

/**
 * The locale to format in for a catalog language: the first of the user's preferred locales of
 * that language (navigator.languages in the browser), else the language itself.
 */
export function formatLocaleFor(language: string, preferred: readonly string[]): string {
  const base = language.toLowerCase().split('-')[0]!;
  for (const tag of preferred) {
    if (tag.toLowerCase().split('-')[0] !== base) continue;
    try {
      return Intl.DateTimeFormat.supportedLocalesOf([tag]).length > 0 ? tag : language;
    } catch {
      // A malformed tag in the platform's list: the next one.
    }
  }
  return language;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function dateTimeFormatter(locale: string, style: DateTimeStyle, timeZone?: string): Intl.DateTimeFormat {
  const key = `${locale}|${style}|${timeZone ?? ''}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...OPTIONS[style], ...(timeZone ? { timeZone } : {}) });
    formatters.set(key, format);
  }
  return format;
}

export function formatDateTime(locale: string, at: number, style: DateTimeStyle, timeZone?: string): string {
  return dateTimeFormatter(locale, style, timeZone).format(at);
}
