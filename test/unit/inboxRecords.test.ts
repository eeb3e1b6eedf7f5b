import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { comment } from '../../shared/records/comment';
import { entry, entryMutators } from '../../shared/records/entry';
import { InboxRecords, listInboxRecords } from '../../shared/inbox/inboxRecords';
import type { Store } from '../../shared/store/store';
import { memoryClient } from '../support/clients';

/*
 * The inbox is worked out again after every record write (a typed entry's row, a pulled page):
 * after its first listing it reads only the records written or removed since, and still answers
 * exactly what listing every type from the store would.
 */

let client: FieldwiseClient | null = null;
let records: InboxRecords | null = null;
afterEach(async () => {
  records?.close();
  records = null;
  await client?.close();
  client = null;
});

interface StoreReads {
  lists: number;
  rowsRead: string[];
}

function countingStore(reads: StoreReads): (store: Store) => Store {
  return (store) => ({
    ...store,
    find: (query) => {
      reads.lists += 1;
      return store.find(query);
    },
    getRows: (ids) => {
      reads.rowsRead.push(...ids);
      return store.getRows(ids);
    },
  });
}

function othersUpdate(create: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  create(doc);
  return Y.encodeStateAsUpdate(doc);
}

describe('the inbox records', () => {
  it('reads again only the records written or removed since, and answers what a full listing would', async () => {
    const reads: StoreReads = { lists: 0, rowsRead: [] };
    client = await memoryClient({ wrapStore: countingStore(reads) });
    const now = Date.UTC(2026, 10, 1);
    const ctx = { orgId: 'org-b', deviceId: 'd', role: 'member' as const, now };
    const mine = await client.create('entry', { kind: 'practice', title: 'Terraces', language: 'en' });
    await client.create('entry', { kind: 'lesson', title: 'Seed fairs', language: 'en' });
    const theirs = 'entry-of-org-b';
    await client.applyRemote([{ header: { id: theirs, type: 'entry', ownerOrg: 'org-b', createdAt: now }, update: othersUpdate((doc) => entry.create(doc, entry.parseInput({ kind: 'practice', title: 'Bamboo drip lines', language: 'en' }), ctx)), seq: 4 }]);
    records = new InboxRecords(client);
    expect(await records.read()).toEqual(await listInboxRecords(client));

    await client.mutate(mine, entryMutators.setFields, { title: 'Stone terraces' });
    const commentId = 'comment-of-org-b';
    await client.applyRemote([{ header: { id: commentId, type: 'comment', ownerOrg: 'org-b', createdAt: now }, update: othersUpdate((doc) => comment.create(doc, comment.parseInput({ targetId: mine, text: 'We do this too.' }), ctx)), seq: 5 }]);
    await client.forgetRecords([theirs]);
    reads.lists = 0;
    reads.rowsRead = [];
    const after = await records.read();

    expect(reads.lists).toBe(0);
    expect(new Set(reads.rowsRead)).toEqual(new Set([mine, commentId, theirs]));
    expect(after).toEqual(await listInboxRecords(client));
    expect(after.entry.map((view) => view.projection.title)).toEqual(['Stone terraces', 'Seed fairs']);
    expect(after.comment.map((view) => view.header.id)).toEqual([commentId]);
  });
});
