import { z } from 'zod';
import { shortText, timeSchema } from './fieldSchemas';
import type { InvariantViolation } from './invariants';

/*
 * The knowledge holder's consent record, kept in the entry's attribution: who gave consent, when,
 * how (spoken, written, recorded) and for what use. Optional (an entry written before it existed
 * reads without one), and strict on write like every field (invariants.ts `unreadableField`).
 */

export const consentWays = ['spoken', 'written', 'recorded'] as const;
export type ConsentWay = (typeof consentWays)[number];

export const consentRecordSchema = z.object({
  /** The person who gave consent (the holder, or who speaks for the community). */
  givenBy: shortText(200),
  /** When consent was given: a day, as milliseconds since the epoch. */
  givenAt: timeSchema,
  how: z.enum(consentWays),
  /** What the holder agreed the knowledge may be used for, in their words. */
  use: shortText(1000),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

/**
 * Credit by name needs the name: without it every report printed the holder as anonymous, which
 * is not what the holder asked for.
 */
export function creditNeedsName(attribution: { readonly consent: string; readonly holderName: string }): InvariantViolation | null {
  return attribution.consent === 'credit-by-name' && attribution.holderName.trim() === ''
    ? { field: 'attribution.holderName', reason: 'credit by name needs the name of the person or community' }
    : null;
}
