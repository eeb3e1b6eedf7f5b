import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startWebServer, type WebServer } from '../../build/webServer';
import { contentSecurityPolicy } from '../../renderer/vite.config';
import { BrowserProfile } from '../e2e/support/browserProfile';
import { FieldwisePage } from '../e2e/support/fieldwisePage';
import { ensureRendererBuilt } from '../e2e/support/rendererBuild';
import { rendererDist } from '../e2e/support/staticServer';
import { machineLine, markdownTable, ms, writeSection } from './benchReport';
import { countStoredRecords } from './storedRecords';
import { startCpuProfile } from './cpuProfile';

/*
 * `npm run bench -- search`: the first search after a cold start, in Chromium on the app's real
 * IndexedDB store with 10,000 demo entries. Side by side in one run, on one profile and one origin
 * (so one store): a build of the renderer before issue 17 (FIELDWISE_BENCH_BEFORE_DIST, a
 * renderer/dist built from the commit before it) and this one. Each cold start launches the
 * browser on the profile, waits for the library's first rows, types a query into the search box
 * and waits for its results; the page records (before any page script runs) the time from the
 * typed input to the result count showing, and every long task (PerformanceObserver 'longtask').
 * The query arrives whole (Playwright's fill: one input event, as a paste or a word committed by an
 * input method), which this build searches at once (renderer/library/searchTiming.ts); builds before
 * 2026-12-08 waited for a pause first (150 ms; before 2026-12-07, 200 + 150 ms). The query is then
 * also typed key by key, KEY_GAP_MS apart, timed from its last key: that one waits for the pause in
 * every build. FIELDWISE_BENCH_BEFORE_LABEL names the before build in the table when it is not the
 * build before issue 17.
 */

const HEADING = '## search (issue 17)';
const DEFAULT_ENTRIES = 10_000;
const DEMO_RECORDS = 15;
const QUERY = 'water';
const SECOND_QUERY = '灌溉';
const RUNS = 2;
/** The pause after a keystroke before searching, in this build (the build before issue 17 waited 350 ms). */
const DEBOUNCE_MS = 150;
/** The time between keys when the query is typed key by key (a quick typist's). */
const KEY_GAP_MS = 100;
const BEFORE_LABEL = process.env.FIELDWISE_BENCH_BEFORE_LABEL || 'before issue 17 (index built on the UI thread at first search)';
/** Time after the results to keep watching for long tasks (the index's first save falls in it). */
const AFTER_MS = 8_000;

const log = (message: string) => console.error(`[bench search] ${message}`);
/** How long one step may take: a first search may build the index, which grows with the entries. */
const STEP_TIMEOUT_MS = Math.max(120_000, Number(process.env.FIELDWISE_BENCH_ENTRIES || DEFAULT_ENTRIES) * 30);

const PAGE_PROBE = `(() => {
  const probe = { firstRowMs: null, tasks: [], typedAt: null, sawBusy: false, expected: null, resultsMs: null, resultText: null };
  window.__searchProbe = probe;
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) probe.tasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  } catch {}
  const check = () => {
    if (probe.firstRowMs === null && document.querySelector('[data-testid="entry-row"]')) probe.firstRowMs = performance.now();
    if (probe.typedAt !== null && probe.resultsMs === null) {
      // The results are shown: the list was busy after the input and is no more, or, where the
      // count to expect is known, the list shows it. (A changed count is no sign: under load a
      // search for "wate", between two keys, finds what "water" does, and the count stays.)
      const busy = document.querySelector('[data-testid="entry-list"]')?.getAttribute('aria-busy');
      const count = document.querySelector('[data-testid="result-count"]')?.textContent ?? '';
      if (busy === 'true') probe.sawBusy = true;
      const isShown = busy === 'false' && (probe.expected === null ? probe.sawBusy : count === probe.expected);
      if (isShown) { probe.resultsMs = performance.now(); probe.resultText = count; }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-busy'] });
  document.addEventListener('input', (event) => {
    if (event.target?.getAttribute?.('data-testid') !== 'search-input') return;
    probe.typedAt = performance.now();
    probe.resultsMs = null;
    probe.sawBusy = false;
  }, true);
})();`;

interface Probe {
  readonly firstRowMs: number | null;
  readonly tasks: [number, number][];
  readonly typedAt: number | null;
  readonly resultsMs: number | null;
  readonly resultText: string | null;
}

const readProbe = (page: Page) => page.evaluate(() => (window as unknown as { __searchProbe: Probe }).__searchProbe);

interface ColdRun {
  readonly firstRowMs: number;
  readonly toResultsMs: number;
  readonly resultText: string;
  /** Longest task: navigation start to first rows, typed to results, and in the AFTER_MS after the results. */
  readonly longestToFirstRowsMs: number;
  readonly longestTypedToResultsMs: number;
  readonly longestAfterMs: number;
  /** A second query typed once everything settled: typed to results. */
  readonly secondToResultsMs: number;
  /** The first query again, typed key by key: its last key to results. */
  readonly keyByKeyToResultsMs: number;
}

/** The longest task running at any time between `from` and `to` (a task that began before `from` counts). */
function longestOverlapping(tasks: readonly [number, number][], from: number, to: number): number {
  return Math.max(0, ...tasks.filter(([start, duration]) => start < to && start + duration > from).map(([, duration]) => duration));
}

/** Fills the box with `text` at once, or types it key by key; waits for the results (`expected`: their count's text, where known). */
async function search(page: Page, text: string, how: 'whole' | 'key by key' = 'whole', expected: string | null = null): Promise<Probe> {
  await page.evaluate((count) => void ((window as unknown as { __searchProbe: { expected: string | null } }).__searchProbe.expected = count), expected);
  const box = page.locator('[data-testid="search-input"]');
  if (how === 'whole') await box.fill(text);
  else await box.pressSequentially(text, { delay: KEY_GAP_MS });
  await page.waitForFunction(() => (window as unknown as { __searchProbe: Probe }).__searchProbe.resultsMs !== null, undefined, { timeout: STEP_TIMEOUT_MS, polling: 50 });
  return readProbe(page);
}

async function coldRun(profile: BrowserProfile, server: WebServer): Promise<ColdRun> {
  const page = await profile.launch({ appUrl: server.url });
  await profile.context.addInitScript({ content: PAGE_PROBE });
  await page.goto(`${server.url}#/library`);
  await page.waitForFunction(() => (window as unknown as { __searchProbe?: Probe }).__searchProbe?.firstRowMs != null, undefined, { timeout: STEP_TIMEOUT_MS });
  const stopProfile = await startCpuProfile(page, 'search-first');
  const first = await search(page, QUERY);
  await stopProfile();
  await page.waitForTimeout(AFTER_MS);
  const settled = await readProbe(page);
  const longest = (from: number, to: number) => Math.max(0, ...settled.tasks.filter(([start]) => start >= from && start < to).map(([, duration]) => duration));
  await page.locator('[data-testid="search-input"]').fill('');
  await page.waitForTimeout(500);
  const second = await search(page, SECOND_QUERY);
  await page.locator('[data-testid="search-input"]').fill('');
  await page.waitForTimeout(500);
  const keyByKey = await search(page, QUERY, 'key by key', first.resultText);
  await profile.close();
  return {
    firstRowMs: first.firstRowMs!,
    toResultsMs: first.resultsMs! - first.typedAt!,
    resultText: first.resultText ?? '',
    longestToFirstRowsMs: longest(0, first.firstRowMs!),
    longestTypedToResultsMs: longestOverlapping(settled.tasks, first.typedAt!, first.resultsMs!),
    longestAfterMs: longest(first.resultsMs!, first.resultsMs! + AFTER_MS),
    secondToResultsMs: second.resultsMs! - second.typedAt!,
    keyByKeyToResultsMs: keyByKey.resultsMs! - keyByKey.typedAt!,
  };
}

export async function run(): Promise<void> {
  const startedAt = performance.now();
  const loadAtStart = loadavg()[0]!;
  const count = Number(process.env.FIELDWISE_BENCH_ENTRIES || DEFAULT_ENTRIES);
  const beforeDist = process.env.FIELDWISE_BENCH_BEFORE_DIST;
  if (!beforeDist || !existsSync(join(beforeDist, 'index.html'))) {
    throw new Error('set FIELDWISE_BENCH_BEFORE_DIST to a renderer/dist built from the commit before issue 17 (see docs/BENCHMARKS.md)');
  }
  ensureRendererBuilt();
  const profile = new BrowserProfile('bench-search');
  // Both builds on one port in turn: one origin, so one IndexedDB store seeded once.
  let server = await startWebServer({ root: beforeDist, csp: contentSecurityPolicy });
  const port = Number(new URL(server.url).port);
  const results: { label: string; run: ColdRun }[] = [];
  try {
    log(`seeding ${count} demo entries with the build before`);
    const seeding = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await seeding.open(server.url, `?demo-entries=${count}`);
    await seeding.byTestId('demo-button').click();
    await seeding.byTestId('entry-row').first().waitFor();
    const seedStarted = performance.now();
    while ((await countStoredRecords(seeding.page)) < count + DEMO_RECORDS) {
      if (performance.now() - seedStarted > 900_000) throw new Error('seeding stalled');
      await seeding.page.waitForTimeout(500);
    }
    await profile.close();

    for (let i = 0; i < RUNS; i++) {
      log(`before: cold start ${i + 1}`);
      results.push({ label: `before: ${BEFORE_LABEL}, cold start ${i + 1}`, run: await coldRun(profile, server) });
    }
    await server.close();
    server = await startWebServer({ root: rendererDist, csp: contentSecurityPolicy, port });
    log('this build: first cold start (no saved index yet: built in the worker, then saved)');
    results.push({ label: 'this build, first start (the index built in the search worker and saved, unless the build before saved one in the same format)', run: await coldRun(profile, server) });
    for (let i = 0; i < RUNS; i++) {
      log(`this build: cold start ${i + 1} with the saved index`);
      results.push({ label: `this build, saved index loaded in the search worker, cold start ${i + 1}`, run: await coldRun(profile, server) });
    }
  } finally {
    await profile.dispose();
    await server.close();
  }

  const before = results.filter((r) => r.label.startsWith('before')).map((r) => r.run.toResultsMs);
  const beforeMedian = before.sort((a, b) => a - b)[Math.floor((before.length - 1) / 2)]!;
  const table = markdownTable(
    ['Cold start', 'first rows (ms from navigation)', `"${QUERY}" filled in whole to results`, 'results / before', 'longest UI task, navigation to first rows', 'longest UI task, filled to results', `longest UI task in the ${AFTER_MS / 1000} s after`, `then "${SECOND_QUERY}" filled in to results`, `then "${QUERY}" typed key by key (${KEY_GAP_MS} ms apart), last key to results (incl. the pause: ${DEBOUNCE_MS} ms in this build)`],
    results.map(({ label, run: r }) => [
      label,
      ms(r.firstRowMs),
      `${ms(r.toResultsMs)} ms (${r.resultText})`,
      `${(r.toResultsMs / beforeMedian).toFixed(2)}x`,
      `${ms(r.longestToFirstRowsMs)} ms`,
      `${ms(r.longestTypedToResultsMs)} ms`,
      `${ms(r.longestAfterMs)} ms`,
      `${ms(r.secondToResultsMs)} ms`,
      `${ms(r.keyByKeyToResultsMs)} ms`,
    ]),
  );
  const runtimeS = (performance.now() - startedAt) / 1000;
  const body = [
    '- Command: `FIELDWISE_BENCH_BEFORE_DIST=<dist built from the commit before issue 17> npm run bench -- search` (e.g. `git archive 0ab1cd6 | tar -x -C /tmp/before`, link node_modules, `vite build --config renderer/vite.config.ts` there)',
    `- Machine: ${machineLine()}; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (others may share the machine: compare rows within this run)`,
    `- Date: ${new Date().toISOString().slice(0, 10)}; whole run ${runtimeS.toFixed(0)} s`,
    `- Data: the demo network plus ${count} generated entries (\`?demo-entries=${count}\`, half Chinese, half English), seeded once; both builds use the same profile and origin, so the same IndexedDB store`,
    '',
    table,
    '',
    'How to read it: each row is one browser start on the profile. "Longest UI task" is the longest',
    "main-thread task Chromium reported (PerformanceObserver 'longtask', 50 ms and more; 0 when none).",
    'A query filled in whole (one input event, as a paste or a committed Chinese word) is searched at',
    `once by this build; typed key by key, it is searched once typing pauses ${DEBOUNCE_MS} ms (the build`,
    'before issue 17 waited 200 + 150 ms either way), so those show the pause plus the work.',
  ].join('\n');
  console.log(`\n${HEADING}\n\n${body}\n`);
  if (count === DEFAULT_ENTRIES) await writeSection(HEADING, body);
}
