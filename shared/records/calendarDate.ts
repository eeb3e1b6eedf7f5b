import { z } from 'zod';

/*
 * A day on the calendar written YYYY-MM-DD (an outcome statement's review date). The pattern alone
 * takes "2027-02-30" and "9999-99-99", days no inbox ever reaches, so the day is checked to exist
 * in the proleptic Gregorian calendar. The app's form and the hub (through the schema) run this
 * one function.
 */

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is YYYY-MM-DD naming a day that exists (leap years counted). */
export function isCalendarDate(text: string): boolean {
  const match = PATTERN.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one; UTC has no daylight-saving gaps.
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return day <= date.getUTCDate();
}

export const calendarDateSchema = z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD that exists');
