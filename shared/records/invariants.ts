import * as Y from 'yjs';
import { fields } from './layout';
import { hasVisibleText } from './visibleText';

/*
 * Record invariants: what a record's whole state must satisfy, whoever wrote it. Each record type
 * has one function, projection -> violation | null, registered on its module (`invariants` in
 * defineRecord); `create` and every mutator run it on the state they leave (recordModule.ts), and
 * the hub runs the very same function on the state a push, a `/yjs` edit or a bundle would leave
 * (server/hub/validateUpdate.ts), refusing it as `invariant-violated` (422) with the field. A
 * client written from docs/PROTOCOL.md is held to what the app is held to.
 *
 * The functions take the projection's shape structurally, so this file imports no record module.
 */

export interface InvariantViolation {
  /** The projected field at fault (`sharing`, `status`, `labels.0.texts`, ...). */
  readonly field: string;
  readonly reason: string;
}

export type Invariant<P> = (projection: P) => InvariantViolation | null;

/** The first violation of several rules, in order; null when all hold. */
export function firstViolation(...checks: readonly (InvariantViolation | null)[]): InvariantViolation | null {
  return checks.find((check) => check !== null) ?? null;
}

const violation = (field: string, reason: string): InvariantViolation => ({ field, reason });

const isBlank = (text: string): boolean => text.trim().length === 0;

/** `create` refuses an empty title/name, and so does every mutator that sets one. */
export function nonEmpty(field: string, text: string): InvariantViolation | null {
  return isBlank(text) ? violation(field, 'must not be empty') : null;
}

/** `create` (and the terms mutators, which set both at once) refuse a window that closes before it opens. */
export function closesAfterOpens(p: { readonly opensAt: number; readonly closesAt: number }): InvariantViolation | null {
  return p.closesAt > p.opensAt ? null : violation('closesAt', 'must be after opensAt');
}

/**
 * Strict write over tolerant read: a plain field whose stored value its type refuses reads as its
 * default (layout.ts), so the projection alone cannot tell it happened. The write path compares
 * each `fields` key the layout projects with what was projected from it; a value the projection
 * did not keep as written is refused. Keys the projection has no field of are the structure
 * check's business (structureActions.ts).
 */
export function unreadableField(doc: Y.Doc, projection: Readonly<Record<string, unknown>>): InvariantViolation | null {
  for (const [key, raw] of fields(doc).entries()) {
    if (!Object.hasOwn(projection, key) || raw === undefined) continue;
    if (!isSameValue(raw, projection[key])) return violation(key, 'holds a value this field does not allow');
  }
  return null;
}

function isSameValue(raw: unknown, projected: unknown): boolean {
  if (raw instanceof Y.AbstractType || raw instanceof Uint8Array) return false;
  return sortedKeysJson(raw) === sortedKeysJson(projected);
}

/** JSON with object keys sorted: a value written with its keys in another order is the same value. */
export function sortedKeysJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** An organization's profile always has a name (create and setProfile refuse an empty one). */
export const orgInvariants: Invariant<{ readonly name: string }> = (p) => nonEmpty('name', p.name);

/** A proposal or an offer: a title, and a window that closes after it opens. */
export const termsInvariants: Invariant<{ readonly title: string; readonly opensAt: number; readonly closesAt: number }> = (p) =>
  firstViolation(nonEmpty('title', p.title), closesAfterOpens(p));

/** A comment says something, about some record; hidden, it says why in words a reader can see. */
export const commentInvariants: Invariant<{ readonly targetId: string; readonly text: string; readonly hidden: { readonly reason: string } | null }> = (p) =>
  firstViolation(
    nonEmpty('targetId', p.targetId),
    nonEmpty('text', p.text),
    p.hidden !== null && !hasVisibleText(p.hidden.reason) ? violation('hidden', 'hiding a comment needs a reason its writer can read') : null,
  );
