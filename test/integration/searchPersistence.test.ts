import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { entry as entryModule, entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import { EntrySearch } from '../../shared/search/entrySearch';
import { SEARCH_INDEX_META_KEY } from '../../shared/search/persistedSearch';
import { indexedDbStorage, memoryClient, uniqueName } from '../support/clients';
import { closeSearchPorts, failablePort, keptIndexes, refusingPort, searchWorkerPort, type FailablePort } from '../support/searchWorkerPorts';

/*
 * The search index kept on disk between sessions (shared/search/persistedSearch.ts): a later
 * session loads it instead of indexing every entry, answers exactly as a rebuilt index does, and
 * catches up with what was written while no index was listening.
 */

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
  closeSearchPorts();
});

const consented = { holderKind: 'community', holderName: '', consent: 'community-approved' } as const;
const regions = [['云南省', '大理州', '洱源县'], ['Guizhou', 'Qiandongnan'], ['Yunnan', 'Dali']];
const zh = ['用草木灰防治菜虫', '节水灌溉技术在山区推广', '老人们说清晨把草木灰撒在菜叶上', '村里的雨水收集池'];
const en = ['Rainwater harvesting for school gardens', 'Flood warnings reach elderly villagers too late', 'Seed banks kept by women farmers', 'Composting toilets for mountain schools'];

function input(i: number): EntryInput {
  const isZh = i % 2 === 0;
  const words = isZh ? zh : en;
  return {
    kind: (['practice', 'local-wisdom', 'challenge', 'lesson'] as const)[i % 4]!,
    title: `${words[i % words.length]!} ${i}`,
    summary: isZh ? `${zh[(i + 1) % zh.length]!}，效果很好。` : `${en[(i + 1) % en.length]!}; the water lasts the dry season.`,
    body: isZh ? `${zh[(i + 2) % zh.length]!}。我们又试了这个老办法。` : `Roof gutters feed two tanks. ${en[(i + 3) % en.length]!}.`,
    tags: isZh ? ['病虫害', '有机'] : ['water', i % 3 === 0 ? 'schools' : 'disaster'],
    region: regions[i % regions.length]!,
    language: isZh ? 'zh-CN' : 'en',
    attribution: consented,
    sharing: 'network',
  };
}

const queries = ['灌溉', '草木灰', '效果', '雨水', 'water', 'harvestign', 'rainwat', 'elderley villagers', 'schools', 'seed', 'flood tanks', '灌木'];

async function session(name: string, searchPort?: MessagePort, searchIndexDatabase?: string): Promise<FieldwiseClient> {
  // One storage handle per session: fake-indexeddb keeps the database between them, as a disk would.
  const client = await memoryClient({ storage: indexedDbStorage(), name, ...(searchPort ? { startSearchWorker: () => searchPort } : {}), ...(searchIndexDatabase ? { searchIndexDatabase } : {}) });
  open.push(client);
  return client;
}

async function closeSession(client: FieldwiseClient): Promise<void> {
  open.splice(open.indexOf(client), 1);
  await client.close();
}

/** An index built from the rows the store holds now, the way the first session builds one. */
async function rebuiltAnswers(client: FieldwiseClient, filters = {}) {
  const index = EntrySearch.empty();
  const rows = await client.listRows({ type: 'entry' });
  index.putAll(rows.map((row) => ({ id: row.id, ownerOrg: row.ownerOrg, projection: row.projection as unknown as EntryProjection })));
  return queries.map((query) => index.search(query, filters));
}

type Answers = { id: string; score: number }[][];

/** The same hits in the same order, with the same scores but for the last bits of a float. */
function expectSameAnswers(actual: Answers, expected: Answers): void {
  expect(actual.map((hits) => hits.map((hit) => hit.id))).toEqual(expected.map((hits) => hits.map((hit) => hit.id)));
  actual.forEach((hits, q) => hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[q]![i]!.score, 9)));
}

/**
 * The same hits. After entries are replaced or removed, MiniSearch scores by term statistics that
 * still count the replaced versions until it vacuums (as the live index always has), so the order
 * of hits with close scores may differ from a fresh build; which entries match may not.
 */
function expectSameHits(actual: Answers, expected: Answers): void {
  expect(actual.map((hits) => hits.map((hit) => hit.id).sort())).toEqual(expected.map((hits) => hits.map((hit) => hit.id).sort()));
}

const answersOf = async (client: FieldwiseClient, filters = {}) => Promise.all(queries.map((query) => client.searchEntries(query, filters)));

function otherOrgEntry(id: string, title: string) {
  const doc = new Y.Doc();
  entryModule.create(doc, entryModule.parseInput({ ...input(1), title }), { orgId: 'org-b', deviceId: 'dev-b', role: 'member', now: 5_000 });
  return { header: { id, type: 'entry' as const, ownerOrg: 'org-b', createdAt: 5_000 }, update: Y.encodeStateAsUpdate(doc), seq: 9 };
}

describe('persisted search index', () => {
  it('is saved by one session and loaded by the next, which answers exactly as an index rebuilt from the rows', async () => {
    const name = uniqueName('search-persist');
    const first = await session(name);
    for (let i = 0; i < 24; i++) await first.create('entry', input(i));
    expect(await first.warmSearch()).toEqual({ source: 'built', caughtUp: 24 });
    const builtAnswers = await answersOf(first);
    await closeSession(first);

    const second = await session(name);
    expect(await second.warmSearch()).toEqual({ source: 'loaded', caughtUp: 0 });
    const loaded = await answersOf(second);
    expectSameAnswers(loaded, builtAnswers);
    expectSameAnswers(loaded, await rebuiltAnswers(second));
    expect(loaded.flat().length).toBeGreaterThan(20);
    const filters = { kind: 'practice', region: ['Guizhou'] };
    expectSameAnswers(await answersOf(second, filters), await rebuiltAnswers(second, filters));
    await closeSession(second);

    // The same index, loaded in a worker behind the message port, answers the same.
    const third = await session(name, searchWorkerPort());
    expect(await third.warmSearch()).toEqual({ source: 'loaded', caughtUp: 0 });
    expectSameAnswers(await answersOf(third), builtAnswers);
  });

  it('is kept by the worker itself where it has storage: the client never reads or writes its text, and an old copy beside the records is written over', async () => {
    const name = uniqueName('search-in-worker');
    // A session of an earlier version saved the index beside the records.
    const earlier = await session(name);
    for (let i = 0; i < 24; i++) await earlier.create('entry', input(i));
    await earlier.warmSearch();
    const builtAnswers = await answersOf(earlier);
    await closeSession(earlier);

    const { kept, storage: workerStorage } = keptIndexes();
    const readsOfIndex: unknown[] = [];
    const spied = (client: FieldwiseClient) => {
      // What the client's thread reads of the index's meta key, through the store the client holds.
      const store = (client as unknown as { store: { getMeta(key: string): Promise<unknown> } }).store;
      const getMeta = store.getMeta.bind(store);
      store.getMeta = async (key) => {
        const value = await getMeta(key);
        if (key === SEARCH_INDEX_META_KEY) readsOfIndex.push(value);
        return value;
      };
      return client;
    };
    const first = spied(await session(name, searchWorkerPort(workerStorage), `${name}-search`));
    // Built in the worker from the rows (the copy beside the records is not read), then saved there.
    expect(await first.warmSearch()).toEqual({ source: 'built', caughtUp: 24 });
    expectSameAnswers(await answersOf(first), builtAnswers);
    await closeSession(first);
    expect(readsOfIndex).toEqual([]);
    expect(kept.get(`${name}-search`)).toMatchObject({ format: expect.any(Number), stamp: { lwt: expect.any(Number), id: expect.any(String) }, index: expect.any(String) });

    const second = spied(await session(name, searchWorkerPort(workerStorage), `${name}-search`));
    await second.create('entry', input(24));
    expect(await second.warmSearch()).toEqual({ source: 'loaded', caughtUp: 1 });
    expectSameAnswers(await answersOf(second), await rebuiltAnswers(second));
    await closeSession(second);
    expect(readsOfIndex).toEqual([]);

    // The old copy was written over: a session without the worker's storage finds none and builds.
    const without = await session(name);
    expect(await without.warmSearch()).toEqual({ source: 'built', caughtUp: 25 });
  });

  it('answers through a failed worker: a fresh worker loads what the first saved, and after a second failure this thread builds its own index', async () => {
    const name = uniqueName('search-worker-fails');
    const { kept, storage: workerStorage } = keptIndexes();
    const started: FailablePort[] = [];
    const client = await memoryClient({
      storage: indexedDbStorage(),
      name,
      searchIndexDatabase: `${name}-search`,
      startSearchWorker: () => {
        const port = failablePort(searchWorkerPort(workerStorage));
        started.push(port);
        return port;
      },
    });
    open.push(client);
    for (let i = 0; i < 24; i++) await client.create('entry', input(i));
    expect(await client.warmSearch()).toEqual({ source: 'built', caughtUp: 24 });
    const expected = await rebuiltAnswers(client);
    expectSameAnswers(await answersOf(client), expected);
    await expect.poll(() => kept.has(`${name}-search`)).toBe(true);

    // The worker dies under a search already asked: the search is answered all the same.
    const asked = answersOf(client);
    started[0]!.fail();
    expectSameAnswers(await asked, expected);
    expect(started).toHaveLength(2);
    // The fresh worker loaded the saved index and caught up with what was written since.
    await client.create('entry', input(24));
    expect(await client.warmSearch()).toEqual({ source: 'loaded', caughtUp: 0 });
    const withNew = await rebuiltAnswers(client);
    expectSameAnswers(await answersOf(client), withNew);

    // A second worker fails too: no third is started, the index is built on this thread.
    started[1]!.fail();
    expectSameAnswers(await answersOf(client), withNew);
    expect(started).toHaveLength(2);
    expect(await client.warmSearch()).toEqual({ source: 'built', caughtUp: 25 });
  });

  it('is built again from the rows when it could not take a change, and not loaded from what was saved after it', async () => {
    const name = uniqueName('search-apply-fails');
    const { kept, storage: workerStorage } = keptIndexes();
    const refused = new Set<string>();
    const client = await memoryClient({ storage: indexedDbStorage(), name, searchIndexDatabase: `${name}-search`, startSearchWorker: () => refusingPort(searchWorkerPort(workerStorage), refused) });
    open.push(client);
    for (let i = 0; i < 24; i++) await client.create('entry', input(i));
    expect(await client.warmSearch()).toEqual({ source: 'built', caughtUp: 24 });
    await expect.poll(() => kept.has(`${name}-search`)).toBe(true);

    // The index refuses a change as it arrives, and again while it is built anew.
    refused.add('apply');
    const late = await client.create('entry', { ...input(3), title: 'Terraced rice under drip lines' });
    await client.flush();
    await expect.poll(() => client.searchEntries('terraced').then((hits) => hits.length, (error: Error) => error.message)).toBe('search worker: apply refused');
    // Mended: the next search builds the index from the rows (the saved copy is not trusted).
    refused.clear();
    expect((await client.searchEntries('terraced')).map((hit) => hit.id)).toEqual([late]);
    expect(await client.warmSearch()).toEqual({ source: 'built', caughtUp: 25 });
    expectSameAnswers(await answersOf(client), await rebuiltAnswers(client));
  });

  it("rebuilds when the worker's saved index is damaged or of another format", async () => {
    const name = uniqueName('search-in-worker-damaged');
    const { kept, storage: workerStorage } = keptIndexes();
    const first = await session(name, searchWorkerPort(workerStorage), `${name}-search`);
    for (let i = 0; i < 6; i++) await first.create('entry', input(i));
    expect(await first.warmSearch()).toEqual({ source: 'built', caughtUp: 6 });
    await closeSession(first);
    const saved = kept.get(`${name}-search`)!;
    for (const damaged of [{ ...saved, index: '{"not": "an index"' }, { ...saved, format: saved.format + 1 }, { ...saved, stamp: { lwt: 'x' } }]) {
      kept.set(`${name}-search`, damaged);
      const again = await session(name, searchWorkerPort(workerStorage), `${name}-search`);
      expect(await again.warmSearch()).toEqual({ source: 'built', caughtUp: 6 });
      expectSameAnswers(await answersOf(again), await rebuiltAnswers(again));
      await closeSession(again);
    }
  });

  it('re-indexes what was edited, added or removed while no index was listening, and follows edits after loading', async () => {
    const name = uniqueName('search-catch-up');
    const first = await session(name, searchWorkerPort());
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await first.create('entry', input(i)));
    await first.applyRemote([otherOrgEntry('entry-from-b', 'Terraced tea gardens hold the slope')]);
    await first.warmSearch();
    expect((await first.searchEntries('terraced')).map((hit) => hit.id)).toEqual(['entry-from-b']);
    await closeSession(first);

    // The app was closed; a session that never searched (a sync at start, another window) wrote.
    const between = await session(name);
    await between.mutate(ids[1]!, entryMutators.setFields, { title: 'Landslide warnings by the village broadcast' });
    const added = await between.create('entry', { ...input(3), title: 'Bamboo drip lines for orchards' });
    await between.forgetRecords(['entry-from-b']);
    await closeSession(between);

    const later = await session(name, searchWorkerPort());
    expect(await later.warmSearch()).toEqual({ source: 'loaded', caughtUp: 3 });
    expect((await later.searchEntries('landslide')).map((hit) => hit.id)).toEqual([ids[1]]);
    expect((await later.searchEntries('bamboo')).map((hit) => hit.id)).toEqual([added]);
    expect(await later.searchEntries('terraced')).toEqual([]);
    expect((await later.searchEntries('flood')).map((hit) => hit.id)).not.toContain(ids[1]);
    expectSameHits(await answersOf(later), await rebuiltAnswers(later));

    await later.mutate(ids[1]!, entryMutators.setBody, '山体滑坡预警');
    await waitFor(async () => (await later.searchEntries('滑坡')).length === 1);
    expect((await later.searchEntries('滑坡')).map((hit) => hit.id)).toEqual([ids[1]]);
  });

  it('rebuilds an index saved in another format or damaged, with the same answers', async () => {
    const name = uniqueName('search-damaged');
    const first = await session(name);
    for (let i = 0; i < 6; i++) await first.create('entry', input(i));
    await first.warmSearch();
    const answers = await answersOf(first);
    await closeSession(first);
    for (const stored of [{ format: 999, stamp: null, index: '{}' }, { format: 1, stamp: null, index: 'not json' }]) {
      const tampered = await session(name);
      await (tampered as unknown as { store: { setMeta(key: string, value: object): Promise<void> } }).store.setMeta('search-index', stored);
      expect(await tampered.warmSearch()).toEqual({ source: 'built', caughtUp: 6 });
      expectSameAnswers(await answersOf(tampered), answers);
      await closeSession(tampered);
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
