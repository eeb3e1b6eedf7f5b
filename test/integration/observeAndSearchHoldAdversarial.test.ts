import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient, RecordView } from '../../shared/client/client';
import { entry as entryModule, entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import { indexedDbStorage, memoryClient, uniqueName } from '../support/clients';
import { closeSearchPorts, failablePort, keptIndexes, searchWorkerPort } from '../support/searchWorkerPorts';

/*
 * Attacks that held (these tests passed before the fixes of d3cc5c1 too): observe's kept views under removal
 * and re-sync, and search answers after a worker failure while records were withdrawn and edited.
 */

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
  closeSearchPorts();
});

const consented = { holderKind: 'community', holderName: '', consent: 'community-approved' } as const;
const input = (title: string): EntryInput => ({ kind: 'practice', title, body: 'Roof gutters feed two tanks.', tags: ['water'], language: 'en', attribution: consented, sharing: 'network' });

function remoteEntry(id: string, title: string, seq: number, base?: Y.Doc) {
  const doc = base ?? new Y.Doc();
  if (!base) entryModule.create(doc, entryModule.parseInput(input(title)), { orgId: 'org-b', deviceId: 'dev-b', role: 'member', now: 5_000 });
  else entryMutators.setFields.apply(doc, { title }, { orgId: 'org-b', deviceId: 'dev-b', role: 'member', now: 6_000 + seq });
  return { doc, update: { header: { id, type: 'entry' as const, ownerOrg: 'org-b', createdAt: 5_000 }, update: Y.encodeStateAsUpdate(doc), seq } };
}

describe('held on main (passing)', () => {
  it('observe never answers with a withdrawn record, and gives a re-synced or edited one its new projection', async () => {
    const client = await memoryClient();
    open.push(client);
    const first = remoteEntry('entry-b1', 'Terraced tea gardens', 3);
    await client.applyRemote([first.update, remoteEntry('entry-b2', 'Seed banks', 4).update]);
    const answers: RecordView[][] = [];
    const subscription = client.observe({ type: 'entry' }).subscribe((views) => answers.push(views));
    await expect.poll(() => answers.at(-1)?.length).toBe(2);

    await client.forgetRecords(['entry-b1']);
    await expect.poll(() => answers.at(-1)!.map((view) => view.header.id)).toEqual(['entry-b2']);
    const afterForget = answers.length;

    // Sent again later by the hub, same bytes, same seq: back in the list.
    await client.applyRemote([first.update]);
    await expect.poll(() => answers.at(-1)!.map((view) => view.header.id).sort()).toEqual(['entry-b1', 'entry-b2']);
    expect(answers.length).toBeGreaterThan(afterForget);

    // Edited remotely: the subscriber's view of it is new and holds the new title; the other is kept.
    const keptOther = answers.at(-1)!.find((view) => view.header.id === 'entry-b2');
    const edited = remoteEntry('entry-b1', 'Terraced tea gardens hold the slope', 7, first.doc);
    await client.applyRemote([edited.update]);
    await expect.poll(() => (answers.at(-1)!.find((view) => view.header.id === 'entry-b1')?.projection as EntryProjection | undefined)?.title).toBe('Terraced tea gardens hold the slope');
    const last = answers.at(-1)!;
    expect(last.find((view) => view.header.id === 'entry-b1')!.seq).toBe(7);
    expect(last.find((view) => view.header.id === 'entry-b2')).toBe(keptOther);
    // Every answer matches what the store held at some point: never a record outside it.
    for (const views of answers) for (const view of views) expect(['entry-b1', 'entry-b2']).toContain(view.header.id);
    subscription.unsubscribe();
  });

  it('after a worker failure, the fresh worker catches up with withdrawals and edits made while nothing listened', async () => {
    const name = uniqueName('adv13-fail-catchup');
    const { kept, storage } = keptIndexes();
    const started: ReturnType<typeof failablePort>[] = [];
    const client = await memoryClient({
      storage: indexedDbStorage(),
      name,
      searchIndexDatabase: `${name}-search`,
      startSearchWorker: () => {
        const port = failablePort(searchWorkerPort(storage));
        started.push(port);
        return port;
      },
    });
    open.push(client);
    const tea = remoteEntry('entry-b1', 'Kiwifruit orchards', 3);
    await client.applyRemote([tea.update, remoteEntry('entry-b2', 'Sorghum granaries', 4).update]);
    const own = await client.create('entry', input('Composting latrines'));
    await client.flush();
    expect(await client.warmSearch()).toEqual({ source: 'built', caughtUp: 3 });
    await expect.poll(() => kept.has(`${name}-search`)).toBe(true);

    started[0]!.fail();
    // While no index listens: one withdrawn, one edited (own), one edited remotely.
    await client.forgetRecords(['entry-b2']);
    await client.mutate(own, entryMutators.setFields, { title: 'Vermiculture latrines' });
    await client.applyRemote([remoteEntry('entry-b1', 'Mulberry hedges', 8, tea.doc).update]);
    await client.flush();

    expect(await client.searchEntries('sorghum')).toEqual([]);
    expect((await client.searchEntries('vermiculture')).map((hit) => hit.id)).toEqual([own]);
    expect(await client.searchEntries('composting')).toEqual([]);
    expect((await client.searchEntries('mulberry')).map((hit) => hit.id)).toEqual(['entry-b1']);
    expect(await client.searchEntries('kiwifruit')).toEqual([]);
    expect(started).toHaveLength(2);
  });
});
