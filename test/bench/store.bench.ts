import { isCursorFixApplied } from './fakeIndexedDbCursorFix';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import type { SearchPortLike } from '../../shared/search/searchPort';
import { SEARCH_INDEX_META_KEY } from '../../shared/search/persistedSearch';
import Dexie from 'dexie';
import MiniSearch, { type SearchOptions } from 'minisearch';
import { dexieStorage } from '../../shared/store/dexieStorage';
import * as Y from 'yjs';
import { openClient, type FieldwiseClient, type RemoteUpdate } from '../../shared/client/client';
import { entryMutators } from '../../shared/records/entry';
import { entry as entryModule, type EntryProjection } from '../../shared/records/entry';
import type { RecordHeader } from '../../shared/records/recordType';
import { EntrySearch, type SearchableEntry } from '../../shared/search/entrySearch';
import { indexTerms } from '../../shared/search/searchTerms';
import { toRecordRow } from '../../shared/store/recordState';
import type { RecordRow } from '../../shared/store/schemas';
import { openStore, type RecordQuery, type Store } from '../../shared/store/store';
import { machineLine, markdownTable, ms, percentile, ratio, timeMs, writeSection } from './benchReport';
import { corpusOrgs, corpusRegions, generateEntries, searchQueries } from './entryCorpus';

/*
 * `npm run bench -- store`: the local store and search at network scale (10,000 entries), on
 * fake-indexeddb through RxDB's Dexie storage without the ajv validator (production leaves it out).
 *
 * (a) import through the client (own entries by `create`, one awaited call at a time, as the UI
 *     does; other organizations' entries by `applyRemote` in pages, as sync does) against one raw
 *     Dexie bulkPut of the same projections;
 * (b) list queries through the client, each run a different query so none is answered from RxDB's
 *     query cache (an identical repeat is shown once for contrast);
 * (c) search: building our index against bare MiniSearch, and query latency over 200 queries.
 */

const HEADING = '## store (issue 2)';
const DEFAULT_ENTRIES = 10_000;
const REMOTE_PAGE = 500;
const QUERY_RUNS = 50;
const QUERY_WARMUP = 1;
const SEARCH_QUERIES = 200;
const SEARCH_WARMUP = 20;

const log = (message: string) => console.error(`[bench store] ${message}`);

let workerScript: string | null = null;

/** The worker thread's script, bundled once (a worker thread does not inherit tsx's loader). */
function searchWorkerScript(): string {
  if (workerScript) return workerScript;
  const dir = join(fileURLToPath(new URL('../..', import.meta.url)), '.cache');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `bench-search-worker-${process.pid}.mjs`);
  buildSync({ entryPoints: [fileURLToPath(new URL('./searchWorkerNode.ts', import.meta.url))], bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'error' });
  workerScript = outfile;
  return outfile;
}

/** The index's worker as a Node worker thread, behind the port shape the client takes. */
async function searchWorkerPort(): Promise<SearchPortLike> {
  const worker = new Worker(searchWorkerScript());
  // Started before it is measured, as the renderer starts its worker when the session opens.
  await new Promise((resolve) => worker.once('online', resolve));
  return {
    postMessage: (message) => worker.postMessage(message),
    addEventListener: (type: 'message' | 'error', listener: (event: { data: unknown }) => void) => {
      if (type === 'message') worker.on('message', (data) => listener({ data }));
      else worker.on('error', () => listener({ data: undefined }));
    },
    terminate: () => void worker.terminate(),
  } as SearchPortLike;
}

/** Runs `work` and reports its time and the longest stall of this thread's event loop during it. */
async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; totalMs: number; longestStallMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const start = performance.now();
  const result = await work();
  const totalMs = performance.now() - start;
  histogram.disable();
  // The histogram counts in ns and includes its own resolution.
  return { result, totalMs, longestStallMs: Math.max(0, histogram.max / 1e6 - 5) };
}

interface Prepared {
  readonly header: RecordHeader;
  readonly isLocal: boolean;
  readonly update: Uint8Array;
  readonly row: RecordRow;
}

interface Row {
  readonly measure: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio: string;
}

function entryCount(): number {
  const raw = process.env.FIELDWISE_BENCH_ENTRIES;
  if (raw === undefined || raw === '') return DEFAULT_ENTRIES;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 100) throw new RangeError('FIELDWISE_BENCH_ENTRIES must be an integer of at least 100');
  return count;
}

const perThousand = (totalMs: number, count: number) => (totalMs / count) * 1000;

/** Time spent inside the store's methods, to split the client's time into storage and the rest. */
class StoreTimer {
  private readonly totals = new Map<string, number>();

  wrap = (store: Store): Store => {
    const timed =
      <A extends unknown[], R>(name: string, method: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const start = performance.now();
        try {
          return await method(...args);
        } finally {
          this.totals.set(name, (this.totals.get(name) ?? 0) + performance.now() - start);
        }
      };
    return {
      ...store,
      getRows: timed('getRows', store.getRows),
      find: timed('find', store.find),
      rowChangesSince: timed('rowChangesSince', store.rowChangesSince),
      appendOutbox: timed('appendOutbox', store.appendOutbox),
      putRows: timed('putRows', store.putRows),
    };
  };

  /** Totals since the last take, in ms. */
  take(): Map<string, number> {
    const totals = new Map(this.totals);
    this.totals.clear();
    return totals;
  }
}

export async function run(): Promise<void> {
  const startedAt = performance.now();
  const count = entryCount();
  const stamp = `${process.pid}-${Date.now()}`;
  const localOrg = corpusOrgs[0];
  const rows: Row[] = [];
  const add = (measure: string, ours: string, baseline = '—', ratioText = '—') => rows.push({ measure, ours, baseline, ratio: ratioText });

  // ---- corpus and the CPU side of making rows -------------------------------------------------
  const corpus = generateEntries(count);
  log(`${count} entries generated; building Yjs docs and rows`);
  const prepared: Prepared[] = [];
  const prepareMs = await timeMs(() => {
    corpus.forEach((item, i) => {
      const header: RecordHeader = { id: `entry-bench-${String(i).padStart(6, '0')}`, type: 'entry', ownerOrg: item.ownerOrg, createdAt: item.createdAt };
      const doc = new Y.Doc();
      entryModule.create(doc, entryModule.parseInput(item.input), { orgId: item.ownerOrg, deviceId: `dev-${item.ownerOrg}`, role: 'member', now: item.createdAt });
      prepared.push({ header, isLocal: item.ownerOrg === localOrg, update: Y.encodeStateAsUpdate(doc), row: toRecordRow(header, doc, i + 1) });
      doc.destroy();
    });
  });
  const local = corpus.filter((item) => item.ownerOrg === localOrg);
  const remote = prepared.filter((p) => !p.isLocal);
  const projections = prepared.map((p) => ({ id: p.header.id, ...(p.row.projection as unknown as EntryProjection) }));

  // ---- (a) import -----------------------------------------------------------------------------
  log('raw Dexie bulkPut');
  const raw = new Dexie(`bench-raw-${stamp}`);
  raw.version(1).stores({ entries: 'id,kind,updatedAt' });
  await raw.open();
  const rawPutMs = await timeMs(() => raw.table('entries').bulkPut(projections));

  let clock = 0;
  const timer = new StoreTimer();
  const client = await openClient({
    wrapStore: timer.wrap,
    storage: dexieStorage(),
    name: `bench-client-${stamp}`,
    identity: { orgId: localOrg, deviceId: 'bench', role: 'member' },
    now: () => clock,
  });
  timer.take();
  log(`client.create x ${local.length}, one awaited call at a time`);
  const createMs = await timeMs(async () => {
    for (const item of local) {
      clock = item.createdAt;
      await client.create('entry', item.input);
    }
  });
  const createStoreMs = timer.take();
  log(`client.applyRemote x ${remote.length} in pages of ${REMOTE_PAGE}`);
  const remoteMs = await timeMs(async () => {
    for (let i = 0; i < remote.length; i += REMOTE_PAGE) {
      const page: RemoteUpdate[] = remote.slice(i, i + REMOTE_PAGE).map((p) => ({ header: p.header, update: p.update, seq: p.row.seq }));
      await client.applyRemote(page);
    }
  });
  const remoteStoreMs = timer.take();
  const importMs = createMs + remoteMs;

  log('store.putRows of the prepared rows into a fresh store');
  const bareStore = await openStore({ storage: dexieStorage(), name: `bench-store-${stamp}` });
  const putRowsMs = await timeMs(async () => {
    for (let i = 0; i < prepared.length; i += REMOTE_PAGE) await bareStore.putRows(prepared.slice(i, i + REMOTE_PAGE).map((p) => p.row));
  });
  await bareStore.close();

  add(`import ${count} entries through the client vs one Dexie bulkPut of the same projections`, `${ms(importMs)} ms`, `${ms(rawPutMs)} ms`, ratio(importMs, rawPutMs));
  add(`… client.create, one awaited call at a time (${local.length} own entries), per 1,000`, `${ms(perThousand(createMs, local.length))} ms`, `${ms(perThousand(rawPutMs, count))} ms`, ratio(createMs / local.length, rawPutMs / count));
  add(`… client.applyRemote, pages of ${REMOTE_PAGE} (${remote.length} entries of ${corpusOrgs.length - 1} other orgs), per 1,000`, `${ms(perThousand(remoteMs, remote.length))} ms`, `${ms(perThousand(rawPutMs, count))} ms`, ratio(remoteMs / remote.length, rawPutMs / count));
  const storeSplit = (totals: Map<string, number>, total: number, n: number) => {
    const inStore = [...totals.values()].reduce((a, b) => a + b, 0);
    const parts = [...totals].map(([name, spent]) => `${name} ${ms(perThousand(spent, n))}`).join(', ');
    return `${parts}; outside the store ${ms(perThousand(total - inStore, n))} ms`;
  };
  add(`… where create's time goes, per 1,000: in store methods (ms)`, storeSplit(createStoreMs, createMs, local.length));
  add(`… where applyRemote's time goes, per 1,000: in store methods (ms)`, storeSplit(remoteStoreMs, remoteMs, remote.length));
  add(`where it goes: CPU only (validate, Yjs doc, projection, state + SHA-256), ${count} entries`, `${ms(prepareMs)} ms`, `${ms(rawPutMs)} ms`, ratio(prepareMs, rawPutMs));
  add(`where it goes: store.putRows (RxDB bulkUpsert) of those ${count} finished rows, pages of ${REMOTE_PAGE}`, `${ms(putRowsMs)} ms`, `${ms(rawPutMs)} ms`, ratio(putRowsMs, rawPutMs));

  // ---- (b) list and filter queries ------------------------------------------------------------
  const tags = [...new Set(corpus.flatMap((item) => item.input.tags ?? []))].sort();
  const regionPrefixes = [...new Set(corpusRegions.flatMap((path) => path.map((_, depth) => path.slice(0, depth + 1).join('/'))))]
    .sort()
    .map((key) => key.split('/'));
  const kinds = ['practice', 'local-wisdom', 'challenge', 'lesson'];
  const cycle = <T>(items: readonly T[], i: number): T => items[i % items.length]!;
  // `skip` grows once per cycle of the filter values, so no two runs share a query (and RxDB's
  // query cache), and the work per run stays that of the first page.
  const families: { name: string; query: (i: number) => RecordQuery & { type: 'entry' }; baseline?: (i: number) => Promise<unknown> }[] = [
    {
      name: 'latest 50 entries',
      query: (i) => ({ type: 'entry', limit: 50, skip: i }),
      baseline: (i) => raw.table('entries').orderBy('updatedAt').reverse().offset(i).limit(50).toArray(),
    },
    {
      name: 'kind filter, latest 50',
      query: (i) => ({ type: 'entry', kind: cycle(kinds, i), limit: 50, skip: Math.floor(i / kinds.length) }),
      baseline: async (i) => {
        const all = await raw.table('entries').where('kind').equals(cycle(kinds, i)).reverse().sortBy('updatedAt');
        return all.slice(Math.floor(i / kinds.length), Math.floor(i / kinds.length) + 50);
      },
    },
    { name: `tag filter, latest 50 (${tags.length} tags)`, query: (i) => ({ type: 'entry', tag: cycle(tags, i), limit: 50, skip: Math.floor(i / tags.length) }) },
    {
      name: `region prefix, latest 50 (${regionPrefixes.length} paths, province to township)`,
      query: (i) => ({ type: 'entry', region: cycle(regionPrefixes, i), limit: 50, skip: Math.floor(i / regionPrefixes.length) }),
    },
    {
      name: 'organization filter, latest 50',
      query: (i) => ({ type: 'entry', ownerOrg: cycle(corpusOrgs, i), limit: 50, skip: Math.floor(i / corpusOrgs.length) }),
    },
  ];
  for (const family of families) {
    log(`list: ${family.name}`);
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < QUERY_WARMUP + QUERY_RUNS; i++) {
      const oursMs = await timeMs(() => client.list(family.query(i)));
      const baseMs = family.baseline ? await timeMs(() => family.baseline!(i)) : Number.NaN;
      if (i < QUERY_WARMUP) continue;
      ours.push(oursMs);
      base.push(baseMs);
    }
    const cell = (samples: number[]) => `p50 ${ms(percentile(samples, 50))} / p95 ${ms(percentile(samples, 95))} ms`;
    add(
      `client.list: ${family.name}, ${QUERY_RUNS} runs`,
      cell(ours),
      family.baseline ? `${cell(base)} (raw Dexie)` : '—',
      family.baseline ? `${ratio(percentile(ours, 95), percentile(base, 95))} (p95)` : '—',
    );
  }
  const repeat: number[] = [];
  for (let i = 0; i < QUERY_RUNS; i++) repeat.push(await timeMs(() => client.list({ type: 'entry', limit: 50 })));
  add(`client.list: latest 50 repeated unchanged, ${QUERY_RUNS} runs (RxDB query cache)`, `p50 ${ms(percentile(repeat, 50))} / p95 ${ms(percentile(repeat, 95))} ms`);

  // ---- (c) search -----------------------------------------------------------------------------
  const searchables: SearchableEntry[] = prepared.map((p) => ({
    id: p.header.id,
    ownerOrg: p.header.ownerOrg,
    projection: p.row.projection as unknown as EntryProjection,
  }));
  const plainDocs = searchables.map(({ id, projection: p }) => ({
    id,
    title: p.title,
    summary: p.summary,
    text: [p.body, ...Object.values(p.sections)].filter(Boolean).join('\n'),
    tags: p.tags.join(' '),
  }));
  const fields = ['title', 'summary', 'text', 'tags'];
  const boost = { title: 3, tags: 2, summary: 1.5 };
  const bareDefault = () => new MiniSearch({ fields, searchOptions: { boost } });
  const bareTerms = () => new MiniSearch({ fields, tokenize: indexTerms, processTerm: (term) => term, searchOptions: { boost } });
  // Bare searches get the options closest to ours: every word must match, by prefix, with typos.
  const bareOptions: SearchOptions = { prefix: true, fuzzy: 0.2, combineWith: 'AND' };

  log('search: warming MiniSearch up on 200 documents');
  bareDefault().addAll(plainDocs.slice(0, 200));
  bareTerms().addAll(plainDocs.slice(0, 200));
  EntrySearch.empty().putAll(searchables.slice(0, 200));

  log('search: building indexes');
  const defaultIndex = bareDefault();
  const defaultBuildMs = await timeMs(() => defaultIndex.addAll(plainDocs));
  const termsIndex = bareTerms();
  const termsBuildMs = await timeMs(() => termsIndex.addAll(plainDocs));
  const queries = searchQueries(SEARCH_WARMUP + SEARCH_QUERIES);
  timer.take();
  const clientBuildMs = await timeMs(() => client.searchEntries(queries[0]!));
  const readRowsMs = timer.take().get('rowChangesSince') ?? 0;
  const indexOnlyMs = clientBuildMs - readRowsMs;

  add(`search index build, first client.searchEntries (reads ${count} rows from the store, then indexes) vs bare MiniSearch, default tokenizer`, `${ms(clientBuildMs)} ms`, `${ms(defaultBuildMs)} ms`, ratio(clientBuildMs, defaultBuildMs));
  add(`… of which reading all ${count} entry rows (store.rowChangesSince, pages of 500)`, `${ms(readRowsMs)} ms`);
  add('… of which indexing (EntrySearch.putAll per page and the first query; the first save of the index is after it)', `${ms(indexOnlyMs)} ms`, `${ms(defaultBuildMs)} ms`, ratio(indexOnlyMs, defaultBuildMs));
  add('… bare MiniSearch with our indexTerms tokenizer (Han characters and pairs)', `${ms(termsBuildMs)} ms`, `${ms(defaultBuildMs)} ms`, ratio(termsBuildMs, defaultBuildMs));

  log(`search: ${SEARCH_QUERIES} queries`);
  const oursMs: number[] = [];
  const defaultMs: number[] = [];
  const termsMs: number[] = [];
  const hits = { ours: 0, bareDefault: 0, bareTerms: 0 };
  for (let i = 0; i < queries.length; i++) {
    const query = queries[i]!;
    const found = { ours: 0, bareDefault: 0, bareTerms: 0 };
    const a = await timeMs(async () => (found.ours = (await client.searchEntries(query)).length));
    const b = await timeMs(() => (found.bareDefault = defaultIndex.search(query, bareOptions).length));
    const c = await timeMs(() => (found.bareTerms = termsIndex.search(query, bareOptions).length));
    if (i < SEARCH_WARMUP) continue;
    oursMs.push(a);
    defaultMs.push(b);
    termsMs.push(c);
    hits.ours += found.ours;
    hits.bareDefault += found.bareDefault;
    hits.bareTerms += found.bareTerms;
  }
  const mean = (total: number) => (total / SEARCH_QUERIES).toFixed(0);
  const latency = (samples: number[]) => `p50 ${ms(percentile(samples, 50))} / p95 ${ms(percentile(samples, 95))} ms`;
  add(
    `search, ${SEARCH_QUERIES} queries (English words, prefixes, typos, Chinese words): client.searchEntries vs bare MiniSearch, default tokenizer`,
    `${latency(oursMs)}, ${mean(hits.ours)} hits/query`,
    `${latency(defaultMs)}, ${mean(hits.bareDefault)} hits/query`,
    `${ratio(percentile(oursMs, 95), percentile(defaultMs, 95))} (p95)`,
  );
  add(
    '… vs bare MiniSearch with our indexTerms tokenizer',
    `${latency(oursMs)}`,
    `${latency(termsMs)}, ${mean(hits.bareTerms)} hits/query`,
    `${ratio(percentile(oursMs, 95), percentile(termsMs, 95))} (p95)`,
  );

  // ---- (d) the first search after a cold start -----------------------------------------------
  const clientName = `bench-client-${stamp}`;
  const reopen = (searchPort?: SearchPortLike): Promise<FieldwiseClient> =>
    openClient({ storage: dexieStorage(), name: clientName, identity: { orgId: localOrg, deviceId: 'bench', role: 'member' }, now: () => clock, ...(searchPort ? { startSearchWorker: () => searchPort } : {}) });
  const coldQuery = queries[SEARCH_WARMUP + 1]!;
  log('search: closing the client (it saves its index)');
  const saveMs = await timeMs(() => client.close());
  const saved = await (async () => {
    const peek = await openStore({ storage: dexieStorage(), name: clientName });
    const value = (await peek.getMeta(SEARCH_INDEX_META_KEY)) as { index?: string } | null;
    await peek.close();
    return value?.index?.length ?? 0;
  })();

  const coldSearch = async (searchPort?: SearchPortLike) => {
    const reopened = await reopen(searchPort);
    const measured = await withLoopDelay(async () => {
      const report = await reopened.warmSearch();
      const found = await reopened.searchEntries(coldQuery);
      return { report, hits: found.length };
    });
    await reopened.close();
    return measured;
  };
  const forgetSavedIndex = async () => {
    const peek = await openStore({ storage: dexieStorage(), name: clientName });
    await peek.setMeta(SEARCH_INDEX_META_KEY, { format: 0 });
    await peek.close();
  };
  log('search: cold start, saved index loaded in this thread');
  const loadedHere = await coldSearch();
  log('search: cold start, saved index loaded in a worker thread');
  const loadedInWorker = await coldSearch(await searchWorkerPort());
  log('search: cold start, 100 entries edited while no index listened, index in a worker thread');
  const editor = await reopen();
  const ownIds = (await editor.listRows({ type: 'entry', ownerOrg: localOrg, limit: 100 })).map((row) => row.id);
  for (const id of ownIds) await editor.mutate(id, entryMutators.setFields, { title: `Edited while closed ${id}` });
  await editor.close();
  const caughtUpInWorker = await coldSearch(await searchWorkerPort());
  log('search: cold start, no saved index: rebuilt in this thread (what every first search did before)');
  await forgetSavedIndex();
  const rebuiltHere = await coldSearch();
  log('search: cold start, no saved index: rebuilt in a worker thread');
  await forgetSavedIndex();
  const rebuiltInWorker = await coldSearch(await searchWorkerPort());

  const cold = (label: string, measured: Awaited<ReturnType<typeof coldSearch>>, against = rebuiltHere) =>
    add(
      `… ${label}: ${measured.result.report.source}, ${measured.result.report.caughtUp} entries caught up, ${measured.result.hits} hits; longest stall of the client's thread ${ms(measured.longestStallMs)} ms`,
      `${ms(measured.totalMs)} ms`,
      `${ms(against.totalMs)} ms`,
      ratio(measured.totalMs, against.totalMs),
    );
  add(
    `first search after a cold start (reopened client, ${count} entries, warmSearch then one query) vs the index rebuilt from the rows in the client's thread, as before issue 17: rebuilt here`,
    `${ms(rebuiltHere.totalMs)} ms; longest stall ${ms(rebuiltHere.longestStallMs)} ms`,
    `${ms(rebuiltHere.totalMs)} ms`,
    '1.00x',
  );
  cold('rebuilt in a worker thread (no saved index yet, or another format)', rebuiltInWorker);
  cold('saved index loaded in the client\'s thread', loadedHere);
  cold('saved index loaded in a worker thread (as the renderer does)', loadedInWorker);
  cold('saved index loaded in a worker thread, 100 entries edited while closed', caughtUpInWorker);
  add(`… saving the index when the client closes (JSON of ${(saved / 1e6).toFixed(1)} MB into the store's meta)`, `${ms(saveMs)} ms`);

  raw.close();

  // ---- report ---------------------------------------------------------------------------------
  const runtimeS = (performance.now() - startedAt) / 1000;
  const table = markdownTable(
    ['Measure', 'Fieldwise', 'Baseline', 'Fieldwise / baseline'],
    rows.map((row) => [row.measure, row.ours, row.baseline, row.ratio]),
  );
  const storage = `fake-indexeddb 6 in Node 20 (6.2.8, through RxDB's Dexie storage, no ajv validator${
    isCursorFixApplied ? '; ranged-cursor fix from test/bench/fakeIndexedDbCursorFix.ts applied' : '; as shipped, no cursor fix'
  }); the same client on Chromium's IndexedDB is measured in the renderer section (npm run bench -- renderer)`;
  const command = count === DEFAULT_ENTRIES ? 'npm run bench -- store' : `FIELDWISE_BENCH_ENTRIES=${count} npm run bench -- store`;
  const body = [
    `- Command: \`${command}\``,
    `- Storage: ${storage}`,
    `- Machine: ${machineLine()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}; whole run ${runtimeS.toFixed(0)} s`,
    `- Corpus: ${count} entries from test/bench/entryCorpus.ts (seeded; about half English, half Chinese; ${corpusOrgs.length} organizations, ${local.length} of them the local one's)`,
    '',
    table,
    '',
    'How to read it: ratios are Fieldwise over the baseline measured in the same run (above 1 is slower).',
    'The client stores per entry a row with the compacted Yjs state, its SHA-256 and index fields, plus',
    'an outbox entry for local changes; the raw Dexie baseline stores the projection alone. Each list',
    'run is a different query (filter value and `skip` vary), so RxDB answers none from its query cache;',
    'the "repeated unchanged" row shows what a cache hit costs.',
  ].join('\n');

  console.log(`\n${HEADING}\n\n${body}\n`);
  if (count === DEFAULT_ENTRIES) {
    await writeSection(HEADING, body);
    log('wrote docs/BENCHMARKS.md');
  } else {
    log(`scaled-down run (${count} entries): docs/BENCHMARKS.md left as it was`);
  }
}
