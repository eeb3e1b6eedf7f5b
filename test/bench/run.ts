/*
 * `npm run bench -- <name>`: runs one benchmark. Benchmarks are loaded on demand, so one that sets
 * up fake-indexeddb or a hub does not touch the process of another.
 */

const benchmarks: Record<string, { readonly about: string; readonly load: () => Promise<{ run(args: string[]): Promise<void> }> }> = {
  search: {
    about: 'first search after a cold start in Chromium with 10,000 entries, before issue 17 and now (FIELDWISE_BENCH_BEFORE_DIST)',
    load: () => import('./search.bench'),
  },
  store: {
    about: 'local store and search with 10,000 entries on fake-indexeddb (FIELDWISE_BENCH_ENTRIES to scale down)',
    load: () => import('./store.bench'),
  },
  import: {
    about: 'bulk apply of 10,000 and 50,000 pulled entries through the client vs raw Dexie bulkPuts, before and after issue 17 (FIELDWISE_BENCH_BEFORE_SRC, FIELDWISE_BENCH_ENTRIES)',
    load: () => import('./import.bench'),
  },
  sync: {
    about: 'sync bytes, round trips, EDGE link and hub load: 10,000 and 100,000 records on a loopback hub (FIELDWISE_BENCH_SCALE to scale down)',
    load: () => import('./sync.bench'),
  },
  push: {
    about: 'acknowledged records/s through /v1/push with validation in the worker pool against on the main thread, side by side (FIELDWISE_BENCH_ROUNDS, _CLIENTS, _PUSHES to scale)',
    load: () => import('./push.bench'),
  },
  renderer: {
    about: 'the built renderer in Chromium with 10,000 entries in IndexedDB: load to first rows, typing until saved, JS gzip, beside an empty Vite + React page (FIELDWISE_BENCH_ENTRIES to scale down)',
    load: () => import('./renderer.bench'),
  },
  freeze: {
    about: "the UI thread's longest task in Chromium while 10,000 records arrive from a real hub: a hub bundle imported from a file, a new device's initial sync (FIELDWISE_BENCH_ENTRIES to scale)",
    load: () => import('./rendererFreeze'),
  },
  media: {
    about: 'blob sync: wire bytes for 100 photos at each policy against their renditions, bytes re-sent per cut, text sync with 100 MB of media pending (FIELDWISE_BENCH_PHOTOS to scale down)',
    load: () => import('./media.bench'),
  },
  reports: {
    about: 'a 200-entry digest to PDF (Chromium) and a 10,000-row CSV: time and size, beside bare peers (FIELDWISE_BENCH_ENTRIES to scale the CSV down)',
    load: () => import('./reports.bench'),
  },
  'freeze-reports': {
    about: 'longest UI task opening Reports and exporting its CSV in Chromium with 10,000 entries, before and now (FIELDWISE_BENCH_BEFORE_DIST)',
    load: () => import('./rendererReports'),
  },
};

const [name, ...args] = process.argv.slice(2);
const benchmark = name === undefined ? undefined : benchmarks[name];

if (benchmark === undefined) {
  if (name !== undefined) console.error(`no benchmark named "${name}"`);
  console.log('usage: npm run bench -- <name>\n\navailable:');
  for (const [key, { about }] of Object.entries(benchmarks)) console.log(`  ${key.padEnd(8)} ${about}`);
  process.exitCode = name === undefined ? 0 : 1;
} else {
  await (await benchmark.load()).run(args);
}

// Makes this file a module, which top-level await needs.
export {};
