import { isDeepStrictEqual } from 'node:util';
import { combineLatest, filter, firstValueFrom, map } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FieldwiseClient, RecordView } from '../../shared/client/client';
import * as Y from 'yjs';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { indexedDbStorage, memoryClient, uniqueName } from '../support/clients';
import { openClient } from '../../shared/client/client';

/*
 * observeAllInPages is how the Reports screen follows 10,000 entries without turning them all
 * into views in one task (issue 17): it must give what observe({ type }) gives, the same rows in
 * the same order, from the first answer on and after every write, removal and edit, including
 * writes made while its first pages are being read. Pages of 7 rows, so the read takes many pages.
 */

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

const entryInput = (n: number): EntryInput => ({
  kind: (['practice', 'local-wisdom', 'challenge', 'lesson'] as const)[n % 4]!,
  title: n % 2 === 0 ? `堆肥实践记录 第${n}号` : `Field note ${n}`,
  tags: [`tag-${n % 3}`],
  language: n % 2 === 0 ? 'zh-CN' : 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
});

/** Entries of another organization, as a sync brings them: this device may forget them. */
async function pullRemote(client: FieldwiseClient, ns: readonly number[]): Promise<string[]> {
  const now = Date.now();
  const updates = ns.map((n) => {
    const doc = new Y.Doc();
    entry.create(doc, entry.parseInput(entryInput(n)), { orgId: 'org-b', deviceId: 'dev-b', role: 'member', now });
    const update = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    return { header: { id: `entry-remote${n}`, type: 'entry' as const, ownerOrg: 'org-b', createdAt: now }, update };
  });
  await client.applyRemote(updates);
  return updates.map((update) => update.header.id);
}

const shapeOf = (views: readonly RecordView<unknown>[]) => views.map((view) => ({ header: view.header, projection: view.projection, seq: view.seq }));

/** The first moment both streams give the same `count` entries: their two answers then. */
function bothAt(client: FieldwiseClient, count: number) {
  return firstValueFrom(
    combineLatest([client.observe({ type: 'entry' }), client.observeAllInPages('entry', 7)]).pipe(
      map(([observed, paged]) => ({ observed: shapeOf(observed), paged: shapeOf(paged) })),
      filter(({ observed, paged }) => observed.length === count && paged.length === count && isDeepStrictEqual(observed, paged)),
    ),
  );
}

describe('observeAllInPages', () => {
  it('gives the rows observe() gives, in its order, first and after writes, edits and removals', async () => {
    const client = await memoryClient();
    open.push(client);
    const ids: string[] = [];
    for (let n = 0; n < 30; n++) ids.push(await client.create('entry', entryInput(n)));
    const remote = await pullRemote(client, [30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);

    const first = await bothAt(client, 40);
    expect(first.paged).toEqual(first.observed);
    expect(new Set(first.paged.map((view) => view.header.id))).toEqual(new Set([...ids, ...remote]));

    // Edits move rows to the front (recency); a removal takes one out; new ones come in.
    await client.mutate(ids[3]!, entryMutators.setFields, { title: 'Edited last' });
    await client.mutate(ids[17]!, entryMutators.setTags, ['moved']);
    await client.forgetRecords([remote[4]!]);
    for (let n = 40; n < 45; n++) await client.create('entry', entryInput(n));
    const later = await bothAt(client, 44);
    expect(later.paged).toEqual(later.observed);
    expect(later.paged.map((view) => view.header.id)).not.toContain(remote[4]);
    expect(later.paged.map((view) => (view.projection as { title: string }).title)).toContain('Edited last');
  });

  it('misses nothing written while its first pages are read', async () => {
    const client = await memoryClient();
    open.push(client);
    for (let n = 0; n < 30; n++) await client.create('entry', entryInput(n));
    const answers: number[] = [];
    const subscription = client.observeAllInPages('entry', 7).subscribe((views) => answers.push(views.length));
    // Written at once, before the read of the first page has answered.
    const written = await Promise.all([30, 31, 32].map((n) => client.create('entry', entryInput(n))));
    const settled = await bothAt(client, 33);
    subscription.unsubscribe();
    expect(settled.paged).toEqual(settled.observed);
    expect(settled.paged.map((view) => view.header.id)).toEqual(expect.arrayContaining(written));
    expect(answers.at(-1)).toBe(33);
  });

  it('listInPages gives what list({ type }) gives, in its order, over many pages', async () => {
    const client = await memoryClient();
    open.push(client);
    const ids: string[] = [];
    for (let n = 0; n < 23; n++) ids.push(await client.create('entry', entryInput(n)));
    await pullRemote(client, [23, 24, 25, 26, 27]);
    await client.mutate(ids[5]!, entryMutators.setFields, { title: 'Edited last' });
    const paged = await client.listInPages('entry', 7);
    expect(shapeOf(paged)).toEqual(shapeOf(await client.list({ type: 'entry' })));
    expect(paged).toHaveLength(28);
    expect((paged[0]!.projection as { title: string }).title).toBe('Edited last');
    // A page boundary exactly at the end: 28 rows in pages of 7 and of 4.
    expect(shapeOf(await client.listInPages('entry', 4))).toEqual(shapeOf(paged));
  });

  it('over IndexedDB, reads each page in one request, with no cursor step per row, and gives what observe() gives', async () => {
    const client = await openClient({ storage: indexedDbStorage(), name: uniqueName('idb-pages'), identity: { orgId: 'org-a', deviceId: 'dev-1', role: 'member' } });
    open.push(client);
    for (let n = 0; n < 20; n++) await client.create('entry', entryInput(n));
    await pullRemote(client, [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    // Issue 17: RxDB's Dexie query walked a cursor, one request and one UI-thread event per row.
    const cursorStep = vi.spyOn(IDBCursor.prototype, 'continue');
    try {
      const { observed, paged } = await bothAt(client, 30);
      expect(paged).toEqual(observed);
      const steps = cursorStep.mock.calls.length;
      // observe() still reads through the cursor; the 30 rows in pages of 7 add no step of their own.
      const pagedOnly = await firstValueFrom(client.observeAllInPages('entry', 7).pipe(filter((views) => views.length === 30)));
      expect(shapeOf(pagedOnly)).toEqual(observed);
      expect(cursorStep.mock.calls.length).toBe(steps);
    } finally {
      cursorStep.mockRestore();
    }
  });
});
