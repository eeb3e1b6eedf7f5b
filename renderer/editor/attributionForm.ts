import type { Attribution } from '../../shared/records/entry';

/**
 * Choosing a consent level: credit by name with no name yet waits for the name (the entry
 * invariant refuses it alone), every other choice is saved at once.
 */
export function consentChoice(holderName: string, consent: Attribution['consent']): { readonly waits: boolean } {
  return { waits: consent === 'credit-by-name' && holderName.trim() === '' };
}

/** A stored day (ms, UTC midnight) as a date input shows it: `YYYY-MM-DD`. */
export const dayInput = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** A date input's `YYYY-MM-DD` as milliseconds at UTC midnight; null when not a whole date. */
export function dayOfInput(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const at = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(at) ? null : at;
}
