import * as Y from 'yjs';
import type { Action, RecordModule, Timestamps } from './recordModule';
import { moduleFor } from './registry';
import type { RecordType } from './recordType';

/*
 * Authorization at the level of the Yjs structure, not of the projection. A projection shows only
 * what `read` parses, so a change it cannot show (a link target, a mark, a nested map, a junk node,
 * an unknown top-level type) would otherwise need no right at all. Here a record's doc is summed up
 * part by part — each key of the `fields` map, each set, log, other map and rich-text fragment of
 * the layout, with everything inside it (text, marks, node names, attributes) — and every part
 * that differs needs the action of the projected field it feeds. Structure the layout has no room
 * for (an unknown top-level type, a Yjs type nested where the layout holds plain values, a node
 * that is not an element or text) is refused outright.
 *
 * Pure functions of docs or summaries: the hub's write path and a client can both run them.
 */

type PartKind = 'map' | 'array' | 'xml';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs types differ only in their event type
type AnyType = Y.AbstractType<any>;

/** The top-level types a record type's layout has: exactly those its `read` looks at. */
const layouts = new Map<RecordType, ReadonlyMap<string, PartKind>>();

export function layoutOf(type: RecordType): ReadonlyMap<string, PartKind> {
  let layout = layouts.get(type);
  if (!layout) {
    const doc = new Y.Doc();
    moduleFor(type).read(doc);
    layout = new Map([...doc.share].map(([name, shared]) => [name, kindOf(shared)]));
    doc.destroy();
    layouts.set(type, layout);
  }
  return layout;
}

function kindOf(shared: AnyType): PartKind {
  if (shared instanceof Y.XmlFragment) return 'xml';
  if (shared instanceof Y.Array) return 'array';
  if (shared instanceof Y.Map) return 'map';
  throw new Error(`a layout uses a top-level type of an unsupported kind`);
}

export interface StructureSummary {
  /** Part name (`fields.title`, `set.tags`, `log.reviewNotes`, `body`, ...) -> its content, canonical; an empty part is left out. */
  readonly parts: ReadonlyMap<string, string>;
  /** Parts whose structure the layout has no room for -> why. */
  readonly bad: ReadonlyMap<string, string>;
  /**
   * Part name -> the Yjs items that hold its content (live ones, as merged id ranges). A part
   * rewritten to the content it had is still changed: its new items are the writer's, and with a
   * high client id they win over another writer's concurrent edit. An empty part is left out.
   */
  readonly items: ReadonlyMap<string, readonly ItemRange[]>;
}

/** Live items `clock` .. `clock + length - 1` of one Yjs client. */
export interface ItemRange {
  readonly client: number;
  readonly clock: number;
  readonly length: number;
}

/** Thrown for structure the layout has no room for; the hub refuses it as `bad-structure`. */
export class RecordStructureError extends Error {
  constructor(
    readonly part: string,
    readonly reason: string,
  ) {
    super(`${part}: ${reason}`);
    this.name = 'RecordStructureError';
  }
}

class Bad extends Error {}

const liveItems = (first: Y.Item | null): Y.Item[] => {
  const items: Y.Item[] = [];
  for (let item = first; item !== null; item = item.right) if (!item.deleted) items.push(item);
  return items;
};
const liveKeys = (type: AnyType): number => [...type._map.values()].filter((item) => !item.deleted).length;

/** A plain value as canonical JSON; a Yjs type, a sub-document or binary where a plain value belongs is bad. */
function plainValue(value: unknown): string {
  if (value instanceof Y.AbstractType) throw new Bad('a Yjs type nested where the layout holds a plain value');
  if (value instanceof Y.Doc) throw new Bad('a sub-document where the layout holds a plain value');
  if (value instanceof Uint8Array) throw new Bad('binary content where the layout holds a plain value');
  return JSON.stringify(value) ?? 'undefined';
}

/** One node of rich text with everything that renders: name, attributes, marks, text. */
function xmlNode(node: unknown): unknown {
  if (node instanceof Y.XmlText) {
    if (liveKeys(node) > 0) throw new Bad('a text node with attributes');
    return (node.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]).map((op) => {
      if (typeof op.insert !== 'string') throw new Bad('an embedded object inside text');
      return op.attributes ? [op.insert, JSON.parse(plainValue(op.attributes))] : op.insert;
    });
  }
  if (node instanceof Y.XmlElement) {
    const attributes = node.getAttributes() as Record<string, unknown>;
    const attrs = Object.fromEntries(Object.keys(attributes).sort().map((key) => [key, JSON.parse(plainValue(attributes[key]))]));
    return { node: node.nodeName, attrs, children: node.toArray().map(xmlNode) };
  }
  throw new Bad('a node that is neither an element nor text');
}

/**
 * Which items live in a type, recursively: any insert, delete or format under it changes this.
 * It stands for content that cannot be summed up by meaning (structure the layout has no room for).
 */
function fingerprint(type: AnyType): string {
  return fingerprintOf([...liveItems(type._start), ...[...type._map.values()].filter((item) => !item.deleted)]);
}

function fingerprintOf(items: readonly Y.Item[]): string {
  return items
    .map((item) => {
      const nested = item.content instanceof Y.ContentType ? `(${fingerprint(item.content.type)})` : '';
      return `${item.parentSub ?? ''}@${item.id.client}:${item.id.clock}+${item.length}${nested}`;
    })
    .join(',');
}

/** The live items and everything nested in them. */
function collectLive(items: readonly Y.Item[], into: Y.Item[]): void {
  for (const item of items) {
    if (item.deleted) continue;
    into.push(item);
    if (item.content instanceof Y.ContentType) {
      const type = item.content.type as AnyType;
      collectLive([...liveItems(type._start), ...type._map.values()], into);
    }
  }
}

/** Items as sorted, merged id ranges: the same items give the same ranges however Yjs split or merged them. */
function itemRanges(items: readonly Y.Item[]): ItemRange[] {
  const sorted = items.map((item) => ({ client: item.id.client, clock: item.id.clock, length: item.length })).sort((a, b) => a.client - b.client || a.clock - b.clock);
  const merged: { client: number; clock: number; length: number }[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && last.client === range.client && last.clock + last.length === range.clock) last.length += range.length;
    else merged.push({ ...range });
  }
  return merged;
}

function itemsOfType(type: AnyType): ItemRange[] {
  const live: Y.Item[] = [];
  collectLive([...liveItems(type._start), ...type._map.values()], live);
  return itemRanges(live);
}

const rangesText = (ranges: readonly ItemRange[] | undefined): string => (ranges ?? []).map((r) => `${r.client}:${r.clock}+${r.length}`).join(',');

/** Whether every item of `before` is still live in `after` (nothing rewritten or removed). */
function isRangeSubset(before: readonly ItemRange[], after: readonly ItemRange[]): boolean {
  return before.every((range) => after.some((other) => other.client === range.client && other.clock <= range.clock && range.clock + range.length <= other.clock + other.length));
}

function summarizeItems(doc: Y.Doc, layout: ReadonlyMap<string, PartKind>, items: Map<string, readonly ItemRange[]>): void {
  for (const [name, shared] of doc.share) {
    if (name === 'fields' && layout.get(name) === 'map') {
      for (const [key, item] of shared._map) {
        const live: Y.Item[] = [];
        collectLive([item], live);
        if (live.length > 0) items.set(`fields.${key}`, itemRanges(live));
      }
      const rest = liveItems(shared._start);
      if (rest.length > 0) items.set(name, itemRanges(rest));
      continue;
    }
    const ranges = itemsOfType(shared);
    if (ranges.length > 0) items.set(name, ranges);
  }
}

function summarizePart(doc: Y.Doc, name: string, kind: PartKind, parts: Map<string, string>, bad: Map<string, string>): void {
  if (kind === 'map') {
    const map = doc.getMap<unknown>(name);
    if (liveItems(map._start).length > 0) throw new Bad('list content in a map');
    if (name === 'fields') {
      // Each plain field is its own part: it feeds one projected field.
      for (const key of [...map.keys()].sort()) {
        try {
          parts.set(`fields.${key}`, plainValue(map.get(key)));
        } catch (error) {
          if (!(error instanceof Bad)) throw error;
          parts.set(`fields.${key}`, fingerprintOf([map._map.get(key)!]));
          bad.set(`fields.${key}`, error.message);
        }
      }
      return;
    }
    const entries = [...map.keys()].sort().map((key) => `${JSON.stringify(key)}:${plainValue(map.get(key))}`);
    if (entries.length > 0) parts.set(name, `{${entries.join(',')}}`);
    return;
  }
  if (kind === 'array') {
    const array = doc.getArray<unknown>(name);
    if (liveKeys(array) > 0) throw new Bad('map content in a list');
    if (array.length > 0) parts.set(name, `[${array.toArray().map(plainValue).join(',')}]`);
    return;
  }
  const fragment = doc.getXmlFragment(name);
  if (liveKeys(fragment) > 0) throw new Bad('map content in a rich-text fragment');
  if (fragment.length > 0) parts.set(name, JSON.stringify(fragment.toArray().map(xmlNode)));
}

/** Sums up `doc` as a record of `type`; never throws: what does not fit the layout is listed in `bad`. */
export function summarizeStructure(doc: Y.Doc, type: RecordType): StructureSummary {
  const layout = layoutOf(type);
  const parts = new Map<string, string>();
  const bad = new Map<string, string>();
  for (const [name, kind] of layout) {
    try {
      summarizePart(doc, name, kind, parts, bad);
    } catch (error) {
      // Yjs refuses to view a top-level type as another kind than it was first defined with.
      bad.set(name, error instanceof Bad ? error.message : `not a ${kind} type`);
      const shared = doc.share.get(name);
      parts.set(name, shared ? fingerprint(shared) : '');
    }
  }
  for (const [name, shared] of doc.share) {
    if (layout.has(name)) continue;
    // An unknown top-level type arrives as a bare AbstractType; with live content it is junk.
    const content = fingerprint(shared);
    if (content !== '') {
      parts.set(name, content);
      bad.set(name, 'a top-level type this record type does not have');
    }
  }
  const items = new Map<string, readonly ItemRange[]>();
  summarizeItems(doc, layout, items);
  return { parts, bad, items };
}

/** The projected field a part feeds: `fields.x` and `set.x` and `log.x` feed `x`; `section.x` feeds `sections`. */
export function projectionKeyOf(part: string): string {
  const dot = part.indexOf('.');
  if (dot < 0) return part;
  const prefix = part.slice(0, dot);
  return prefix === 'section' ? 'sections' : part.slice(dot + 1);
}

/** Whether the list `after` is `before` with items appended (logs are append-only). */
function isAppendOf(before: string, after: string): boolean {
  if (before === '[]') return true;
  const open = before.slice(0, -1);
  return after.startsWith(open) && (after[open.length] === ',' || after[open.length] === ']');
}

const EMPTY_SUMMARY: StructureSummary = { parts: new Map(), bad: new Map(), items: new Map() };

/**
 * The actions that turning `before` (null: a new record) into `after` needs, part by part. A
 * changed part needs the action its projected field needs (`fieldActions`, with the projections
 * for rules that look at values), `edit` where no projected field is fed; rewriting a log rather
 * than appending to it is an `edit`. `updatedAt` is stamped by every change and needs none of its
 * own. Throws RecordStructureError where `after` has bad structure that `before` did not have.
 */
export function structureActions(
  module: RecordModule,
  before: StructureSummary | null,
  after: StructureSummary,
  projectionBefore: Timestamps,
  projectionAfter: Timestamps,
): Action[] {
  const was = before ?? EMPTY_SUMMARY;
  // Bad structure already stored (from before this check) is left as it is; none may be added or changed.
  for (const [part, reason] of after.bad) {
    if (!was.bad.has(part) || was.parts.get(part) !== after.parts.get(part)) throw new RecordStructureError(part, reason);
  }
  // A new record's parts are all written by its creator, defaults included: what it may be born
  // with (not reviewed, not moderated) is the projection's to say.
  if (before === null) return [];
  const needed = new Set<Action>();
  const names = new Set([...was.parts.keys(), ...after.parts.keys(), ...was.items.keys(), ...after.items.keys()]);
  for (const part of names) {
    const old = was.parts.get(part);
    const now = after.parts.get(part);
    const oldItems = was.items.get(part) ?? [];
    const nowItems = after.items.get(part) ?? [];
    const isRewritten = rangesText(oldItems) !== rangesText(nowItems);
    if ((old === now && !isRewritten) || part === 'fields.updatedAt') continue;
    const key = projectionKeyOf(part);
    const fed = key !== 'createdAt' && key in projectionAfter;
    needed.add(fed ? module.fieldAction(key, projectionBefore, projectionAfter) : 'edit');
    // Appending to a log keeps every item it had; anything else rewrites it.
    if (part.startsWith('log.') && (!isAppendOf(old ?? '[]', now ?? '[]') || !isRangeSubset(oldItems, nowItems))) needed.add('edit');
  }
  return [...needed].sort();
}

/** `structureActions` straight from two docs. */
export function structureActionsBetween(type: RecordType, before: Y.Doc | null, after: Y.Doc): Action[] {
  const module = moduleFor(type);
  const projectionBefore = before ? module.read(before) : module.read(new Y.Doc());
  return structureActions(
    module,
    before ? summarizeStructure(before, type) : null,
    summarizeStructure(after, type),
    projectionBefore,
    module.read(after),
  );
}
