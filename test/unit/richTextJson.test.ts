import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { fragmentJson, richBlocksSchema, setFragmentJson, type RichNode } from '../../shared/records/richTextJson';

/* A version's stored rich text (shared/records/richTextJson.ts): read from a fragment as y-prosemirror lays it out, and checked strictly when read back from a log item. */

function nested(depth: number): unknown {
  let node: unknown = { type: 'text', text: 'deep' };
  for (let i = 0; i < depth; i++) node = { type: 'blockquote', content: [node] };
  return node;
}

describe('rich text as stored JSON', () => {
  it('reads a fragment into ProseMirror JSON: node names, attributes and marks as written', () => {
    const doc = new Y.Doc();
    const fragment = doc.getXmlFragment('body');
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    paragraph.insert(0, [text]);
    fragment.insert(0, [paragraph]);
    text.insert(0, 'See ');
    text.insert(4, 'the map', { link: { href: 'https://example.org/map', target: null }, italic: {} });
    expect(fragmentJson(fragment)).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'See ' }, { type: 'text', text: 'the map', marks: [{ type: 'link', attrs: { href: 'https://example.org/map', target: null } }, { type: 'italic' }] }] },
    ]);
  });

  it('writes JSON back into a fragment that reads as the same JSON: headings, lists, marks with and without attributes', () => {
    const blocks: RichNode[] = [
      { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'Signs' }] },
      { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Swallows skim the ' }, { type: 'text', text: 'fields', marks: [{ type: 'bold' }] }] }] }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'See ' }, { type: 'text', text: 'the guide', marks: [{ type: 'link', attrs: { href: 'https://example.org/guide' } }] }] },
    ];
    const doc = new Y.Doc();
    const fragment = doc.getXmlFragment('body');
    setFragmentJson(fragment, [{ type: 'paragraph', content: [{ type: 'text', text: 'replaced' }] }]);
    setFragmentJson(fragment, blocks);
    expect(fragmentJson(fragment)).toEqual(blocks);
    // And through an update, as another device reads it.
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    expect(fragmentJson(replica.getXmlFragment('body'))).toEqual(blocks);
  });

  it('takes back what it wrote and refuses each bad shape with its limits named', () => {
    const good = [{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Signs', marks: [{ type: 'bold' }] }] }];
    expect(richBlocksSchema.parse(good)).toEqual(good);
    const bad: Record<string, unknown> = {
      'not an array': { type: 'paragraph' },
      'a node without a type': [{ content: [] }],
      'an empty text node': [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }],
      'text with children': [{ type: 'text', text: 'a', content: [] }],
      'marks on a block': [{ type: 'paragraph', marks: [{ type: 'bold' }] }],
      'an object as an attribute': [{ type: 'heading', attrs: { level: { n: 2 } } }],
      'deeper than 64 levels': [nested(64)],
      'more than 40,000 characters': [{ type: 'paragraph', content: [{ type: 'text', text: 'x'.repeat(40_001) }] }],
    };
    for (const [what, raw] of Object.entries(bad)) {
      const parsed = richBlocksSchema.safeParse(raw);
      expect(parsed.success, what).toBe(false);
      expect(parsed.error?.issues[0]?.message, what).toMatch(/ProseMirror JSON block nodes, at most 64 levels deep, 10000 nodes and 40000 characters/);
    }
    // 63 nested quotes with their text at level 64: the deepest a fragment may be read to.
    expect(richBlocksSchema.safeParse([nested(63)]).success).toBe(true);
  });
});
