import * as Y from 'yjs';

/*
 * Helpers over Yjs updates as bytes, for the store, the client, sync and the hub alike. They sit
 * with the records, at the bottom of shared/, so every layer above may import them.
 */

/**
 * One update equivalent to all of them (Yjs updates commute and are idempotent). A lone update is
 * returned as it is, not re-encoded: the bytes sent are the bytes written. Merging does not
 * garbage-collect; compaction goes through a real Y.Doc.
 */
export function mergeUpdates(updates: readonly Uint8Array[]): Uint8Array {
  return updates.length === 1 ? updates[0]! : Y.mergeUpdates([...updates]);
}

/**
 * Items by the record they belong to: records in the order of their first item, each record's
 * items in the order given (an outbox's order is the order its updates were made).
 */
export function groupByRecord<T extends { readonly header: { readonly id: string } }>(items: Iterable<T>): Map<string, T[]> {
  const byRecord = new Map<string, T[]>();
  for (const item of items) {
    const list = byRecord.get(item.header.id);
    if (list) list.push(item);
    else byRecord.set(item.header.id, [item]);
  }
  return byRecord;
}

/**
 * Whether two byte arrays hold the same bytes. The time taken depends only on the lengths, never
 * on where the first difference lies, so it also serves for digests and signatures.
 */
export function areBytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
