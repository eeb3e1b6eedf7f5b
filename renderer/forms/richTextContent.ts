import { getSchema, type JSONContent } from '@tiptap/core';
import { StarterKit } from '@tiptap/starter-kit';
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import type { Schema } from '@tiptap/pm/model';
import type * as Y from 'yjs';

/*
 * Rich text another device wrote may hold nodes or marks this version's editor has no type for (a
 * newer version's, or a careless client's). ProseMirror cannot build a document with them: shown
 * as it is, the whole field renders empty; bound to the collaborative editor, y-prosemirror
 * deletes what it cannot build from the shared doc, for everyone. So such a field is shown
 * read-only, each unknown node as a marked placeholder that keeps its text, and nothing is
 * written back.
 */

export const richTextExtensions = (isCollaborative: boolean) => [
  StarterKit.configure({
    // The Collaboration extension brings its own undo, per user, over the Y.Doc.
    undoRedo: isCollaborative ? false : undefined,
    // Links are not followed from the editor (a click would navigate the app away).
    link: { openOnClick: false, autolink: true },
    heading: { levels: [2, 3] },
  }),
];

/** The schema both the editable and the read-only field use (their node and mark types are the same). */
export const richTextSchema: Schema = getSchema(richTextExtensions(false));

function textOf(node: JSONContent): string {
  if (typeof node.text === 'string') return node.text;
  return (node.content ?? []).map(textOf).join(' ');
}

function hasUnknown(node: JSONContent, schema: Schema): boolean {
  if (node.type && !schema.nodes[node.type]) return true;
  if ((node.marks ?? []).some((mark) => !schema.marks[mark.type])) return true;
  return (node.content ?? []).some((child) => hasUnknown(child, schema));
}

/** Whether `fragment` holds a node or mark `schema` has no type for (so the editor must not bind to it). */
export function hasUnknownRichText(fragment: Y.XmlFragment, schema: Schema = richTextSchema): boolean {
  return hasUnknown(yXmlFragmentToProsemirrorJSON(fragment) as JSONContent, schema);
}

/**
 * `fragment` as a document `schema` can build, losing no text: an unknown node becomes a
 * placeholder (`unknownLabel(name)` followed by its text) — a paragraph among blocks, italic text
 * within a line — and an unknown mark is dropped from the text it was on.
 */
export function renderableRichText(fragment: Y.XmlFragment, unknownLabel: (nodeName: string) => string, schema: Schema = richTextSchema): JSONContent {
  const placeholder = (node: JSONContent, isInline: boolean): JSONContent => {
    const text = textOf(node).trim();
    const italic = schema.marks['italic'] ? [{ type: 'italic' }] : [];
    const words: JSONContent = { type: 'text', text: text ? `${unknownLabel(node.type ?? '')}: ${text}` : unknownLabel(node.type ?? ''), marks: italic };
    return isInline ? words : { type: 'paragraph', content: [words] };
  };
  const convert = (node: JSONContent, isInline: boolean): JSONContent => {
    const type = node.type ? schema.nodes[node.type] : undefined;
    if (!type) return placeholder(node, isInline);
    const marks = node.marks?.filter((mark) => schema.marks[mark.type]);
    return {
      ...node,
      ...(marks ? { marks } : {}),
      ...(node.content ? { content: node.content.map((child) => convert(child, type.isTextblock || type.isInline)) } : {}),
    };
  };
  return convert(yXmlFragmentToProsemirrorJSON(fragment) as JSONContent, false);
}
