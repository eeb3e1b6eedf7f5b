import * as Y from 'yjs';
import type { FieldwiseClient } from '../../../shared/client/client';
import type { EntryInput } from '../../../shared/records/entry';
import type { TestHub } from '../../support/hub';
import { syncedClient } from '../../support/syncedClient';

/*
 * What the hub holds, read from its storage (not through any client), and entries of a third
 * organization pushed by a headless client, so a library has more in it than the entry under test.
 */

export interface HubEntry {
  readonly seq: number;
  readonly title: string;
  /** The body fragment as Yjs XML, e.g. `<paragraph>…<bold>…</bold></paragraph><bulletList>…`. */
  readonly bodyXml: string;
}

export async function hubEntry(hub: TestHub, id: string): Promise<HubEntry | null> {
  const stored = await hub.storage.getRecord(id);
  if (!stored) return null;
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, stored.state);
    return { seq: stored.seq, title: String(stored.projection['title'] ?? ''), bodyXml: doc.getXmlFragment('body').toString() };
  } finally {
    doc.destroy();
  }
}

/**
 * Joins `orgName` as a new member organization and pushes its entries; resolves once the hub has
 * them. `then` runs on each new entry before the push (to attach media, say).
 */
export async function pushEntriesAs(hub: TestHub, orgName: string, entries: readonly EntryInput[], then?: (client: FieldwiseClient, id: string) => Promise<void>): Promise<string[]> {
  const join = await hub.join(await hub.invite(orgName, 'member'), 'headless');
  const synced = await syncedClient(hub, join, { engine: { isLive: false } });
  try {
    const ids: string[] = [];
    for (const input of entries) {
      const id = await synced.client.create('entry', input);
      await then?.(synced.client, id);
      ids.push(id);
    }
    await synced.engine.syncNow();
    if (synced.engine.status.pendingCount !== 0) throw new Error(`${orgName}: entries not pushed (${synced.engine.status.state})`);
    return ids;
  } finally {
    await synced.close();
  }
}
