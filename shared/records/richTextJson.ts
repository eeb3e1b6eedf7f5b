import * as Y from 'yjs';
import { z } from 'zod';
import { maxRichTextDepth } from './layout';
import { NestingTooDeepError } from './recordError';

/*
 * Rich text as plain JSON, for a copy that must outlive the fragment it was taken from: a pinned
 * version of an entry lives in a log item, which survives compaction and reads offline, while the
 * entry's own fragments go on changing. The shape is ProseMirror's document JSON (what y-prosemirror
 * and Tiptap read and write): `{ type, attrs?, content? }` for a node, `{ type: 'text', text, marks? }`
 * for text, so a heading stays a heading, a list a list and bold text bold. Nothing here knows an
 * editor's schema: node and mark names are kept as written, and a view shows the ones it knows.
 */

export type RichAttrValue = string | number | boolean | null;
export type RichMark = { readonly type: string; readonly attrs?: Readonly<Record<string, RichAttrValue>> };
export type RichNode = {
  readonly type: string;
  readonly attrs?: Readonly<Record<string, RichAttrValue>>;
  readonly text?: string;
  readonly marks?: readonly RichMark[];
  readonly content?: readonly RichNode[];
};

/** Bounds of one stored field: as deep as a fragment may be read, and about as much text as a long field holds. */
const maxNodes = 10_000;
const maxTextChars = 40_000;
const maxNameLength = 60;
const maxAttrs = 20;
const maxAttrChars = 2_000;

function attrsOf(raw: Record<string, unknown>): Record<string, RichAttrValue> | undefined {
  const attrs: Record<string, RichAttrValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (value === null || typeof value === 'boolean' || typeof value === 'number') attrs[key] = value;
    else if (typeof value === 'string') attrs[key] = value.slice(0, maxAttrChars);
    // Other values (objects an editor keeps for itself) are not formatting a reader sees.
  }
  return Object.keys(attrs).length > 0 ? attrs : undefined;
}

/** `fragment` as ProseMirror JSON block nodes (y-prosemirror's layout: element name = node type, attributes = attrs, text attributes = marks). */
export function fragmentJson(fragment: Y.XmlFragment): RichNode[] {
  const convert = (node: Y.XmlElement | Y.XmlText | Y.XmlHook, depth: number): RichNode[] => {
    if (depth > maxRichTextDepth) throw new NestingTooDeepError(maxRichTextDepth);
    if (node instanceof Y.XmlText) {
      return (node.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]).flatMap((op): RichNode[] => {
        if (typeof op.insert !== 'string' || op.insert === '') return [];
        const marks = Object.entries(op.attributes ?? {}).map(([type, value]): RichMark => {
          const attrs = value && typeof value === 'object' ? attrsOf(value as Record<string, unknown>) : undefined;
          return attrs ? { type, attrs } : { type };
        });
        return [{ type: 'text', text: op.insert, ...(marks.length > 0 ? { marks } : {}) }];
      });
    }
    if (node instanceof Y.XmlElement) {
      const attrs = attrsOf(node.getAttributes());
      const content = node.toArray().flatMap((child) => convert(child, depth + 1));
      return [{ type: node.nodeName, ...(attrs ? { attrs } : {}), ...(content.length > 0 ? { content } : {}) }];
    }
    return [];
  };
  return fragment.toArray().flatMap((child) => convert(child, 1));
}

type Budget = { nodes: number; chars: number };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const nameSchema = z.string().min(1).max(maxNameLength);

function parseAttrs(raw: unknown): Record<string, RichAttrValue> | undefined | null {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw) || Object.keys(raw).length > maxAttrs) return null;
  const attrs: Record<string, RichAttrValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.length > maxNameLength) return null;
    if (value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) attrs[key] = value;
    else if (typeof value === 'string' && value.length <= maxAttrChars) attrs[key] = value;
    else return null;
  }
  return attrs;
}

/** A node read strictly, building a fresh value; null when anything in it is out of shape or over budget (depth checked before descending). */
function parseNode(raw: unknown, depth: number, budget: Budget): RichNode | null {
  if (depth > maxRichTextDepth || !isPlainObject(raw)) return null;
  if (++budget.nodes > maxNodes) return null;
  const type = nameSchema.safeParse(raw['type']);
  if (!type.success) return null;
  const attrs = parseAttrs(raw['attrs']);
  if (attrs === null) return null;
  if (type.data === 'text') {
    const text = raw['text'];
    if (typeof text !== 'string' || text === '' || raw['content'] !== undefined) return null;
    budget.chars += text.length;
    if (budget.chars > maxTextChars) return null;
    const marks: RichMark[] = [];
    if (raw['marks'] !== undefined) {
      if (!Array.isArray(raw['marks']) || raw['marks'].length > maxAttrs) return null;
      for (const mark of raw['marks']) {
        if (!isPlainObject(mark)) return null;
        const markType = nameSchema.safeParse(mark['type']);
        const markAttrs = parseAttrs(mark['attrs']);
        if (!markType.success || markAttrs === null) return null;
        marks.push(markAttrs ? { type: markType.data, attrs: markAttrs } : { type: markType.data });
      }
    }
    return { type: 'text', text, ...(marks.length > 0 ? { marks } : {}) };
  }
  if (raw['text'] !== undefined || raw['marks'] !== undefined) return null;
  let content: RichNode[] | undefined;
  if (raw['content'] !== undefined) {
    if (!Array.isArray(raw['content'])) return null;
    content = [];
    for (const child of raw['content']) {
      const parsed = parseNode(child, depth + 1, budget);
      if (!parsed) return null;
      content.push(parsed);
    }
  }
  return { type: type.data, ...(attrs ? { attrs } : {}), ...(content ? { content } : {}) };
}

/** A field's block nodes as stored: at most 64 levels deep, 10,000 nodes and 40,000 characters of text. */
export const richBlocksSchema = z.unknown().transform((raw, ctx): RichNode[] => {
  const budget: Budget = { nodes: 0, chars: 0 };
  const blocks: RichNode[] = [];
  const fail = () => {
    ctx.addIssue({ code: 'custom', message: `must be ProseMirror JSON block nodes, at most ${maxRichTextDepth} levels deep, ${maxNodes} nodes and ${maxTextChars} characters` });
    return z.NEVER;
  };
  if (!Array.isArray(raw)) return fail();
  for (const item of raw) {
    const node = parseNode(item, 1, budget);
    if (!node) return fail();
    blocks.push(node);
  }
  return blocks;
});


/**
 * Replaces `fragment`'s content with `blocks` (the inverse of fragmentJson: `fragmentJson` of the
 * result is `blocks` again): how a copy is written back into a live fragment, a draft's text into
 * its entry when it is submitted (entryDraft.ts). A run of text nodes is one Y.XmlText, each mark
 * a text attribute holding its attrs (`{}` for none), as y-prosemirror writes them.
 */
export function setFragmentJson(fragment: Y.XmlFragment, blocks: readonly RichNode[]): void {
  const convert = (nodes: readonly RichNode[], depth: number): (Y.XmlElement | Y.XmlText)[] => {
    if (depth > maxRichTextDepth) throw new NestingTooDeepError(maxRichTextDepth);
    const out: (Y.XmlElement | Y.XmlText)[] = [];
    let run: RichNode[] = [];
    const endRun = () => {
      if (run.length === 0) return;
      const text = new Y.XmlText();
      text.applyDelta(run.map((node) => ({ insert: node.text ?? '', ...(node.marks?.length ? { attributes: Object.fromEntries(node.marks.map((mark) => [mark.type, mark.attrs ?? {}])) } : {}) })));
      out.push(text);
      run = [];
    };
    for (const node of nodes) {
      if (node.type === 'text') {
        run.push(node);
        continue;
      }
      endRun();
      const element = new Y.XmlElement(node.type);
      for (const [key, value] of Object.entries(node.attrs ?? {})) element.setAttribute(key, value as string);
      element.insert(0, convert(node.content ?? [], depth + 1));
      out.push(element);
    }
    endRun();
    return out;
  };
  if (fragment.length > 0) fragment.delete(0, fragment.length);
  fragment.insert(0, convert(blocks, 1));
}
