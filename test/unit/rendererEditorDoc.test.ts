import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { entryMutators } from '../../shared/records/entry';
import { RecordInputError } from '../../shared/records/recordError';
import { seedDemoNetwork } from '../../renderer/demo/demoNetwork';
import { memoryClient } from '../support/clients';

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
