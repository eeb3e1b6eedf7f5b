import * as Y from 'yjs';
import type { z } from 'zod';
import { NestingTooDeepError } from './recordError';

/*
 * The building blocks every record's Yjs layout is made of. Reading is tolerant on purpose: a
 * record arrives from other devices, so a field holding the wrong shape reads as its default
 * instead of throwing, and a projection is always valid.
 */

/** Plain fields live in one Y.Map; each value is replaced whole (last writer wins). */
export const FIELDS = 'fields';

export function fields(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(FIELDS);
}

export function readField<T>(doc: Y.Doc, key: string, schema: z.ZodType<T>, fallback: T): T {
  const parsed = schema.safeParse(fields(doc).get(key));
  return parsed.success ? parsed.data : fallback;
}

export function writeFields(doc: Y.Doc, values: Record<string, unknown>): void {
  const map = fields(doc);
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    // Writing an equal value would still add an item to the log; skip it.
    if (isSameJson(map.get(key), value)) continue;
    map.set(key, value);
  }
}

function isSameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A set of strings as a Y.Map of key -> true, so concurrent adds on two laptops merge instead of
 * one overwriting the other (which a whole-array field would do).
 */
/** The set's members, sorted; members that fail `itemSchema` (written by a misbehaving device) are left out. */
export function readSet(doc: Y.Doc, name: string, itemSchema?: z.ZodType<string>): string[] {
  const keys = [...doc.getMap<boolean>(`set.${name}`).keys()];
  return keys.filter((key) => !itemSchema || itemSchema.safeParse(key).success).sort();
}

export function writeSet(doc: Y.Doc, name: string, values: readonly string[]): void {
  const map = doc.getMap<boolean>(`set.${name}`);
  const wanted = new Set(values);
  for (const key of [...map.keys()]) if (!wanted.has(key)) map.delete(key);
  for (const key of wanted) if (!map.has(key)) map.set(key, true);
}

/** An append-only list (review notes, revisions, pipeline steps). Concurrent appends all survive. */
export function readLog<T>(doc: Y.Doc, name: string, itemSchema: z.ZodType<T>): T[] {
  const items: T[] = [];
  for (const raw of doc.getArray<unknown>(`log.${name}`).toArray()) {
    const parsed = itemSchema.safeParse(raw);
    if (parsed.success) items.push(parsed.data);
  }
  return items;
}

export function appendLog<T>(doc: Y.Doc, name: string, item: T): void {
  doc.getArray<T>(`log.${name}`).push([item]);
}

/**
 * Rich text lives in a top-level Y.XmlFragment in the node layout that y-prosemirror (and so
 * Tiptap's Collaboration extension) uses: block elements named after their node type, holding
 * Y.XmlText. The editor binds to `fragmentName` directly.
 */
export function richText(doc: Y.Doc, fragmentName: string): Y.XmlFragment {
  return doc.getXmlFragment(fragmentName);
}

/** Deeper rich text than any editor writes; reading past it would risk the stack (thousands of levels). */
export const maxRichTextDepth = 64;

/** The plain text of a fragment, one line per block, for projections and search. */
export function fragmentText(fragment: Y.XmlFragment): string {
  const lines: string[] = [];
  for (const child of fragment.toArray()) {
    const text = nodeText(child, 1).trim();
    if (text) lines.push(text);
  }
  return lines.join('\n');
}

function nodeText(node: Y.XmlElement | Y.XmlText | Y.XmlHook, depth: number): string {
  if (depth > maxRichTextDepth) throw new NestingTooDeepError(maxRichTextDepth);
  if (node instanceof Y.XmlText) {
    return (node.toDelta() as { insert: unknown }[])
      .map((op) => (typeof op.insert === 'string' ? op.insert : ''))
      .join('');
  }
  if (node instanceof Y.XmlElement) {
    const parts = node.toArray().map((child) => nodeText(child, depth + 1));
    // Block children (paragraphs inside list items, ...) go on lines of their own.
    const hasBlocks = node.toArray().some((child) => child instanceof Y.XmlElement);
    return parts.join(hasBlocks ? '\n' : '');
  }
  return '';
}

/** Replace a fragment's content with plain paragraphs (headless editing; the editor does the rest). */
export function setFragmentText(fragment: Y.XmlFragment, text: string): void {
  if (fragmentText(fragment) === text.trim()) return;
  if (fragment.length > 0) fragment.delete(0, fragment.length);
  const paragraphs = text
    .split(/\n+/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [new Y.XmlText(line)]);
      return paragraph;
    });
  fragment.insert(0, paragraphs);
}
