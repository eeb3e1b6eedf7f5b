import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isUpdateContained } from '../../shared/sync/outboxConfirmation';

/** Each update a doc emits, in order. */
function recording(doc: Y.Doc): Uint8Array[] {
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  return updates;
}

describe('an outbox update contained in what the hub sent', () => {
  it('is contained in the merged state or a delta that holds it, and in a later state', () => {
    const doc = new Y.Doc();
    const updates = recording(doc);
    doc.getText('body').insert(0, 'hello');
    doc.getMap('fields').set('title', 'Well survey');
    doc.getText('body').insert(5, ' world');
    const [first, second, third] = updates;
    expect(isUpdateContained(first!, Y.encodeStateAsUpdate(doc))).toBe(true);
    expect(isUpdateContained(second!, Y.mergeUpdates([second!, third!]))).toBe(true);
    expect(isUpdateContained(third!, third!)).toBe(true);
  });

  it('is not contained where a struct or part of one is missing', () => {
    const doc = new Y.Doc();
    const updates = recording(doc);
    doc.getText('body').insert(0, 'hello');
    doc.getText('body').insert(5, ' world');
    const [first, second] = updates;
    // The delta the hub sent holds only the first insertion.
    expect(isUpdateContained(second!, first!)).toBe(false);
    expect(isUpdateContained(Y.mergeUpdates([first!, second!]), first!)).toBe(false);
    // Another device's update is not this one.
    const other = new Y.Doc();
    other.getText('body').insert(0, 'hello');
    expect(isUpdateContained(first!, Y.encodeStateAsUpdate(other))).toBe(false);
  });

  it('is not contained where a deletion is missing, even with every struct there', () => {
    const doc = new Y.Doc({ gc: false });
    const updates = recording(doc);
    doc.getText('body').insert(0, 'hello world');
    const beforeDeletion = Y.encodeStateAsUpdate(doc);
    doc.getText('body').delete(0, 6);
    const deletion = updates[1]!;
    expect(isUpdateContained(deletion, beforeDeletion)).toBe(false);
    expect(isUpdateContained(deletion, Y.encodeStateAsUpdate(doc))).toBe(true);
  });
});
