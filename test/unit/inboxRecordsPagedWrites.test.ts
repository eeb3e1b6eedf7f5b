import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient, RemoteUpdate } from '../../shared/client/client';
import { entry, entryMutators } from '../../shared/records/entry';
import type { RecordHeader } from '../../shared/records/recordType';
import { InboxRecords, listInboxRecords } from '../../shared/inbox/inboxRecords';
import type { Store } from '../../shared/store/store';
import { memoryClient } from '../support/clients';

/*
 * Adversarial pass on client.listInPages under InboxRecords: records written between two pages
 * of the first listing (an entry edited ahead of the page being read, one already read edited,
 * one removed, one new) may be missed or read stale by that listing; the next read must answer
 * exactly what a full listing does, each entry once.
 */

let client: FieldwiseClient | null = null;
let records: InboxRecords | null = null;
afterEach(async () => {
  records?.close();
  records = null;
  await client?.close();
  client = null;
});

const start = Date.UTC(2026, 10, 1);
const ctx = (now: number) => ({ orgId: 'org-b', deviceId: 'd-b', role: 'member' as const, now });

describe('the inbox records, written to while first listed', () => {
  it('answers a full listing, each entry once, on the read after', { timeout: 60_000 }, async () => {
    let duringListing: (() => Promise<void>) | null = null;
    const wrapStore = (store: Store): Store => ({
      ...store,
      findPageAfter: async (type, after, limit) => {
        const page = await store.findPageAfter(type, after, limit);
        const hook = type === 'entry' ? duringListing : null;
        duringListing = null;
        if (hook) await hook();
        return page;
      },
    });
    client = await memoryClient({ wrapStore });
    const docs: Y.Doc[] = [];
    const headers: RecordHeader[] = [];
    const updates: RemoteUpdate[] = [];
    for (let i = 0; i < 250; i++) {
      const header: RecordHeader = { id: `entry-b-${String(i).padStart(3, '0')}`, type: 'entry', ownerOrg: 'org-b', createdAt: start + i * 1000 };
      const doc = new Y.Doc();
      entry.create(doc, entry.parseInput({ kind: 'practice', title: `Entry ${i}`, language: 'en' }), ctx(header.createdAt));
      docs.push(doc);
      headers.push(header);
      updates.push({ header, update: Y.encodeStateAsUpdate(doc), seq: i + 1 });
    }
    await client.applyRemote(updates);
    const edit = (i: number, title: string, now: number): RemoteUpdate => {
      const before = Y.encodeStateVector(docs[i]!);
      entryMutators.setFields.apply(docs[i]!, { title }, ctx(now));
      return { header: headers[i]!, update: Y.encodeStateAsUpdate(docs[i]!, before), seq: 1000 + i };
    };

    const c = client;
    duringListing = async () => {
      const later = start + 10_000_000;
      // Entry 0 is the oldest (not read yet), 249 the newest (in the first page, read).
      await c.applyRemote([edit(0, 'Oldest, edited to newest', later), edit(249, 'Newest, edited again', later + 1)]);
      await c.forgetRecords([headers[10]!.id]);
      await c.create('entry', { kind: 'lesson', title: 'Created during the listing', language: 'en' });
    };
    records = new InboxRecords(client);
    await records.read();
    expect(duringListing).toBeNull();
    const after = await records.read();
    const full = await listInboxRecords(client);

    const ids = after.entry.map((view) => view.header.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(full.entry.map((view) => view.header.id));
    expect(after.entry).toEqual(full.entry);
    expect(ids).toHaveLength(250);
    // Newest first: the entry created now, then the two edited (the later edit first).
    expect(after.entry.slice(0, 3).map((view) => view.projection.title)).toEqual(['Created during the listing', 'Newest, edited again', 'Oldest, edited to newest']);
  });
});
