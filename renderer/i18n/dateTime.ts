import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTimeFormatter, formatDateTime, formatLocaleFor, type DateTimeStyle } from '../../shared/reports/dateTime';

/*
 * Dates and times on screen, through the one formatting module (shared/reports/dateTime.ts): in
 * the user's regional locale for the chosen language, so an en-GB browser gets 24-hour time and
 * day-month order while the catalog stays "en".
 */

/** The user's preferred locales, as the platform lists them. */
export function preferredLocales(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : navigator.language ? [navigator.language] : [];
}

export function formatLocaleOf(language: string): string {
  return formatLocaleFor(language, preferredLocales());
}

export interface DateTimeFormatting {
  readonly locale: string;
  format(at: number, style: DateTimeStyle): string;
}

export function useDateTime(): DateTimeFormatting {
  const { i18n } = useTranslation();
  return useMemo(() => {
    const locale = formatLocaleOf(i18n.language);
    return { locale, format: (at: number, style: DateTimeStyle) => formatDateTime(locale, at, style) };
  }, [i18n.language]);
}

/** A formatter for a catalog language, in the user's regional locale (for code that holds `i18n.language`). */
export function screenDateFormat(language: string, style: DateTimeStyle): Intl.DateTimeFormat {
  return dateTimeFormatter(formatLocaleOf(language), style);
}
