import { z } from 'zod';
import { recordIdSchema } from './recordType';

/** Field schemas shared by several record types. Limits keep one record small enough to sync on 2G. */
export const shortText = (max = 300) => z.string().trim().max(max);
export const nonEmptyText = (max = 300) => z.string().trim().min(1, 'must not be empty').max(max);
export const longText = z.string().max(20_000);

export const tagSchema = nonEmptyText(60);
export const tagsSchema = z.array(tagSchema).max(50);
/**
 * Tags as read from a record: a set (layout.ts) merges concurrent adds, so two devices that each
 * stay within the input limit can together exceed it; a projection shows them all.
 */
export const mergedTagsSchema = z.array(tagSchema);

/** A BCP 47 language tag such as 'zh-CN' or 'en'. */
export const languageSchema = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as zh-CN or en');

export const orgIdSchema = recordIdSchema;
export const timeSchema = z.number().int().nonnegative();

// Format characters (zero-width space, joiners, bidi marks), spaces of every kind and the blank
// letters that render as nothing (Hangul fillers, the blank Braille pattern).
const INVISIBLE = /[\p{Cf}\p{Z}\s\u115F\u1160\u2800\u3164\uFFA0]/gu;

/** Whether `text` holds something a reader can see: `trim` alone keeps a lone zero-width space. */
export function hasVisibleText(text: string): boolean {
  return text.replace(INVISIBLE, '').length > 0;
}

/** Text that must say something: at least one visible character, at most `max`. */
export const visibleText = (max = 300) => nonEmptyText(max).refine(hasVisibleText, 'must hold a visible character');
