import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { startWebServer, type WebServer } from '../../build/webServer';
import { contentSecurityPolicy } from '../../renderer/vite.config';
import { BrowserProfile, CHROMIUM_PATH } from '../e2e/support/browserProfile';
import { FieldwisePage } from '../e2e/support/fieldwisePage';
import { ensureRendererBuilt } from '../e2e/support/rendererBuild';
import { rendererDist } from '../e2e/support/staticServer';
import { machineLine, markdownTable, ms, writeSection } from './benchReport';
import { startCpuProfile } from './cpuProfile';
import { countStoredRecords } from './storedRecords';

/*
 * `npm run bench -- freeze-reports`: how long the Reports screen holds the UI thread (issue 17:
 * no task past the RAIL budget of 50 ms), in Chromium on the app's real IndexedDB store with the
 * demo network and 10,000 generated entries. Side by side in one run, on one profile and one
 * origin (so one store): renderers built before this work (FIELDWISE_BENCH_BEFORE_DIST) and this
 * one. Each run starts the browser, lets the library settle, then (a) opens Reports from inside the
 * app and waits for the digest's preview, (b) exports the CSV and waits for the downloaded file,
 * which is parsed back and must hold the screen's row count. The page records every long task
 * (PerformanceObserver 'longtask', installed before any page script) and the times itself.
 */

const HEADING = '## renderer: Reports freeze (issue 17)';
const DEFAULT_ENTRIES = 10_000;
/** The demo network's own records before the generated entries (as renderer.bench.ts counts them). */
const DEMO_RECORDS = 15;
/** Browser starts per build (FIELDWISE_BENCH_RUNS): the machine is shared, so one start says little. */
const RUNS = Number(process.env.FIELDWISE_BENCH_RUNS ?? 3);
/** Quiet time after the library's first rows before Reports is opened (its own startup is not measured here). */
const SETTLE_BEFORE_MS = 4_000;
/** Time after the preview shows, or the file is written, in which long tasks still count (work that trails it). */
const TRAIL_MS = 3_000;
const RAIL_BUDGET_MS = 50;

const log = (message: string) => console.error(`[bench freeze-reports] ${message}`);

/**
 * Plain JavaScript in a string (a function would be serialized after tsx's transform). The preview
 * draws into a shadow root, which a document-wide MutationObserver does not see: attachShadow is
 * wrapped so the same observer watches each shadow root too.
 */
const PAGE_PROBE = `(() => {
  const probe = { tasks: [], openedAt: null, previewAt: null, lastPreviewChangeAt: null, exportAt: null, exportedAt: null };
  window.__reportsProbe = probe;
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) probe.tasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  } catch {}
  const check = (mutations) => {
    const now = performance.now();
    if (probe.openedAt !== null && mutations.some((m) => m.target.getRootNode() instanceof ShadowRoot || m.target instanceof ShadowRoot)) probe.lastPreviewChangeAt = now;
    if (probe.openedAt !== null && probe.previewAt === null) {
      const host = document.querySelector('[data-testid="report-preview"]');
      if (host && host.shadowRoot && host.shadowRoot.querySelector('main') && document.querySelector('[data-testid="report-row-count"]')) probe.previewAt = now;
    }
    if (probe.exportAt !== null && probe.exportedAt === null && document.querySelector('[data-testid="report-status"]')) probe.exportedAt = now;
  };
  const observer = new MutationObserver(check);
  const watch = { subtree: true, childList: true, characterData: true, attributes: true };
  observer.observe(document, watch);
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) { const root = attachShadow.call(this, init); observer.observe(root, watch); return root; };
  document.addEventListener('click', (event) => {
    if (event.target && event.target.closest && event.target.closest('[data-testid="report-export-csv"]')) { probe.exportAt = performance.now(); probe.exportedAt = null; }
  }, true);
})();`;

interface Probe {
  readonly tasks: [number, number][];
  readonly openedAt: number | null;
  readonly previewAt: number | null;
  readonly lastPreviewChangeAt: number | null;
  readonly exportAt: number | null;
  readonly exportedAt: number | null;
}

const readProbe = (page: Page) => page.evaluate(() => (window as unknown as { __reportsProbe: Probe }).__reportsProbe);

/** The tasks running at any time between `from` and `to` (a task that began before `from` counts). */
function tasksOverlapping(tasks: readonly [number, number][], from: number, to: number): number[] {
  return tasks.filter(([start, duration]) => start < to && start + duration > from).map(([, duration]) => duration);
}

export interface FreezeWindow {
  /** Longest UI task in the window (0 when none reached 50 ms: 'longtask' reports only those). */
  readonly longestTaskMs: number;
  readonly tasksOverBudget: number;
  /** Sum of the long tasks' durations in the window. */
  readonly blockedMs: number;
}

export interface ReportsFreeze {
  /** (a) Reports opened from inside the app until the preview shows; its window runs TRAIL_MS past that. */
  readonly open: FreezeWindow & { readonly toPreviewMs: number; readonly toPreviewSettledMs: number };
  /** (b) The CSV export clicked until the file is downloaded in full; its window runs TRAIL_MS past that. */
  readonly csv: FreezeWindow & { readonly toStatusMs: number; readonly toFileMs: number; readonly rows: number; readonly bytes: number };
  /** The rows the screen says the report holds. */
  readonly reportRows: number;
}

function freezeWindow(tasks: readonly [number, number][], from: number, to: number): FreezeWindow {
  const durations = tasksOverlapping(tasks, from, to);
  return {
    longestTaskMs: Math.max(0, ...durations),
    tasksOverBudget: durations.filter((duration) => duration >= RAIL_BUDGET_MS).length,
    blockedMs: durations.reduce((sum, duration) => sum + duration, 0),
  };
}

/**
 * One browser start on `profile` (seeded already), the app served at `appUrl`: opens the library,
 * lets it settle, opens Reports (the digest, its default) and exports it to CSV.
 */
export async function measureReportsFreeze(profile: BrowserProfile, appUrl: string): Promise<ReportsFreeze> {
  const page = await profile.launch({ appUrl });
  await profile.context.addInitScript({ content: PAGE_PROBE });
  const app = new FieldwisePage(page);
  await app.open(appUrl, '#/library');
  await app.byTestId('entry-row').first().waitFor({ timeout: 120_000 });
  await page.waitForTimeout(SETTLE_BEFORE_MS);

  // (a) Opening Reports the way the app's navigation does, timed inside the page.
  const stopOpenProfile = await startCpuProfile(page, 'reports-open');
  const calibrateAt = process.env.FIELDWISE_BENCH_PROFILE ? await page.evaluate(`(function __fwCalibrate() { const t = performance.now(); while (performance.now() - t < 5) {} return t; })()`) : 0;
  await page.evaluate(() => {
    (window as unknown as { __reportsProbe: { openedAt: number | null } }).__reportsProbe.openedAt = performance.now();
    window.location.hash = '#/reports';
  });
  await page.waitForFunction(() => (window as unknown as { __reportsProbe: Probe }).__reportsProbe.previewAt !== null, undefined, { timeout: 300_000, polling: 100 });
  await page.waitForTimeout(TRAIL_MS);
  await stopOpenProfile();
  const opened = await readProbe(page);
  const reportRows = Number(await app.byTestId('report-row-count').getAttribute('data-count'));

  // (b) The CSV export: a real download, read back.
  const stopCsvProfile = await startCpuProfile(page, 'reports-csv');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), app.byTestId('report-export-csv').click()]);
  // Read before the browser closes: Playwright deletes a context's downloads with it.
  const bytes = readFileSync(await download.path());
  const fileAt = await page.evaluate(() => performance.now());
  await page.waitForFunction(() => (window as unknown as { __reportsProbe: Probe }).__reportsProbe.exportedAt !== null, undefined, { timeout: 300_000, polling: 100 });
  await page.waitForTimeout(TRAIL_MS);
  await stopCsvProfile();
  const exported = await readProbe(page);
  if (process.env.FIELDWISE_BENCH_PROFILE) (await import('node:fs')).writeFileSync(join(process.env.FIELDWISE_BENCH_PROFILE, `reports-tasks-${Date.now()}.json`), JSON.stringify({ calibrateAt, probe: exported }));
  await profile.close();

  const rows = (parse(bytes.toString('utf8'), { bom: true }) as string[][]).length - 1;
  if (rows !== reportRows) throw new Error(`the CSV holds ${rows} rows, the screen said ${reportRows}`);
  const previewAt = opened.previewAt!;
  const openedAt = opened.openedAt!;
  const previewSettledAt = Math.max(previewAt, opened.lastPreviewChangeAt ?? previewAt);
  const exportAt = exported.exportAt!;
  const exportedAt = Math.max(exported.exportedAt!, fileAt);
  return {
    open: { ...freezeWindow(exported.tasks, openedAt, previewSettledAt + TRAIL_MS), toPreviewMs: previewAt - openedAt, toPreviewSettledMs: previewSettledAt - openedAt },
    csv: { ...freezeWindow(exported.tasks, exportAt, exportedAt + TRAIL_MS), toStatusMs: exported.exportedAt! - exportAt, toFileMs: fileAt - exportAt, rows, bytes: bytes.length },
    reportRows,
  };
}

/** Seeds the demo network with `count` generated entries on `profile` through the app at `appUrl`, and waits until all are stored. */
async function seed(profile: BrowserProfile, appUrl: string, count: number): Promise<number> {
  const seeding = new FieldwisePage(await profile.launch({ appUrl }));
  await seeding.open(appUrl, `?demo-entries=${count}`);
  await seeding.byTestId('demo-button').click();
  await seeding.byTestId('entry-row').first().waitFor();
  const started = performance.now();
  for (;;) {
    const stored = await countStoredRecords(seeding.page);
    if (stored >= count + DEMO_RECORDS) break;
    if (performance.now() - started > 900_000) throw new Error(`seeding stalled at ${stored} records`);
    await seeding.page.waitForTimeout(500);
  }
  const stored = await countStoredRecords(seeding.page);
  // The first start after seeding builds and saves the search index (in its worker): done here, not in a measured run.
  await seeding.page.waitForTimeout(10_000);
  await profile.close();
  return stored;
}

const loadLine = () => loadavg().map((value) => value.toFixed(2)).join(' / ');

function entryCount(): number {
  const raw = process.env.FIELDWISE_BENCH_ENTRIES;
  if (raw === undefined || raw === '') return DEFAULT_ENTRIES;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 100) throw new RangeError('FIELDWISE_BENCH_ENTRIES must be an integer of at least 100');
  return count;
}

/**
 * FIELDWISE_BENCH_BEFORE_DIST: a renderer/dist built from an earlier commit, or several as
 * `label=dir` separated by commas (`7f7dde6=/tmp/a/renderer/dist,5b7106b=/tmp/b/renderer/dist`),
 * each measured in the same run before this build. Without it, this build alone (for a profile),
 * and docs/BENCHMARKS.md is left as it was.
 */
function beforeDists(): { readonly name: string; readonly label: string; readonly dist: string }[] {
  const value = process.env.FIELDWISE_BENCH_BEFORE_DIST;
  if (!value) return [];
  return value.split(',').map((item) => {
    const at = item.indexOf('=');
    const name = at < 0 ? '<commit>' : item.slice(0, at);
    const build = { name, label: at < 0 ? 'before' : `before (${name})`, dist: at < 0 ? item : item.slice(at + 1) };
    if (!existsSync(join(build.dist, 'index.html'))) throw new Error(`FIELDWISE_BENCH_BEFORE_DIST: ${build.dist} holds no built renderer (index.html); see docs/BENCHMARKS.md`);
    return build;
  });
}

export async function run(): Promise<void> {
  const startedAt = performance.now();
  const loadAtStart = loadLine();
  const count = entryCount();
  const befores = beforeDists();
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new RangeError('FIELDWISE_BENCH_RUNS must be a whole number of at least 1');
  ensureRendererBuilt();
  const builds = [...befores, { label: 'this build', dist: rendererDist }];
  const chromiumVersion = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const profile = new BrowserProfile('bench-freeze-reports');
  // Every build on one port in turn: one origin, so one IndexedDB store seeded once (by the first).
  let server: WebServer = await startWebServer({ root: builds[0]!.dist, csp: contentSecurityPolicy });
  const port = Number(new URL(server.url).port);
  const results: { readonly build: string; readonly run: ReportsFreeze }[] = [];
  let stored = 0;
  let seedS = 0;
  try {
    log(`seeding ${count} demo entries`);
    const seedStarted = performance.now();
    stored = await seed(profile, server.url, count);
    seedS = (performance.now() - seedStarted) / 1000;
    for (const [index, build] of builds.entries()) {
      if (index > 0) {
        await server.close();
        server = await startWebServer({ root: build.dist, csp: contentSecurityPolicy, port });
      }
      for (let i = 0; i < RUNS; i++) {
        log(`${build.label}: run ${i + 1}`);
        results.push({ build: build.label, run: await measureReportsFreeze(profile, server.url) });
      }
    }
  } finally {
    await profile.dispose();
    await server.close();
  }

  const counters = new Map<string, number>();
  const label = (build: string) => {
    const index = counters.get(build) ?? 0;
    counters.set(build, index + 1);
    return `${build}, run ${index + 1}`;
  };
  const verdict = (longest: number) => (longest <= RAIL_BUDGET_MS ? 'met' : 'not met');
  const table = markdownTable(
    [
      'Build, browser start',
      'open Reports → preview shows (settled)',
      'longest UI task, open → preview + 3 s',
      'tasks ≥ 50 ms (blocked in total)',
      'CSV export → file written',
      'longest UI task, export → file + 3 s',
      'tasks ≥ 50 ms (blocked in total)',
      'CSV rows (= the screen\'s count)',
      `issue 17: ≤ ${RAIL_BUDGET_MS} ms`,
    ],
    results.map(({ build, run: r }) => [
      label(build),
      `${ms(r.open.toPreviewMs)} ms (${ms(r.open.toPreviewSettledMs)} ms)`,
      `${ms(r.open.longestTaskMs)} ms`,
      `${r.open.tasksOverBudget} (${ms(r.open.blockedMs)} ms)`,
      `${ms(r.csv.toFileMs)} ms`,
      `${ms(r.csv.longestTaskMs)} ms`,
      `${r.csv.tasksOverBudget} (${ms(r.csv.blockedMs)} ms)`,
      `${r.csv.rows} (${(r.csv.bytes / 1024).toFixed(0)} KB)`,
      `${verdict(r.open.longestTaskMs)} / ${verdict(r.csv.longestTaskMs)}`,
    ]),
  );
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const of = (build: string, pick: (r: ReportsFreeze) => number) => median(results.filter((r) => r.build === build).map((r) => pick(r.run)));
  const ratioLine = (before: string, name: string, pick: (r: ReportsFreeze) => number) => {
    const then = of(before, pick);
    const now = of('this build', pick);
    return `${name}: ${ms(now)} ms now against ${ms(then)} ms ${before} (${then > 0 ? `${(now / then).toFixed(2)}x` : 'n/a'})`;
  };
  const mediansLine = (before: string) =>
    `- Medians against ${before}: ${ratioLine(before, 'longest task opening Reports', (r) => r.open.longestTaskMs)}; ${ratioLine(before, 'longest task exporting the CSV', (r) => r.csv.longestTaskMs)}; ${ratioLine(before, 'open to preview', (r) => r.open.toPreviewMs)}; ${ratioLine(before, 'export to file', (r) => r.csv.toFileMs)}`;
  const runtimeS = (performance.now() - startedAt) / 1000;
  const scaled = count === DEFAULT_ENTRIES ? '' : `FIELDWISE_BENCH_ENTRIES=${count} `;
  const body = [
    `- Command: \`${scaled}${RUNS === 3 ? '' : `FIELDWISE_BENCH_RUNS=${RUNS} `}FIELDWISE_BENCH_BEFORE_DIST=${befores.map((build) => `${build.name}=<its renderer/dist>`).join(',')} npm run bench -- freeze-reports\` (each before build: \`git archive <commit> | tar -x -C /tmp/<dir>\`, link node_modules, \`npx vite build --config renderer/vite.config.ts\` there; FIELDWISE_BENCH_PROFILE=<folder> writes a CPU profile of each open and export)`,
    `- Browser: ${chromiumVersion} (headless, playwright-core, the end-to-end flags), viewport 1024 x 768, a profile folder on disk`,
    `- Machine: ${machineLine()}; load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${loadLine()} at the end; others share the machine, so compare rows within this run`,
    `- Date: ${new Date().toISOString().slice(0, 10)}; whole run ${runtimeS.toFixed(0)} s (seeding ${seedS.toFixed(0)} s)`,
    `- Data: the demo network plus ${count} generated entries (\`?demo-entries=${count}\`), ${stored} records in the store; the builds on one port in turn, so one origin and one store; the report is the screen's default (the knowledge digest, shared and endorsed entries)`,
    '',
    table,
    '',
    ...befores.map((build) => mediansLine(build.label)),
    '',
    'How to read it: each row is one browser start on the seeded profile; the library is opened',
    `first and left ${SETTLE_BEFORE_MS / 1000} s to settle, then Reports is opened from inside the app (a hash change) and the`,
    'times are taken in the page from that moment. "Preview shows" is the first time the preview\'s',
    'document and the row count are on screen; "settled" is its last change. "Longest UI task" is the',
    "longest main-thread task Chromium reported (PerformanceObserver 'longtask', which reports tasks",
    `of 50 ms and more; 0 when none) overlapping the window, which runs ${TRAIL_MS / 1000} s past the settled preview or`,
    'the written file, so trailing work counts. "File written" is the browser\'s download finishing;',
    'the file is parsed back (csv-parse) and must hold as many rows as the screen says.',
  ].join('\n');
  console.log(`\n${HEADING}\n\n${body}\n`);
  if (count === DEFAULT_ENTRIES && befores.length > 0) {
    await writeSection(HEADING, body);
    log('wrote docs/BENCHMARKS.md');
  } else {
    log(`scaled-down run or no before build: docs/BENCHMARKS.md left as it was`);
  }
}
