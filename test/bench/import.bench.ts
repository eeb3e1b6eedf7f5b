import { isCursorFixApplied } from './fakeIndexedDbCursorFix';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Dexie from 'dexie';
import * as Y from 'yjs';
import { openClient, type RemoteUpdate } from '../../shared/client/client';
import { entry as entryModule } from '../../shared/records/entry';
import type { RecordHeader } from '../../shared/records/recordType';
import { dexieStorage } from '../../shared/store/dexieStorage';
import { foldIntoDoc, toRecordRow } from '../../shared/store/recordState';
import { recordsSchema, type RecordRow } from '../../shared/store/schemas';
import { openStore } from '../../shared/store/store';
import { machineLine, markdownTable, ms, ratio, writeSection } from './benchReport';
import { generateEntries } from './entryCorpus';

/*
 * `npm run bench -- import`: the bulk path of issue 17. Entries arrive as a pull or a hub bundle
 * delivers them (header, whole Yjs state, hub sequence number) and go into a fresh client on
 * fake-indexeddb through RxDB's Dexie storage, against, in the same run:
 *
 * - a raw Dexie bulkPut of the very rows the client ends up storing (Yjs state, hash, index
 *   fields, projection), in the same pages, into a table with the store's indexes: the issue's
 *   "same rows into the same storage";
 * - a raw Dexie bulkPut of the bare projections (the store section's old baseline);
 * - the client as it was before this work (FIELDWISE_BENCH_BEFORE_SRC: a checkout of the commit
 *   before it, with node_modules linked), on the same updates.
 *
 * Each import also reports the longest stall of this thread's event loop while it ran: the Node
 * stand-in for the UI thread's longest task (fake-indexeddb runs on this thread, so its own work
 * counts here, where Chromium's IndexedDB works off the page's thread).
 */

const HEADING = '## import (issue 17)';
const PAGE = 500;
const log = (message: string) => console.error(`[bench import] ${message}`);

interface ClientLike {
  applyRemote(updates: readonly RemoteUpdate[]): Promise<void>;
  close(): Promise<void>;
}
type OpenClient = (options: { storage: unknown; name: string; identity: { orgId: string; deviceId: string; role: 'member' } }) => Promise<ClientLike>;

interface Implementation {
  readonly label: string;
  readonly open: OpenClient;
  readonly storage: () => unknown;
}

async function implementations(): Promise<Implementation[]> {
  const after: Implementation = { label: 'this build', open: openClient as unknown as OpenClient, storage: dexieStorage };
  const beforeSrc = process.env.FIELDWISE_BENCH_BEFORE_SRC;
  if (!beforeSrc) return [after];
  const client = (await import(pathToFileURL(join(beforeSrc, 'shared/client/client.ts')).href)) as { openClient: OpenClient };
  const storage = (await import(pathToFileURL(join(beforeSrc, 'shared/store/dexieStorage.ts')).href)) as { dexieStorage: () => unknown };
  return [{ label: 'before (FIELDWISE_BENCH_BEFORE_SRC)', open: client.openClient, storage: storage.dexieStorage }, after];
}

function sizes(): number[] {
  const raw = process.env.FIELDWISE_BENCH_ENTRIES ?? '10000,50000';
  const list = raw.split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 100)) throw new RangeError('FIELDWISE_BENCH_ENTRIES: integers of at least 100, comma-separated');
  return list;
}

/** Runs `work` and reports its time and the longest stall of this thread's event loop during it. */
async function measured(work: () => Promise<unknown>): Promise<{ totalMs: number; stallMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const start = performance.now();
  await work();
  const totalMs = performance.now() - start;
  histogram.disable();
  return { totalMs, stallMs: Math.max(0, histogram.max / 1e6 - 5) };
}

/** The Dexie index list of the store's schema, so the raw baseline maintains the same indexes. */
const rawRowIndexes = ['id', ...(recordsSchema.indexes ?? []).map((index) => (Array.isArray(index) ? `[${index.join('+')}]` : index))].join(',');

export async function run(): Promise<void> {
  const startedAt = performance.now();
  const impls = await implementations();
  const stamp = `${process.pid}-${Date.now()}`;
  const table: string[][] = [];
  for (const count of sizes()) {
    log(`${count} entries: generating and encoding`);
    const updates: RemoteUpdate[] = generateEntries(count).map((item, i) => {
      const header: RecordHeader = { id: `entry-import-${String(i).padStart(6, '0')}`, type: 'entry', ownerOrg: item.ownerOrg, createdAt: item.createdAt };
      const doc = new Y.Doc();
      entryModule.create(doc, entryModule.parseInput(item.input), { orgId: item.ownerOrg, deviceId: `dev-${item.ownerOrg}`, role: 'member', now: item.createdAt });
      const update = Y.encodeStateAsUpdate(doc);
      doc.destroy();
      return { header, update, seq: i + 1 };
    });

    log('CPU only: fold each update into a doc and make its row');
    let rows: RecordRow[] = [];
    const cpu = await measured(async () => {
      rows = updates.map((u) => {
        const doc = foldIntoDoc(null, [u.update]);
        const row = toRecordRow(u.header, doc, u.seq ?? 0);
        doc.destroy();
        return row;
      });
    });

    log('raw Dexie bulkPut of the rows and of the projections');
    const raw = new Dexie(`bench-import-raw-${stamp}-${count}`);
    raw.version(1).stores({ rows: rawRowIndexes, projections: 'id,kind,updatedAt' });
    await raw.open();
    const rawRows = await measured(async () => {
      for (let i = 0; i < rows.length; i += PAGE) await raw.table('rows').bulkPut(rows.slice(i, i + PAGE));
    });
    const rawProjections = await measured(() => raw.table('projections').bulkPut(rows.map((row) => ({ id: row.id, ...row.projection }))));
    raw.close();

    log('store.putRows of the finished rows');
    const store = await openStore({ storage: dexieStorage(), name: `bench-import-store-${stamp}-${count}` });
    const putRows = await measured(async () => {
      for (let i = 0; i < rows.length; i += PAGE) await store.putRows(rows.slice(i, i + PAGE));
    });
    await store.close();

    const row = (measure: string, ours: { totalMs: number; stallMs: number }) => {
      const cells = [`${count}: ${measure}`, `${ms(ours.totalMs)} ms`, ratio(ours.totalMs, rawRows.totalMs), ratio(ours.totalMs, rawProjections.totalMs), `${ms(ours.stallMs)} ms`];
      // Each row as it is measured, so a run cut short still says what it found.
      log(cells.join(' | '));
      return cells;
    };
    table.push(row(`raw Dexie bulkPut of the client's rows (state included, the store's indexes), pages of ${PAGE}`, rawRows));
    table.push(row('raw Dexie bulkPut of the bare projections, one call', rawProjections));
    // The old client is slow enough at 50,000 to make the run long; FIELDWISE_BENCH_BEFORE_MAX caps it.
    const beforeMax = Number(process.env.FIELDWISE_BENCH_BEFORE_MAX ?? Infinity);
    for (const impl of impls.filter((candidate) => candidate.label === 'this build' || count <= beforeMax)) {
      for (const shape of ['pull', 'bundle'] as const) {
        log(`${impl.label}: applyRemote as a ${shape}`);
        const client = await impl.open({ storage: impl.storage(), name: `bench-import-${shape}-${impl.label.length}-${stamp}-${count}`, identity: { orgId: 'org-bench-reader', deviceId: 'bench', role: 'member' } });
        const result = await measured(async () => {
          if (shape === 'bundle') await client.applyRemote(updates);
          else for (let i = 0; i < updates.length; i += PAGE) await client.applyRemote(updates.slice(i, i + PAGE));
        });
        await client.close();
        const how = shape === 'pull' ? `applyRemote per pulled page of ${PAGE}` : 'applyRemote of all records in one call (as importHubBundle applies a bundle)';
        table.push(row(`${impl.label}: ${how}`, result));
      }
    }
    table.push(row('… of which CPU only (fold each update into a Y.Doc, projection, index fields, state + SHA-256), this build', cpu));
    table.push(row(`… of which storage: store.putRows of the finished rows, pages of ${PAGE}, this build`, putRows));
  }

  const runtimeS = (performance.now() - startedAt) / 1000;
  const body = [
    `- Command: \`FIELDWISE_BENCH_BEFORE_SRC=<checkout of the commit before> npm run bench -- import\` (e.g. \`git archive 3146acd shared | tar -x -C /tmp/before\` and \`ln -s $PWD/node_modules /tmp/before/node_modules\`); FIELDWISE_BENCH_ENTRIES (default 10000,50000) sets the sizes, FIELDWISE_BENCH_BEFORE_MAX the largest size the old client is run at`,
    `- Storage: fake-indexeddb 6 in Node 20 through RxDB's Dexie storage, no ajv validator${isCursorFixApplied ? ' (ranged-cursor fix applied)' : ''}; Chromium's IndexedDB is not measured in this section`,
    `- Machine: ${machineLine()}; shared with other engineers' runs, so read the ratios within the run`,
    `- Date: ${new Date().toISOString().slice(0, 10)}; whole run ${runtimeS.toFixed(0)} s`,
    '- Data: entries from test/bench/entryCorpus.ts (seeded; about half English, half Chinese, with bodies), each as the hub sends it: header, whole Yjs state, sequence number; into a fresh client',
    '',
    markdownTable(['Entries: measure', 'Time', '/ raw bulkPut of the rows', '/ raw bulkPut of projections', 'longest stall of the thread'], table),
    '',
    'How to read it: the first ratio is the issue\'s goal (≤ 1.5x of a raw bulkPut of the same rows, Yjs',
    'state included, into the same storage); the second is against the bare projections, as the store',
    'section measured before. "Longest stall" is the longest the event loop of this thread was held',
    '(monitorEventLoopDelay, 5 ms resolution), the stand-in here for the UI thread\'s longest task.',
  ].join('\n');
  console.log(`\n${HEADING}\n\n${body}\n`);
  await writeSection(HEADING, body);
  log('wrote docs/BENCHMARKS.md');
}
