import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { areBytesEqual, groupByRecord, mergeUpdates } from '../../shared/records/yjsUpdates';

/* The one home of the byte-level update helpers that the store, the client, sync and the hub share. */

function editsOf(doc: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array[] {
  const updates: Uint8Array[] = [];
  const collect = (update: Uint8Array) => updates.push(update);
  doc.on('update', collect);
  edit(doc);
  doc.off('update', collect);
  return updates;
}

describe('merging updates', () => {
  it('gives one update that builds the same document as all of them', () => {
    const source = new Y.Doc();
    const updates = editsOf(source, (doc) => {
      doc.getMap('fields').set('title', 'Rainwater tanks');
      doc.getText('body').insert(0, '节水灌溉');
      doc.getMap('fields').set('title', 'Rainwater tanks in Dali');
    });
    expect(updates).toHaveLength(3);
    const target = new Y.Doc();
    Y.applyUpdate(target, mergeUpdates(updates));
    expect(target.getMap('fields').toJSON()).toEqual({ title: 'Rainwater tanks in Dali' });
    expect(target.getText('body').toString()).toBe('节水灌溉');
    source.destroy();
    target.destroy();
  });

  it('returns a lone update as the very same bytes', () => {
    const update = Y.encodeStateAsUpdate(new Y.Doc());
    expect(mergeUpdates([update])).toBe(update);
  });
});

describe('grouping by record', () => {
  it('keeps records in the order of their first item and each record in the order given', () => {
    const item = (id: string, n: number) => ({ header: { id }, n });
    const groups = groupByRecord([item('b', 1), item('a', 2), item('b', 3), item('c', 4), item('a', 5)]);
    expect([...groups.keys()]).toEqual(['b', 'a', 'c']);
    expect([...groups.values()].map((list) => list.map((entry) => entry.n))).toEqual([[1, 3], [2, 5], [4]]);
  });

  it('gives no groups for no items', () => {
    expect(groupByRecord([]).size).toBe(0);
  });
});

describe('comparing bytes', () => {
  it('is true only for the same bytes in the same order', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    expect(areBytesEqual(bytes, Uint8Array.of(1, 2, 3))).toBe(true);
    expect(areBytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(areBytesEqual(bytes, Uint8Array.of(1, 2))).toBe(false);
    expect(areBytesEqual(bytes, Uint8Array.of(1, 2, 3, 0))).toBe(false);
    expect(areBytesEqual(bytes, Uint8Array.of(9, 2, 3))).toBe(false);
    expect(areBytesEqual(bytes, Uint8Array.of(1, 2, 4))).toBe(false);
    expect(areBytesEqual(bytes, Uint8Array.of(3, 2, 1))).toBe(false);
  });

  it('reads every byte even when the first one differs, so its time tells nothing of where a digest differs', () => {
    const read = new Set<number>();
    const watched = new Proxy(new Uint8Array(32).fill(7), {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key)) read.add(Number(key));
        return Reflect.get(target, key);
      },
    });
    const other = new Uint8Array(32).fill(7);
    other[0] = 8;
    expect(areBytesEqual(watched, other)).toBe(false);
    expect(read.size).toBe(32);
  });
});
