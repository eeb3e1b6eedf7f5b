import { ballotMutators } from '../../shared/records/ballot';
import type { SyncTransport } from '../../shared/sync/transport';
import { startCuttableProxy, testConnectivity, type CuttableProxy } from '../support/cuttableProxy';
import { openTestProposal } from '../support/governance';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';
import { machineLine, markdownTable, ms, percentile, writeSection } from './benchReport';
import { generateEntries } from './entryCorpus';
import { startThrottlingProxy } from './throttlingProxy';

/*
 * Issue 13, "Use the window", rows of `npm run bench -- sync` (alone: `npm run bench -- sync window`):
 * - link restored -> first acknowledged push: a device with a change waiting, its link cut and
 *   restored 20 times (the platform's offline/online signal with it, as a browser or Electron
 *   gives it); and, as a detail, the link alone restored while the platform kept saying online
 *   (then only the probes, after 1, 2, 4 s, find it);
 * - share of ballots delivered when a window on the EDGE link closes after 5, 10 and 20 s, with
 *   500 changes waiting (10 ballots on 10 open proposals, 490 entries of the seeded corpus).
 */

const CUTS = 20;
const PROBE_ONLY_CUTS = 5;
/** How long the link stays cut in the probe-only detail: long enough for three probes to fail. */
const PROBE_ONLY_CUT_MS = 5_000;
const WINDOWS_S = [5, 10, 20] as const;
const BALLOTS = 10;
const PENDING = 500;
const EDGE = { bytesPerSecond: 30_000, oneWayDelayMs: 420 } as const;

export interface WindowGoalRow {
  readonly goal: string;
  readonly measured: string;
  readonly bound: string;
  readonly verdict: string;
}

const verdict = (isMet: boolean) => (isMet ? 'met' : '**not met**');
const sleep = (msDelay: number) => new Promise((resolve) => setTimeout(resolve, msDelay));

/** The engine's transport, noting when each push was acknowledged. */
function notingAcks(acks: number[]): (transport: SyncTransport) => SyncTransport {
  return (transport) => ({
    ...transport,
    async push(body) {
      const result = await transport.push(body);
      if (result.ok) acks.push(performance.now());
      return result;
    },
  });
}

async function linkRestoredToFirstAck(log: (message: string) => void): Promise<{ withSignal: number[]; probeOnly: number[] }> {
  const hub = await startTestHub();
  const link = await startCuttableProxy(hub.url);
  const connectivity = testConnectivity();
  const acks: number[] = [];
  let device: SyncedClient | null = null;
  try {
    device = await syncedClient({ url: link.url }, await hub.join(await hub.invite('Xishan Water Users')), {
      engine: { connectivity: connectivity.port },
      wrapTransport: notingAcks(acks),
      isGzipped: true,
    });
    const engine = device.engine;
    await engine.start();
    await waitFor(() => engine.status.state === 'synced' && engine.status.isLive, 30_000, 'first sync');
    const [input] = generateEntries(1, 13);
    const cutOnce = async (isSignalled: boolean): Promise<number> => {
      if (isSignalled) connectivity.set(false);
      link.cut(isSignalled ? 'blackhole' : 'refuse');
      await device!.client.create('entry', input!.input);
      await device!.client.flush();
      await waitFor(() => engine.status.pendingCount > 0, 10_000, 'a change waiting');
      await sleep(isSignalled ? 300 : PROBE_ONLY_CUT_MS);
      const ackedBefore = acks.length;
      const restoredAt = performance.now();
      link.restore();
      if (isSignalled) connectivity.set(true);
      await waitFor(() => acks.length > ackedBefore, 120_000, 'the first acknowledged push after the link returned');
      const elapsed = acks[ackedBefore]! - restoredAt;
      await waitFor(() => engine.status.state === 'synced' && engine.status.pendingCount === 0, 60_000, 'synced again');
      return elapsed;
    };
    const withSignal: number[] = [];
    for (let i = 0; i < CUTS; i++) withSignal.push(await cutOnce(true));
    log(`link restored -> first ack with the platform signal: p95 ${ms(percentile(withSignal, 95))} ms over ${CUTS} cuts`);
    const probeOnly: number[] = [];
    for (let i = 0; i < PROBE_ONLY_CUTS; i++) probeOnly.push(await cutOnce(false));
    log(`link restored -> first ack, probes only: max ${ms(Math.max(...probeOnly))} ms over ${PROBE_ONLY_CUTS} cuts`);
    return { withSignal, probeOnly };
  } finally {
    await device?.close();
    await link.close();
    await hub.close();
  }
}

interface WindowResult {
  readonly windowS: number;
  readonly ballotsAtHub: number;
  readonly entriesAtHub: number;
}

/** One window: a fresh hub and device, 500 changes made offline, the EDGE link up for `windowS`. */
async function oneWindow(windowS: number): Promise<WindowResult> {
  const hub: TestHub = await startTestHub();
  const edge = await startThrottlingProxy(hub.url, EDGE);
  let link: CuttableProxy | null = null;
  let device: SyncedClient | null = null;
  try {
    link = await startCuttableProxy(edge.url);
    const proposals = Array.from({ length: BALLOTS }, (_, i) => `proposal-window-${i}`);
    for (const id of proposals) await openTestProposal(hub, id);
    const connectivity = testConnectivity();
    device = await syncedClient({ url: link.url }, await hub.join(await hub.invite('Xishan Water Users')), {
      engine: { connectivity: connectivity.port },
      isGzipped: true,
    });
    const engine = device.engine;
    await engine.start();
    await waitFor(() => engine.status.state === 'synced' && engine.status.isLive, 60_000, 'first sync');

    connectivity.set(false);
    link.cut();
    const entryIds: string[] = [];
    const ballotIds: string[] = [];
    // Entries (private drafts among them: still pushed) written first, votes last: the outbox's own order would send the votes last.
    for (const input of generateEntries(PENDING - BALLOTS, 29)) entryIds.push(await device.client.create('entry', input.input));
    for (const proposalId of proposals) {
      const id = await device.client.create('ballot', { proposalId });
      await device.client.mutate(id, ballotMutators.cast, { method: 'single', optionId: 'yes' });
      ballotIds.push(id);
    }
    await device.client.flush();

    link.restore();
    connectivity.set(true);
    await sleep(windowS * 1000);
    connectivity.set(false);
    link.cut();
    const atHub = async (ids: readonly string[]) => (await Promise.all(ids.map((id) => hub.storage.getRecord(id)))).filter((record) => record !== null).length;
    return { windowS, ballotsAtHub: await atHub(ballotIds), entriesAtHub: await atHub(entryIds) };
  } finally {
    await device?.close();
    await link?.close();
    await edge.close();
    await hub.close();
  }
}

export async function windowGoals(log: (message: string) => void): Promise<{ goals: WindowGoalRow[]; details: string[][] }> {
  log(`issue 13: link restored -> first acknowledged push, ${CUTS} cuts with the platform signal, ${PROBE_ONLY_CUTS} with the link alone`);
  const restored = await linkRestoredToFirstAck(log);
  const windows: WindowResult[] = [];
  for (const windowS of WINDOWS_S) {
    log(`issue 13: a ${windowS}-second window on the EDGE link with ${PENDING} changes waiting`);
    const result = await oneWindow(windowS);
    log(`  ${result.ballotsAtHub}/${BALLOTS} ballots, ${result.entriesAtHub}/${PENDING - BALLOTS} entries at the hub`);
    windows.push(result);
  }
  const p95 = percentile(restored.withSignal, 95);
  const goals: WindowGoalRow[] = [
    {
      goal: `13. link restored (and the platform says online) -> first acknowledged push of a waiting change, loopback through a cuttable proxy, ${CUTS} cuts`,
      measured: `p50 ${ms(percentile(restored.withSignal, 50))} ms, p95 ${ms(p95)} ms, max ${ms(Math.max(...restored.withSignal))} ms`,
      bound: 'p95 ≤ 3,000 ms',
      verdict: verdict(p95 <= 3_000),
    },
    {
      goal: `13. ballots delivered when a window on the EDGE link (30,000 B/s, 840 ms RTT) closes after ${WINDOWS_S.join(', ')} s, ${PENDING} changes waiting (${BALLOTS} ballots written last, ${PENDING - BALLOTS} corpus entries), pushes gzipped as the app does`,
      measured: windows.map((w) => `${w.windowS} s: ${w.ballotsAtHub}/${BALLOTS} ballots (${w.entriesAtHub} entries)`).join('; '),
      bound: 'all ballots in every window',
      verdict: verdict(windows.every((w) => w.ballotsAtHub === BALLOTS)),
    },
  ];
  const details = [
    [
      `13. link restored while the platform kept saying online (cut ${PROBE_ONLY_CUT_MS / 1000} s, refused connections) -> first acknowledged push: only the probes (1, 2, 4 s after the failure, then backing off) find it`,
      `${restored.probeOnly.map((value) => ms(value)).join(', ')} ms`,
    ],
  ];
  return { goals, details };
}

const WINDOW_HEADING = '## sync: connection windows (issue 13)';
const STANDALONE_COMMAND = 'npm run bench -- sync window';

/** Prints the rows and, when `isWritten`, puts them in docs/BENCHMARKS.md under their own heading. */
export async function windowSection(result: { goals: readonly WindowGoalRow[]; details: readonly string[][] }, command: string, isWritten: boolean): Promise<void> {
  const body = [
    `- Command: \`${command}\`${command === STANDALONE_COMMAND ? ' (the rest of `npm run bench -- sync` skipped)' : ` (these rows alone: \`${STANDALONE_COMMAND}\`)`}`,
    `- Machine: ${machineLine()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    '- Setup: a real hub (test/support/hub.ts, SQLite) behind a cuttable loopback proxy (test/support/cuttableProxy.ts; cut = open connections dropped, new ones held unanswered), the headless client core with the real sync engine, Node fetch and `ws`; the platform online/offline signal is driven as the renderer wires the window\'s events. The window rows add test/bench/throttlingProxy.ts between the cut and the hub: 30,000 B/s each way, 420 ms one way. Times move with the machine\'s load.',
    '',
    markdownTable(['Goal', 'Measured', 'Bound', 'Verdict'], result.goals.map((g) => [g.goal, g.measured, g.bound, g.verdict])),
    '',
    markdownTable(['Measure', 'Fieldwise'], result.details),
  ].join('\n');
  console.log(`\n${WINDOW_HEADING}\n\n${body}\n`);
  if (isWritten) await writeSection(WINDOW_HEADING, body);
}

/** `npm run bench -- sync window`: these rows alone, written to docs/BENCHMARKS.md. */
export async function runWindowOnly(log: (message: string) => void): Promise<void> {
  await windowSection(await windowGoals(log), STANDALONE_COMMAND, true);
  log('wrote docs/BENCHMARKS.md');
}
