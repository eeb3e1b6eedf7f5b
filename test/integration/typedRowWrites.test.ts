import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openClient, ROW_WRITE_MAX_MS, type FieldwiseClient } from '../../shared/client/client';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import type { RecordRow } from '../../shared/store/schemas';
import type { Store } from '../../shared/store/store';
import { indexedDbStorage, uniqueName } from '../support/clients';

/*
 * Typing on an open doc (the editor's rich text) is durable once its outbox entry is written; the
 * record's row follows when the typing pauses (shared/client/client.ts, ROW_WRITE_IDLE_MS). These
 * prove what that must never cost: a crash before the row write, or an acknowledgement that drops
 * the outbox entry first, loses nothing.
 */

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

const identity = { orgId: 'org-a', deviceId: 'dev-1', role: 'member' as const };

const practice: EntryInput = {
  kind: 'practice',
  title: 'Rain tanks on school roofs',
  summary: 'One tank per classroom roof',
  body: 'Clean the gutters before the rains.',
  tags: ['water'],
  language: 'en',
};

/** Appends a paragraph to a rich-text fragment, as the editor's binding does. */
function typeInto(doc: Y.Doc, fragmentName: string, text: string): void {
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText(text)]);
  const fragment = doc.getXmlFragment(fragmentName);
  fragment.insert(fragment.length, [paragraph]);
}

/** Counts the row writes a client makes, and can make them fail (a power cut before the row write). */
function countingStore() {
  const written: RecordRow[][] = [];
  let isCut = false;
  const wrap = (store: Store): Store => ({
    ...store,
    putRows: (rows) => {
      // After the cut no row reaches the disk (the process "died" right after the outbox write).
      if (isCut && rows.length > 0) return Promise.reject(new Error('power cut'));
      if (rows.length > 0) written.push([...rows]);
      return store.putRows(rows);
    },
  });
  return { wrap, written, cut: () => (isCut = true) };
}

describe('typing on an open doc', () => {
  it('is in the outbox at once, and in the row after the typing pauses, in one row write for many keystrokes', async () => {
    const storage = indexedDbStorage();
    const counting = countingStore();
    const client = await openClient({ storage, name: uniqueName('typed'), identity, wrapStore: counting.wrap });
    open.push(client);
    const id = await client.create('entry', practice);
    const writesAfterCreate = counting.written.length;
    const doc = await client.openDoc(id);
    const pendingBefore = await client.pendingCount();
    for (const word of ['one', 'two', 'three']) {
      typeInto(doc, 'body', word);
      await client.flushOutbox();
    }
    expect(await client.pendingCount()).toBe(pendingBefore + 3);
    expect(counting.written.length).toBe(writesAfterCreate);
    expect((await client.get<'entry'>(id))?.projection.body).toBe(practice.body);

    await new Promise((resolve) => setTimeout(resolve, ROW_WRITE_MAX_MS + 200));
    expect(counting.written.length).toBe(writesAfterCreate + 1);
    expect((await client.get<'entry'>(id))?.projection.body).toBe(`${practice.body}\none\ntwo\nthree`);
    client.releaseDoc(id);
  });

  it('loses nothing when the app dies before the row write: the outbox is folded into the record on open', async () => {
    const storage = indexedDbStorage();
    const name = uniqueName('typed-crash');
    const counting = countingStore();
    const first = await openClient({ storage, name, identity, wrapStore: counting.wrap });
    const id = await first.create('entry', practice);
    const doc = await first.openDoc(id);
    typeInto(doc, 'body', 'typed just before the power cut');
    await first.flushOutbox();
    counting.cut();
    // The debounced row write comes due and never lands, nor does the one on closing.
    await new Promise((resolve) => setTimeout(resolve, ROW_WRITE_MAX_MS + 200));
    expect((await first.getRow(id))?.projection.body).toBe(practice.body); // the row really was not written
    await first.close();
    const second = await openClient({ storage, name, identity });
    open.push(second);
    expect((await second.get<'entry'>(id))?.projection.body).toBe(`${practice.body}\ntyped just before the power cut`);
  });

  it('writes the row before an acknowledgement drops the outbox entry that holds the typing', async () => {
    const storage = indexedDbStorage();
    const client = await openClient({ storage, name: uniqueName('typed-ack'), identity });
    open.push(client);
    const id = await client.create('entry', practice);
    const doc = await client.openDoc(id);
    typeInto(doc, 'body', 'typed, then pushed at once');
    await client.flushOutbox();
    const pending = await client.pendingUpdates();
    await client.acknowledge(pending.map((entry) => entry.id));
    expect(await client.pendingCount()).toBe(0);
    expect((await client.get<'entry'>(id))?.projection.body).toBe(`${practice.body}\ntyped, then pushed at once`);
    client.releaseDoc(id);
  });

  it('writes the typed row along with a form field saved after it (mutate), and has all of it after a reopen', async () => {
    const storage = indexedDbStorage();
    const name = uniqueName('typed-close');
    const client = await openClient({ storage, name, identity });
    const id = await client.create('entry', practice);
    const doc = await client.openDoc(id);
    typeInto(doc, 'body', 'typed before a title change');
    await client.flushOutbox();
    await client.mutate(id, entryMutators.setFields, { title: 'Rain tanks on every school roof' });
    expect((await client.get<'entry'>(id))?.projection.body).toBe(`${practice.body}
typed before a title change`);
    typeInto(doc, 'body', 'typed before closing');
    await client.flushOutbox();
    await client.close();
    const reopened = await openClient({ storage, name, identity });
    open.push(reopened);
    const row = await reopened.getRow(id);
    expect(row?.projection.body).toBe(`${practice.body}\ntyped before a title change\ntyped before closing`);
    expect(row?.projection.title).toBe('Rain tanks on every school roof');
  });
});
