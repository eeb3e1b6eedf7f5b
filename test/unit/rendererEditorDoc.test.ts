import { Node as PmNode } from '@tiptap/pm/model';
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { entryMutators } from '../../shared/records/entry';
import { RecordInputError } from '../../shared/records/recordError';
import { seedDemoNetwork } from '../../renderer/demo/demoNetwork';
import { memoryClient } from '../support/clients';
import { hasUnknownRichText, renderableRichText, richTextSchema } from '../../renderer/forms/richTextContent';

/*
 * The editor binds rich text to the client's doc for a record and autosaves plain fields through
 * mutators on that same doc. A mutator that refuses its input must leave that doc (and the
 * editor's unsaved keystrokes) alone.
 */

let client: FieldwiseClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

function typeInto(doc: Y.Doc, fragmentName: string, text: string): void {
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText(text)]);
  doc.getXmlFragment(fragmentName).push([paragraph]);
}

describe('the editor doc', () => {
  it('keeps text typed before a refused mutation, and keeps saving what is typed after it', async () => {
    client = await memoryClient();
    const id = await client.create('entry', { kind: 'practice', title: 'Terraces', language: 'en' });
    const doc = await client.openDoc(id);
    typeInto(doc, 'body', 'typed before');
    // No consent recorded yet: sharing beyond the organization is refused.
    await expect(client.mutate(id, entryMutators.setSharing, 'network')).rejects.toBeInstanceOf(RecordInputError);
    typeInto(doc, 'body', 'typed after');
    await client.flush();
    expect((await client.get<'entry'>(id))?.projection.body).toBe('typed before\ntyped after');
    expect(await client.openDoc(id)).toBe(doc);
    client.releaseDoc(id);
  });
});

describe('the demo network', () => {
  it('arrives as synced records: organizations, entries in both languages, nothing to send', async () => {
    client = await memoryClient({ identity: { orgId: 'xishan-coop', role: 'member' } });
    await seedDemoNetwork(client, { now: Date.UTC(2026, 0, 1), extraEntries: 30 });
    const entries = await client.list({ type: 'entry' });
    expect(entries.length).toBe(9 + 30);
    expect(entries.some((view) => view.projection.language === 'zh-CN')).toBe(true);
    expect(entries.some((view) => view.projection.language === 'en')).toBe(true);
    expect((await client.list({ type: 'org' })).length).toBeGreaterThanOrEqual(5);
    expect(await client.pendingCount()).toBe(0);
    expect((await client.searchEntries('灌溉')).length).toBeGreaterThan(0);
  });
});

describe('rich text with nodes this version cannot show', () => {
  /** A body as a newer (or careless) client wrote it: a known paragraph, an unknown block, an unknown inline node and mark. */
  function bodyWithUnknownNodes(): Y.XmlFragment {
    const doc = new Y.Doc();
    const body = doc.getXmlFragment('body');
    const known = new Y.XmlElement('paragraph');
    known.insert(0, [new Y.XmlText('Dig below the frost line')]);
    const callout = new Y.XmlElement('callout');
    const inner = new Y.XmlElement('paragraph');
    inner.insert(0, [new Y.XmlText('Keep the lid shut')]);
    callout.insert(0, [inner]);
    const mixed = new Y.XmlElement('paragraph');
    const marked = new Y.XmlText();
    marked.insert(0, 'ask the elders', { highlight: { color: 'yellow' } });
    const mention = new Y.XmlElement('mention');
    mention.insert(0, [new Y.XmlText('Li Wei')]);
    mixed.insert(0, [marked, mention]);
    body.push([known, callout, mixed]);
    return body;
  }

  it('renders every word of an unknown node as a marked placeholder instead of an empty body', () => {
    const body = bodyWithUnknownNodes();
    const stateBefore = Y.encodeStateAsUpdate(body.doc!);
    // What the read-only field used to render: ProseMirror cannot build it, and Tiptap shows nothing.
    expect(() => PmNode.fromJSON(richTextSchema, yXmlFragmentToProsemirrorJSON(body))).toThrow();
    const rendered = PmNode.fromJSON(richTextSchema, renderableRichText(body, (name) => `[unknown ${name}]`));
    rendered.check();
    const text = rendered.textContent;
    for (const words of ['Dig below the frost line', '[unknown callout]: Keep the lid shut', 'ask the elders', '[unknown mention]: Li Wei']) expect(text).toContain(words);
    // Rendering wrote nothing to the record.
    expect(Y.encodeStateAsUpdate(body.doc!)).toEqual(stateBefore);
  });

  it('tells the field not to bind the editor, which would delete what it cannot build', () => {
    expect(hasUnknownRichText(bodyWithUnknownNodes())).toBe(true);
    const plain = new Y.Doc().getXmlFragment('body');
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    text.insert(0, 'see the guide', { link: { href: 'https://guide.example/' }, bold: true });
    paragraph.insert(0, [text]);
    plain.push([paragraph]);
    expect(hasUnknownRichText(plain)).toBe(false);
  });
});
