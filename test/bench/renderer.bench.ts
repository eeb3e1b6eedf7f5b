import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { BrowserProfile, CHROMIUM_PATH } from '../e2e/support/browserProfile';
import { FieldwisePage } from '../e2e/support/fieldwisePage';
import { ensureRendererBuilt } from '../e2e/support/rendererBuild';
import { rendererDist, serveStatic, type StaticServer } from '../e2e/support/staticServer';
import { startWebServer } from '../../build/webServer';
import { contentSecurityPolicy } from '../../renderer/vite.config';
import { machineLine, markdownTable, ms, percentile, ratio, writeSection } from './benchReport';
import { countStoredRecords, hasSavedSearchIndex } from './storedRecords';
import { startCpuProfile } from './cpuProfile';

/*
 * `npm run bench -- renderer`: the built renderer in Debian's Chromium (the end-to-end harness in
 * test/e2e/support), with 10,000 demo entries in its IndexedDB store, beside an empty Vite + React
 * page built here with the project's own vite, @vitejs/plugin-react and react, served and loaded
 * the same way:
 * (a) page load to the library's first screen of entries (to the empty page's first render):
 *     after a browser start, and reloads of a running browser;
 * (b) opening the library inside the app (from Settings) to its first rows (issue 4: 300 ms);
 * (c) a typed character until it is stored: the editor's "saved" (renderer/README.md: every change
 *     in the outbox and the record), against a bare React textarea that puts the text into
 *     IndexedDB and waits for the transaction to complete;
 * (d) JavaScript shipped, gzip.
 * Times are read inside the page (performance.now() from navigation start, a MutationObserver
 * installed before any page script), so the driver's round trips are not in them.
 */

const HEADING = '## renderer (issue 4)';
const DEFAULT_ENTRIES = 10_000;
/** The demo network's own records: 9 entries, 5 organizations, the network. */
const DEMO_RECORDS = 15;
const COLD_RUNS = 3;
const WARM_RUNS = 10;
const WARMUP = 2;
const OPEN_RUNS = 10;
const TYPE_SAMPLES = 60;
const TYPE_WARMUP = 5;
const OPEN_GOAL_MS = 300;
const TYPE_GOAL_MS = 30;
const STARTUP_GOAL_KB = 200;

const log = (message: string) => console.error(`[bench renderer] ${message}`);

/** FIELDWISE_BENCH_ONLY=typing: the typing rows alone, for iterating on them; docs/BENCHMARKS.md is left as it was. */
const isTypingOnly = process.env.FIELDWISE_BENCH_ONLY === 'typing';
const noLoadTimes: LoadTimes = { cold: [], warm: [], scriptsAtFirstRow: [] };

const root = join(import.meta.dirname, '..', '..');

function entryCount(): number {
  const raw = process.env.FIELDWISE_BENCH_ENTRIES;
  if (raw === undefined || raw === '') return DEFAULT_ENTRIES;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 100) throw new RangeError('FIELDWISE_BENCH_ENTRIES must be an integer of at least 100');
  return count;
}

// ---- the baseline page ------------------------------------------------------------------------

const BASELINE_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>baseline</title></head>
  <body><div id="root"></div><script type="module" src="./main.tsx"></script></body>
</html>
`;

/** An empty React page, plus the least a page can do to store typed text: one IndexedDB put per change. */
const BASELINE_MAIN = `import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

const opened = new Promise<IDBDatabase>((resolve, reject) => {
  const request = indexedDB.open('baseline', 1);
  request.onupgradeneeded = () => request.result.createObjectStore('texts');
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

async function put(text: string): Promise<void> {
  const db = await opened;
  await new Promise<void>((resolve, reject) => {
    const transaction = db.transaction('texts', 'readwrite');
    transaction.objectStore('texts').put(text, 'body');
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
  });
}

function App() {
  const [text, setText] = useState('');
  const [inFlight, setInFlight] = useState(0);
  return (
    <main>
      <h1 data-testid="baseline-ready">Empty page</h1>
      <textarea
        data-testid="baseline-input"
        value={text}
        onChange={(event) => {
          const value = event.currentTarget.value;
          setText(value);
          setInFlight((count) => count + 1);
          void put(value).finally(() => setInFlight((count) => count - 1));
        }}
      />
      <span data-testid="save-state" data-state={inFlight > 0 ? 'saving' : 'saved'} />
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
`;

async function buildBaseline(dir: string): Promise<string> {
  writeFileSync(join(dir, 'index.html'), BASELINE_HTML);
  writeFileSync(join(dir, 'main.tsx'), BASELINE_MAIN);
  await build({ root: dir, base: './', mode: 'production', configFile: false, logLevel: 'warn', plugins: [react()], build: { outDir: 'dist', target: 'es2022', emptyOutDir: true } });
  return join(dir, 'dist');
}

// ---- what the page measures itself ------------------------------------------------------------

/**
 * Installed before any page script: the time (ms from navigation start) the first entry row or the
 * baseline's heading appeared, and one sample per typed character from its `beforeinput` to the
 * next "saved". Plain JavaScript in a string: a function would be serialized after tsx's transform,
 * which adds helpers the page does not have.
 */
const PAGE_PROBE = `(() => {
  const probe = { firstRowMs: null, scriptsAtFirstRow: [], typeSamples: [], typedAt: null };
  window.__benchProbe = probe;
  const observer = new MutationObserver(() => {
    if (probe.firstRowMs === null && document.querySelector('[data-testid="entry-row"], [data-testid="baseline-ready"]')) {
      probe.firstRowMs = performance.now();
      probe.scriptsAtFirstRow = performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname).filter((path) => path.endsWith('.js'));
    }
    if (probe.typedAt !== null && document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved') {
      probe.typeSamples.push(performance.now() - probe.typedAt);
      probe.typedAt = null;
    }
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  document.addEventListener('beforeinput', () => { probe.typedAt = performance.now(); }, true);
})();`;

interface Probe {
  readonly firstRowMs: number | null;
  /** Paths of the scripts the page had fetched when its first row appeared (workers included). */
  readonly scriptsAtFirstRow: string[];
  readonly typeSamples: number[];
}

const readProbe = (page: Page) => page.evaluate(() => (window as unknown as { __benchProbe: Probe }).__benchProbe);

async function firstRowMs(page: Page): Promise<number> {
  await page.waitForFunction(() => (window as unknown as { __benchProbe?: Probe }).__benchProbe?.firstRowMs != null, undefined, { timeout: 60_000 });
  return (await readProbe(page)).firstRowMs!;
}

async function withProbe(profile: BrowserProfile, appUrl: string): Promise<{ page: Page; context: BrowserContext }> {
  const page = await profile.launch({ appUrl });
  await profile.context.addInitScript({ content: PAGE_PROBE });
  return { page, context: profile.context };
}

// ---- measures ---------------------------------------------------------------------------------

interface LoadTimes {
  readonly cold: number[];
  readonly warm: number[];
  /** What the page had fetched by its first rows, after the last browser start. */
  readonly scriptsAtFirstRow: readonly string[];
}

/** Page load to first rows: `COLD_RUNS` browser starts, then `WARM_RUNS` reloads of one browser. */
async function loadTimes(profile: BrowserProfile, server: StaticServer, hash: string): Promise<LoadTimes> {
  const cold: number[] = [];
  let scriptsAtFirstRow: readonly string[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    const { page } = await withProbe(profile, server.url);
    await page.goto(`${server.url}${hash}`);
    cold.push(await firstRowMs(page));
    scriptsAtFirstRow = (await readProbe(page)).scriptsAtFirstRow;
    await profile.close();
  }
  const warm: number[] = [];
  const { page } = await withProbe(profile, server.url);
  await page.goto(`${server.url}${hash}`);
  await firstRowMs(page);
  for (let run = 0; run < WARMUP + WARM_RUNS; run++) {
    // A reload, not a goto: going to the same address with a #hash would not load the page again.
    await page.reload();
    const sample = await firstRowMs(page);
    if (run >= WARMUP) warm.push(sample);
  }
  await profile.close();
  return { cold, warm, scriptsAtFirstRow };
}

/** Opening the library from Settings inside the running app, to its first rows. */
async function openLibraryTimes(page: Page): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < WARMUP + OPEN_RUNS; run++) {
    await page.evaluate(() => {
      window.location.hash = '#/settings';
    });
    await page.waitForSelector('[data-testid="settings-device-name"]');
    const sample = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const started = performance.now();
          const observer = new MutationObserver(() => {
            if (!document.querySelector('[data-testid="entry-row"]')) return;
            observer.disconnect();
            resolve(performance.now() - started);
          });
          observer.observe(document.body, { subtree: true, childList: true });
          window.location.hash = '#/library';
        }),
    );
    if (run >= WARMUP) samples.push(sample);
  }
  return samples;
}

/** One character at a time into `target`, each time until the page says "saved". */
async function typingTimes(page: Page, target: string): Promise<number[]> {
  const text = '屋顶集雨浇灌菜园 rain tank 水窖 ';
  await page.locator(target).click();
  await page.keyboard.press('Control+End');
  for (let index = 0; index < TYPE_WARMUP + TYPE_SAMPLES; index++) {
    const before = (await readProbe(page)).typeSamples.length;
    await page.keyboard.type(text[index % text.length]!);
    await page.waitForFunction((count) => (window as unknown as { __benchProbe: Probe }).__benchProbe.typeSamples.length > count, before, { timeout: 10_000 });
  }
  return (await readProbe(page)).typeSamples.slice(TYPE_WARMUP);
}

interface ScriptSizes {
  readonly all: number;
  readonly allFiles: number;
  readonly startup: number;
  readonly startupFiles: number;
  readonly css: number;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const gzipBytes = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

/** gzip -9 of the dist files behind the script paths a page fetched (served from the dist's root). */
function fetchedScriptBytes(dist: string, paths: readonly string[]): FetchedScripts {
  const files = [...new Set(paths)].map((path) => join(dist, path.replace(/^\/+/, ''))).filter((file) => existsSync(file));
  const isWorker = (file: string) => /worker/i.test(file.split('/').pop() ?? '');
  const sum = (list: readonly string[]) => list.reduce((total, file) => total + gzipBytes(file), 0);
  return { bytes: sum(files.filter((file) => !isWorker(file))), files: files.filter((file) => !isWorker(file)).length, workerBytes: sum(files.filter(isWorker)) };
}

interface FetchedScripts {
  /** The page's own scripts (the UI thread parses and runs these before its first rows). */
  readonly bytes: number;
  readonly files: number;
  /** Worker scripts fetched by then (the search worker), compiled off the UI thread. */
  readonly workerBytes: number;
}

/** gzip -9 of dist/**\/*.js; "startup" is what index.html loads (its script and modulepreloads). */
function scriptSizes(dist: string): ScriptSizes {
  const files = filesUnder(dist);
  const scripts = files.filter((file) => file.endsWith('.js'));
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const startup = scripts.filter((file) => html.includes(relative(dist, file)));
  const sum = (list: readonly string[]) => list.reduce((total, file) => total + gzipBytes(file), 0);
  return { all: sum(scripts), allFiles: scripts.length, startup: sum(startup), startupFiles: startup.length, css: sum(files.filter((file) => file.endsWith('.css'))) };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const latency = (samples: readonly number[]) => `p50 ${ms(percentile(samples, 50))} / p95 ${ms(percentile(samples, 95))} ms`;

// ---- the run ----------------------------------------------------------------------------------

interface BuildResult {
  readonly load: LoadTimes;
  readonly openMs: readonly number[];
  readonly typing: readonly number[];
  readonly sizes: ScriptSizes;
  readonly fetched: FetchedScripts;
}

/** Every measure of one build of the app, on the seeded profile, served at `server`. */
async function measureBuild(profile: BrowserProfile, server: StaticServer, dist: string, label: string): Promise<BuildResult> {
  log(`${label}: page load to first rows`);
  const load = isTypingOnly ? noLoadTimes : await loadTimes(profile, server, '#/library');
  log(`${label}: opening the library in the app, and typing`);
  const app = new FieldwisePage((await withProbe(profile, server.url)).page);
  await app.open(server.url, '#/library');
  await app.byTestId('entry-row').first().waitFor();
  const openMs = isTypingOnly ? [] : await openLibraryTimes(app.page);
  await app.goTo('#/library');
  await app.newEntry();
  const stopProfile = await startCpuProfile(app.page, `typing-${label.replace(/\W+/g, '-')}`);
  const typing = await typingTimes(app.page, '[data-testid="editor-body"] .ProseMirror');
  await stopProfile();
  await profile.close();
  return { load, openMs, typing, sizes: scriptSizes(dist), fetched: fetchedScriptBytes(dist, load.scriptsAtFirstRow) };
}

/** The 1-minute load average: times on a machine others share are only comparable within one run. */
const loadLine = () => loadavg()[0]!.toFixed(1);

export async function run(): Promise<void> {
  const startedAt = performance.now();
  const loadAtStart = loadLine();
  const count = entryCount();
  const beforeDist = process.env.FIELDWISE_BENCH_BEFORE_DIST || null;
  if (beforeDist !== null && !existsSync(join(beforeDist, 'index.html'))) throw new Error(`FIELDWISE_BENCH_BEFORE_DIST=${beforeDist} holds no built renderer (index.html)`);
  const rows: string[][] = [];
  const add = (measure: string, ours: string, baseline = '—', ratioText = '—') => rows.push([measure, ours, baseline, ratioText]);

  log('building the renderer (if stale) and the empty Vite + React page');
  ensureRendererBuilt();
  mkdirSync(join(root, '.cache'), { recursive: true });
  const baselineDir = mkdtempSync(join(root, '.cache', 'renderer-bench-baseline-'));
  const fieldwiseProfile = new BrowserProfile('bench-fieldwise');
  const baselineProfile = new BrowserProfile('bench-baseline');
  const servers: StaticServer[] = [];
  try {
    const baselineDist = await buildBaseline(baselineDir);
    const [fieldwise, baseline] = await Promise.all([serveStatic(rendererDist), serveStatic(baselineDist)]);
    servers.push(fieldwise, baseline);
    const chromiumVersion = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

    log(`seeding ${count} demo entries through the UI (?demo-entries=${count})`);
    const seeding = new FieldwisePage(await fieldwiseProfile.launch({ appUrl: fieldwise.url }));
    const seedStarted = performance.now();
    await seeding.open(fieldwise.url, `?demo-entries=${count}`);
    await seeding.byTestId('demo-button').click();
    await seeding.byTestId('entry-row').first().waitFor();
    for (;;) {
      const stored = await countStoredRecords(seeding.page);
      if (stored >= count + DEMO_RECORDS) break;
      if (performance.now() - seedStarted > 600_000) throw new Error(`seeding stalled at ${stored} records`);
      await seeding.page.waitForTimeout(500);
    }
    const seedS = (performance.now() - seedStarted) / 1000;
    const storedRecords = await countStoredRecords(seeding.page);
    // Closed, so every measure starts from a browser that reads the store from disk.
    await fieldwiseProfile.close();
    // One start that builds and saves the search index, so the first build measured does not pay
    // for it in the background (the index is built in its worker on the first start after seeding).
    log('one start to build and save the search index');
    const warming = new FieldwisePage(await fieldwiseProfile.launch({ appUrl: fieldwise.url }));
    await warming.open(fieldwise.url, '#/library');
    await warming.byTestId('entry-row').first().waitFor();
    await warming.byTestId('search-input').fill('water');
    await warming.page.waitForFunction(() => document.querySelector('[data-testid="entry-list"]')?.getAttribute('aria-busy') === 'false' && /\d/.test(document.querySelector('[data-testid="result-count"]')?.textContent ?? ''), undefined, { timeout: 600_000 });
    // Until it is saved: closed before, every later start builds it again, and that build's reads of
    // every entry row ran on the page's thread during the measures (the typing ones among them).
    while (!(await hasSavedSearchIndex(warming.page))) {
      if (performance.now() - seedStarted > 900_000) throw new Error('the search index was never saved');
      await warming.page.waitForTimeout(500);
    }
    await warming.page.waitForTimeout(5_000);
    await fieldwiseProfile.close();

    const ours = await measureBuild(fieldwiseProfile, fieldwise, rendererDist, 'this build');
    // The build before issue 17's startup work on the same port, so the same origin and store.
    let before: BuildResult | null = null;
    if (beforeDist !== null) {
      const port = Number(new URL(fieldwise.url).port);
      await fieldwise.close();
      servers.splice(servers.indexOf(fieldwise), 1);
      const beforeServer = await startWebServer({ root: beforeDist, csp: contentSecurityPolicy, port });
      servers.push(beforeServer);
      before = await measureBuild(fieldwiseProfile, beforeServer, beforeDist, 'before');
    }
    log('the empty page');
    const bareLoad = isTypingOnly ? noLoadTimes : await loadTimes(baselineProfile, baseline, '');
    const bareTyping = await (async () => {
      const { page } = await withProbe(baselineProfile, baseline.url);
      await page.goto(baseline.url);
      await page.locator('[data-testid="baseline-input"]').waitFor();
      const samples = await typingTimes(page, '[data-testid="baseline-input"]');
      await baselineProfile.close();
      return samples;
    })();
    const bareSize = scriptSizes(baselineDist);

    const builds: { readonly name: string; readonly result: BuildResult }[] = [...(before ? [{ name: 'before', result: before }] : []), { name: before ? 'now' : '', result: ours }];
    const named = (name: string, measure: string) => (name ? `${name}: ${measure}` : measure);
    for (const { name, result } of builds) {
      add(
        named(name, `page load to the library's first screen of entries (${storedRecords} records in the store) vs the empty page's first render: after a browser start, ${COLD_RUNS} runs`),
        latency(result.load.cold),
        latency(bareLoad.cold),
        `${ratio(percentile(result.load.cold, 50), percentile(bareLoad.cold, 50))} (p50)`,
      );
    }
    for (const { name, result } of builds) {
      add(
        named(name, `… reloading a running browser, ${WARM_RUNS} runs`),
        latency(result.load.warm),
        latency(bareLoad.warm),
        `${ratio(percentile(result.load.warm, 50), percentile(bareLoad.warm, 50))} (p50), ${ratio(percentile(result.load.warm, 95), percentile(bareLoad.warm, 95))} (p95)`,
      );
    }
    for (const { name, result } of builds) {
      add(
        named(name, `open the library from Settings, to its first rows, ${OPEN_RUNS} runs (issue 4: within ${OPEN_GOAL_MS} ms)`),
        latency(result.openMs),
        '—',
        percentile(result.openMs, 95) <= OPEN_GOAL_MS ? 'goal met (p95)' : `goal not met (p95 ${ms(percentile(result.openMs, 95))} ms)`,
      );
    }
    for (const { name, result } of builds) {
      add(
        named(name, `type a character in the editor's rich text until "saved" vs a React textarea's IndexedDB put, ${TYPE_SAMPLES} characters (issue 17: p95 ≤ ${TYPE_GOAL_MS} ms)`),
        latency(result.typing),
        latency(bareTyping),
        `${ratio(percentile(result.typing, 50), percentile(bareTyping, 50))} (p50), ${ratio(percentile(result.typing, 95), percentile(bareTyping, 95))} (p95); ${percentile(result.typing, 95) <= TYPE_GOAL_MS ? 'goal met' : 'goal not met'}`,
      );
    }
    for (const { name, result } of builds) {
      add(named(name, `JavaScript, gzip -9: all of the dist (${result.sizes.allFiles} files) vs the empty page (${bareSize.allFiles})`), kb(result.sizes.all), kb(bareSize.all), ratio(result.sizes.all, bareSize.all));
    }
    for (const { name, result } of builds) {
      add(named(name, `… in index.html (its ${result.sizes.startupFiles} scripts and modulepreloads)`), kb(result.sizes.startup), kb(bareSize.startup), ratio(result.sizes.startup, bareSize.startup));
    }
    const bareFetched = fetchedScriptBytes(baselineDist, bareLoad.scriptsAtFirstRow);
    for (const { name, result } of builds) {
      add(
        named(name, `… fetched by the page before its first rows (${result.fetched.files} scripts: index.html's and the language's catalog; issue 17: ≤ ${STARTUP_GOAL_KB} KB); the search worker's script beside it`),
        `${kb(result.fetched.bytes)}; worker ${kb(result.fetched.workerBytes)}`,
        kb(bareFetched.bytes),
        `${ratio(result.fetched.bytes, bareFetched.bytes)}; ${result.fetched.bytes <= STARTUP_GOAL_KB * 1024 ? 'goal met' : 'goal not met'}`,
      );
    }
    for (const { name, result } of builds) add(named(name, 'CSS, gzip -9 (for scale)'), kb(result.sizes.css), bareSize.css > 0 ? kb(bareSize.css) : 'none', '—');

    const runtimeS = (performance.now() - startedAt) / 1000;
    const scaled = count === DEFAULT_ENTRIES ? '' : `FIELDWISE_BENCH_ENTRIES=${count} `;
    const command = beforeDist ? `${scaled}FIELDWISE_BENCH_BEFORE_DIST=<renderer/dist built from the commit before> npm run bench -- renderer` : `${scaled}npm run bench -- renderer`;
    const body = [
      `- Command: \`${command}\`${beforeDist ? ' (the before build: `git archive <commit> | tar -x -C /tmp/before`, link node_modules, `npx vite build --config renderer/vite.config.ts` there)' : ''}`,
      `- Browser and storage: ${chromiumVersion} (Debian's \`chromium\`, headless, driven by playwright-core with the end-to-end flags), on a profile folder on disk; the store is Chromium's IndexedDB through RxDB's Dexie storage, as in the app`,
      `- Machine: ${machineLine()}; 1-minute load average ${loadAtStart} at the start, ${loadLine()} at the end (above the core count, other work shared the machine: compare ratios within this run)`,
      `- Date: ${new Date().toISOString().slice(0, 10)}; whole run ${runtimeS.toFixed(0)} s (seeding ${seedS.toFixed(0)} s)`,
      `- Data: the demo network plus ${count} generated entries (\`?demo-entries=${count}\`, renderer/demo/demoNetwork.ts; half Chinese, half English), ${storedRecords} records in the store${before ? '; both builds on one port in turn, so one origin and one store' : ''}`,
      '- Baseline: an empty Vite + React page (one component; for typing, a textarea that puts its text into IndexedDB on every change) built in this run with the project\'s vite, @vitejs/plugin-react and react, served by the same static server (test/e2e/support/staticServer.ts, with the app\'s CSP) and loaded the same way',
      '',
      markdownTable(['Measure', 'Fieldwise', 'Baseline', 'Fieldwise / baseline'], isTypingOnly ? rows.filter(([measure]) => measure!.includes('type a character')) : rows),
      '',
      'How to read it: times are measured inside the page (from navigation start, or from the typed',
      "character's `beforeinput`, to the DOM showing the result) by a script installed before the page's",
      "own; ratios are Fieldwise over the baseline in the same run (above 1 is slower). \"Saved\" is the",
      "editor's `save-state`: the change is durable (for rich text: in the outbox, which the store folds",
      'into the record on open; the row itself follows when the typing pauses). "Fetched by the first',
      'rows" is every script the page had requested when its first entry row appeared (Resource Timing).',
    ].join('\n');

    console.log(`\n${HEADING}\n\n${body}\n`);
    if (count === DEFAULT_ENTRIES && !isTypingOnly) {
      await writeSection(HEADING, body);
      log('wrote docs/BENCHMARKS.md');
    } else {
      log(`${isTypingOnly ? 'typing-only' : `scaled-down (${count} entries)`} run: docs/BENCHMARKS.md left as it was`);
    }
  } finally {
    await Promise.all([fieldwiseProfile.dispose(), baselineProfile.dispose()]);
    await Promise.all(servers.map((server) => server.close()));
    rmSync(baselineDir, { recursive: true, force: true });
  }
}
