import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { FieldwiseClient, RemoteUpdate } from '../../shared/client/client';
import { entry as entryModule, entryMutators } from '../../shared/records/entry';
import type { RecordHeader } from '../../shared/records/recordType';
import { indexedDbStorage, memoryClient } from '../support/clients';

/*
 * Adversarial pass on applyRemote (shared/client/client.ts) and the store's upsertRows: a page
 * is read (getRows), folded, then written with the documents read as the write's `previous`. When
 * two pages holding the same closed record are applied at once (a bundle imported while a pull
 * runs, two pulls), both read the record before either writes: the second write meets a 409,
 * and upsertRows retries it "last write wins" over the first's row, a Yjs state folded without
 * the first page's update. The first page's change is then gone from the row on disk, though its
 * checkpoint may have moved past it. Reachable in the app: the sync engine applies its pages one
 * after another, but importBundleFile (renderer/sync/offlineTransfer.ts) does not stop it, so a
 * USB bundle imported while a pull runs overlaps it. Applied one after the other, both are kept.
 */

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

const header: RecordHeader = { id: 'entry-overlap', type: 'entry', ownerOrg: 'org-z', createdAt: 1_700_000_000_000 };
const far = (deviceId: string, now: number) => ({ orgId: 'org-z', deviceId, role: 'member' as const, now });

async function twoPages(): Promise<{ client: FieldwiseClient; pageOne: RemoteUpdate; pageTwo: RemoteUpdate }> {
    const client = await memoryClient({ storage: indexedDbStorage() });
    open.push(client);
    const doc = new Y.Doc();
    entryModule.create(doc, entryModule.parseInput({ kind: 'practice', title: 'Base title', language: 'en' }), far('dev-far', header.createdAt));
    await client.applyRemote([{ header, update: Y.encodeStateAsUpdate(doc), seq: 1 }]);

    // Two devices of org-z edit different fields at once; each edit reaches us in its own page.
    const state = Y.encodeStateVector(doc);
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    entryMutators.setFields.apply(doc, { title: 'Title from page one' }, far('dev-far', header.createdAt + 1000));
    entryMutators.setFields.apply(other, { summary: 'Summary from page two' }, far('dev-far-2', header.createdAt + 2000));
    const pageOne: RemoteUpdate = { header, update: Y.encodeStateAsUpdate(doc, state), seq: 2 };
    const pageTwo: RemoteUpdate = { header, update: Y.encodeStateAsUpdate(other, state), seq: 3 };
    return { client, pageOne, pageTwo };
}

async function expectBothKept(client: FieldwiseClient): Promise<void> {
    const stored = await client.get<'entry'>(header.id);
    expect(stored?.projection).toMatchObject({ title: 'Title from page one', summary: 'Summary from page two' });
    expect(stored?.seq).toBe(3);
}

describe('two pages of the same record', () => {
  it('one after the other: both pages\' changes are in the stored row', { timeout: 60_000 }, async () => {
    const { client, pageOne, pageTwo } = await twoPages();
    await client.applyRemote([pageOne]);
    await client.applyRemote([pageTwo]);
    await expectBothKept(client);
  });

  it('applied at once: both pages\' changes are in the stored row', { timeout: 60_000 }, async () => {
    const { client, pageOne, pageTwo } = await twoPages();
    await Promise.all([client.applyRemote([pageOne]), client.applyRemote([pageTwo])]);
    await expectBothKept(client);
  });
});
