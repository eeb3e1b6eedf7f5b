import type { TFunction } from 'i18next';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** "3 days left", "5 hours left", "12 minutes left": whole units, rounded down, never "0 minutes". */
export function timeLeftText(t: TFunction, timeLeftMs: number): string {
  if (timeLeftMs >= 2 * DAY_MS) return t('inbox.left.days', { count: Math.floor(timeLeftMs / DAY_MS) });
  if (timeLeftMs >= HOUR_MS) return t('inbox.left.hours', { count: Math.floor(timeLeftMs / HOUR_MS) });
  return t('inbox.left.minutes', { count: Math.max(1, Math.floor(timeLeftMs / MINUTE_MS)) });
}
