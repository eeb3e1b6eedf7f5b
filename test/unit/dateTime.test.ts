import { describe, expect, it } from 'vitest';
import { formatDateTime, formatLocaleFor } from '../../shared/reports/dateTime';
import { formatTime } from '../../shared/reports/reportModel';

/* Issue 13: dates and times follow the user's locale, on screens and in reports alike. */

const AFTERNOON = Date.UTC(2026, 2, 4, 15, 7, 9); // 4 March 2026, 15:07:09 UTC

describe('dates in the user locale', () => {
  it('formats in the regional locale the user prefers for the chosen language', () => {
    expect(formatLocaleFor('en', ['en-GB', 'en-US'])).toBe('en-GB');
    expect(formatLocaleFor('en', ['zh-CN', 'en-AU'])).toBe('en-AU');
    expect(formatLocaleFor('zh-CN', ['en-GB'])).toBe('zh-CN');
    expect(formatLocaleFor('zh-CN', ['zh-TW', 'zh-CN'])).toBe('zh-TW');
    expect(formatLocaleFor('en', [])).toBe('en');
  });

  it('gives an en-GB profile 24-hour time and day-month order', () => {
    const locale = formatLocaleFor('en', ['en-GB']);
    const text = formatDateTime(locale, AFTERNOON, 'dateTime', 'UTC');
    expect(text).toMatch(/^4 Mar 2026, 15:07$/);
    expect(formatDateTime(locale, AFTERNOON, 'time', 'UTC')).toBe('15:07:09');
    // The catalog's bare "en" is US English: month first, 12-hour.
    expect(formatDateTime('en', AFTERNOON, 'dateTime', 'UTC')).toMatch(/^Mar 4, 2026, 3:07\sPM$/);
  });

  it('writes report dates in the same locale', () => {
    const t = (key: string) => key;
    expect(formatTime({ t, language: 'en', formatLocale: 'en-GB', timeZone: 'UTC' }, AFTERNOON)).toBe('4 Mar 2026, 15:07');
    expect(formatTime({ t, language: 'en', timeZone: 'UTC' }, AFTERNOON)).toMatch(/3:07\sPM/);
  });
});
