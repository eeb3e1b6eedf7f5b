import { z } from 'zod';
import { recordIdSchema } from './recordType';
import { hasVisibleText } from './visibleText';

/** Field schemas shared by several record types. Limits keep one record small enough to sync on 2G. */
export const shortText = (max = 300) => z.string().trim().max(max);
export const nonEmptyText = (max = 300) => z.string().trim().min(1, 'must not be empty').max(max);
export const longText = z.string().max(20_000);
/**
 * A reason a reader must be able to read (visibleText.ts): not empty, and not only spaces or
 * invisible characters. For inputs; records read their stored reasons tolerantly and the
 * invariants and the hub's checks judge them with the same `hasVisibleText`.
 */
export const reasonText = (max = 2000) => z.string().trim().max(max).refine(hasVisibleText, 'must hold visible text, not only spaces or invisible characters');

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
