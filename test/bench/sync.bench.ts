import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { memoryStorage } from '../../shared/store/memoryStorage';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import { initNetwork, inviteOrg } from '../../server/hub/networkAdmin';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import type { Role } from '../../shared/records/recordType';
import { createHttpTransport, type FetchInit } from '../../shared/sync/httpTransport';
import { encodePullFrame, PULL_CONTENT_TYPE, type JoinResponse, type PulledRecord } from '../../shared/sync/protocol';
import { SyncEngine } from '../../shared/sync/syncEngine';
import { startTestHub, type TestHub } from '../support/hub';
import { startHubProcess } from '../support/hubProcess';
import { oneClientConflictingWrites } from '../support/costlyUpdates';
import { changeUpdate, createUpdate, editContext } from '../support/hubRequests';
import { systemClock, waitFor } from '../support/syncedClient';
import { machineLine, markdownTable, ms, percentile, writeSection } from './benchReport';
import { diffCounts, startCountingProxy, type CountingProxy, type ProxyCounts } from './byteCountingProxy';
import { generateEntries } from './entryCorpus';
import { runWindowOnly, windowGoals, windowSection } from './syncWindow.bench';
import { startThrottlingProxy } from './throttlingProxy';

/*
 * `npm run bench -- sync` (issue 3): sync sessions between a secretariat client and a real hub on
 * loopback, measured at the socket level by a counting TCP proxy, against the goals of the issue:
 * bytes close to the compressed size of what changed, a few round trips whatever the number of
 * records, a usable initial sync on an EDGE link, and a hub that keeps up with 200 clients.
 * Side by side in the same run: the same records through standard per-document Yjs sync
 * (y-websocket's WebsocketProvider, one per record, against the hub's `/yjs/<id>` endpoint).
 *
 * FIELDWISE_BENCH_SCALE (0 < s <= 1, default 1) scales record and client counts for a quick check.
 * FIELDWISE_BENCH_SYNC_ONLY=initial measures goal 2 alone (the initial sync with and without the
 * bootstrap, and the stream taken apart), prints its rows and leaves docs/BENCHMARKS.md as it is.
 */

const HEADING = '## sync (issue 3)';
const log = (message: string) => console.error(`[bench sync] ${new Date().toISOString().slice(11, 19)} ${message}`);

const ENTRIES_PER_ORG = 100;
const BIG_HUB_ORGS = 1_000;
const EDGE_RECORDS = 1_000;
const EDGE = { bytesPerSecond: 30_000, oneWayDelayMs: 420 } as const;
const LOAD_CLIENTS = 200;
const LOAD_RECORDS_PER_CLIENT = 10;
const LOAD_BURSTS = 5;
const YWS_BATCH = 200;
const SESSION_TIMEOUT_MS = 300_000;
const ANATOMY_SAMPLE_RECORDS = 2_000;

function scale(): number {
  const raw = process.env.FIELDWISE_BENCH_SCALE;
  if (raw === undefined || raw === '') return 1;
  const value = Number(raw);
  if (!(value > 0 && value <= 1)) throw new RangeError('FIELDWISE_BENCH_SCALE must be a number in (0, 1]');
  return value;
}

const kb = (bytes: number) => (bytes >= 10_240 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024).toFixed(2)} KB`);
const bytesText = (bytes: number) => `${bytes.toLocaleString('en-US')} B (${kb(bytes)})`;
const times = (value: number) => `${value.toFixed(2)}x`;
const brotli11 = (data: Uint8Array | string) =>
  brotliCompressSync(data, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: typeof data === 'string' ? Buffer.byteLength(data) : data.length } }).length;
/** What the hub's pull stream uses (server/http/httpServer.ts). */
const brotli5 = (data: Uint8Array | string) =>
  brotliCompressSync(data, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_LGWIN]: 22 } }).length;
const delay = (msDelay: number) => new Promise((resolve) => setTimeout(resolve, msDelay));

interface GoalRow {
  readonly goal: string;
  readonly measured: string;
  readonly bound: string;
  readonly verdict: string;
}

const verdict = (isMet: boolean) => (isMet ? 'met' : '**not met**');

// ---- hubs with data ------------------------------------------------------------------------

interface LoadedHub {
  readonly test: TestHub;
  readonly orgs: readonly string[];
  /** Entry ids with their owner, in commit order. */
  readonly entries: readonly { readonly id: string; readonly ownerOrg: string }[];
  readonly secretariat: JoinResponse;
  readonly loadMs: number;
}

/** The corpus, with private drafts made network-visible so the secretariat reads every record. */
export function corpusInputs(count: number): { input: EntryInput; createdAt: number }[] {
  return generateEntries(count).map(({ input, createdAt }) => ({
    createdAt,
    input:
      input.sharing === 'private'
        ? { ...input, sharing: 'network', attribution: { holderKind: input.attribution?.holderKind ?? 'person', holderName: input.attribution?.holderName ?? '', consent: 'community-approved' } }
        : input,
  }));
}

/** Short entries for the 100,000-record hub: 100 distinct ones, reused by every organization. */
function cheapInputs(): { input: EntryInput; createdAt: number }[] {
  return Array.from({ length: ENTRIES_PER_ORG }, (_, i) => ({
    createdAt: Date.UTC(2024, 0, 1) + i * 60_000,
    input: {
      kind: 'lesson',
      title: `Field note ${i}`,
      summary: `Short note number ${i} from a village visit.`,
      body: `Visited the village, checked the water point ${i}.`,
      tags: ['water'],
      language: 'en',
      attribution: { holderKind: 'person', holderName: 'Field worker', consent: 'credit-by-name' },
      sharing: 'network',
    } satisfies EntryInput,
  }));
}

/**
 * A test hub with `orgCount` member organizations of `perOrg` entries each, committed through
 * hub.commit as each organization (the write path a push takes, without HTTP). `inputs` gives the
 * entries in order; `isTemplate` reuses one update per slot for every organization.
 */
export async function loadHub(orgCount: number, perOrg: number, inputs: readonly { input: EntryInput; createdAt: number }[], isTemplate: boolean): Promise<LoadedHub> {
  const started = performance.now();
  const test = await startTestHub();
  const orgs: string[] = [];
  for (let o = 0; o < orgCount; o++) orgs.push((await inviteOrg(test.storage, { orgName: `Organization ${o + 1}`, role: 'member' })).orgId);
  const templates = isTemplate ? inputs.map(({ input, createdAt }) => createUpdate('entry', input, editContext('template', 'member', createdAt))) : null;
  const entries: { id: string; ownerOrg: string }[] = [];
  for (let o = 0; o < orgCount; o++) {
    const orgId = orgs[o]!;
    const changes = Array.from({ length: perOrg }, (_, k) => {
      const i = o * perOrg + k;
      const id = `entry-${randomBytes(12).toString('hex')}`;
      const { input, createdAt } = inputs[isTemplate ? k : i]!;
      const update = templates ? templates[k]! : createUpdate('entry', input, editContext(orgId, 'member', createdAt));
      entries.push({ id, ownerOrg: orgId });
      return { id, type: 'entry' as const, update };
    });
    await test.hub.commit({ orgId, role: 'member', credentialId: null }, changes);
    if ((o + 1) % 100 === 0) log(`  ${entries.length} entries committed`);
  }
  const secretariat = await test.join(test.secretariatCode, 'secretariat laptop');
  return { test, orgs, entries, secretariat, loadMs: performance.now() - started };
}

// ---- clients and sessions ------------------------------------------------------------------

let clientCounter = 0;

export async function memoryClient(join: JoinResponse): Promise<FieldwiseClient> {
  return openClient({
    // Production leaves the ajv validator out; memory storage keeps the client's CPU small.
    storage: memoryStorage(),
    name: `bench-sync-${process.pid}-${++clientCounter}`,
    identity: { orgId: join.org.id, deviceId: join.deviceId, role: join.role as Role },
  });
}

/** The fetch of a client from before bootstraps: its pulls accept the stream alone. */
const oldClientFetch = (url: string, init: FetchInit) => fetch(url, url.includes('/v1/pull') ? { ...init, headers: { ...init.headers, accept: PULL_CONTENT_TYPE } } : init);

function engineFor(client: FieldwiseClient, baseUrl: string, token: string, isOldClient = false): SyncEngine {
  const transport = createHttpTransport({ baseUrl, token, fetch: isOldClient ? oldClientFetch : (url, init) => fetch(url, init), WebSocket });
  return new SyncEngine(client, transport, systemClock, { stallTimeoutMs: SESSION_TIMEOUT_MS });
}

/** Waits until no byte has crossed the proxy for `quietMs`. */
async function quiet(proxy: CountingProxy, quietMs = 300): Promise<void> {
  let last = proxy.snapshot();
  let lastChange = performance.now();
  while (performance.now() - lastChange < quietMs) {
    await delay(50);
    const now = proxy.snapshot();
    if (now.up !== last.up || now.down !== last.down) {
      last = now;
      lastChange = performance.now();
    }
  }
}

interface Session {
  readonly engine: SyncEngine;
  readonly counts: ProxyCounts;
  /** From start() to synced with the live socket ready. */
  readonly ms: number;
}

/** One sync session of a fresh engine on `client`: push (if any), pull since checkpoint, live hello. */
export async function session(client: FieldwiseClient, proxy: CountingProxy, token: string, isOldClient = false): Promise<Session> {
  const engine = engineFor(client, proxy.url, token, isOldClient);
  const before = proxy.snapshot();
  const startedAt = Date.now();
  const started = performance.now();
  void engine.start();
  await waitFor(() => engine.status.state === 'synced' && engine.status.isLive, SESSION_TIMEOUT_MS, 'a synced, live engine');
  const elapsed = performance.now() - started;
  await quiet(proxy);
  const counts = diffCounts(proxy.snapshot(), before);
  if (engine.status.state !== 'synced') throw new Error(`session ended ${engine.status.state}`);
  const events = (await engine.log()).filter((event) => event.at >= startedAt);
  if (counts.byKind.pull.requests > 1 || events.some((event) => event.kind === 'error')) {
    log(`  note: this session made ${counts.byKind.pull.requests} pulls; engine log: ${JSON.stringify(events)}`);
  }
  return { engine, counts, ms: elapsed };
}

/**
 * Stops the session's engine, lets its live socket's closing handshake finish outside any count,
 * then drops the client's pooled connections: the next session is a reconnect from scratch (and
 * cannot hit a keep-alive connection the hub is just closing after its 5 s idle timeout).
 */
async function closeSession(done: Session, proxy: CountingProxy): Promise<void> {
  await done.engine.stop();
  await quiet(proxy);
  proxy.dropConnections();
  await delay(100);
}

const roundTrips = (counts: ProxyCounts) => counts.requests;

function bytesWhere(counts: ProxyCounts): string {
  return (['push', 'pull', 'live'] as const)
    .filter((kind) => counts.byKind[kind].requests > 0 || counts.byKind[kind].up + counts.byKind[kind].down > 0)
    .map((kind) => `${kind} ${counts.byKind[kind].up}↑ ${counts.byKind[kind].down}↓`)
    .join(', ');
}

// ---- the pull stream, taken apart ----------------------------------------------------------

interface StreamAnatomy {
  readonly records: number;
  /** The baseline: every record's projection, as the hub reads it, in one JSON array. */
  readonly projectionsJson: string;
  /** The stream the engine asks for (no projections): its raw size, headers + metadata, updates. */
  readonly rawStream: number;
  readonly rawMeta: number;
  readonly rawUpdates: number;
  readonly brotli5Stream: number;
  readonly brotli5Meta: number;
  readonly brotli5Updates: number;
  /** The same stream with each update in Yjs's v2 encoding (Y.convertUpdateFormatV1ToV2): hypothetical, clients apply v1. */
  readonly brotli5V2Stream: number;
  /** Brotli 11 is slow (about a minute for the whole stream here): the first pages only. */
  readonly sample: {
    readonly records: number;
    readonly brotli11Stream: number;
    readonly brotli11V2Stream: number;
    readonly brotli11Projections: number;
  };
}

/**
 * The initial pull stream the hub builds for `token`'s identity, in-process: as the engine asks
 * for it (no projections), taken apart; and the projections of the same records (`projections=1`).
 */
async function pullAnatomy(test: TestHub, token: string): Promise<StreamAnatomy> {
  const device = await test.hub.authenticate(token);
  const stream: Uint8Array[] = [];
  const streamV2: Uint8Array[] = [];
  const metas: string[] = [];
  const updates: Uint8Array[] = [];
  let sampleFrames = 0;
  let sampleRecords = 0;
  for await (const frame of await test.hub.pull(device, 0)) {
    stream.push(encodePullFrame(frame));
    if (frame.kind !== 'page') continue;
    streamV2.push(encodePullFrame({ ...frame, records: frame.records.map((record) => ({ ...record, update: Y.convertUpdateFormatV1ToV2(record.update) })) }));
    if (sampleRecords < ANATOMY_SAMPLE_RECORDS) {
      sampleFrames += 1;
      sampleRecords += frame.records.length;
    }
    for (const record of frame.records as readonly PulledRecord[]) {
      metas.push(JSON.stringify(record.meta));
      updates.push(record.update);
    }
  }
  const projections: unknown[] = [];
  for await (const frame of await test.hub.pull(device, 0, { withProjections: true })) {
    if (frame.kind === 'page') for (const record of frame.records) projections.push(record.meta.projection);
  }
  if (projections.length !== metas.length) throw new Error(`${projections.length} projections for ${metas.length} records`);
  const streamBytes = Buffer.concat(stream);
  const metaText = metas.join('');
  const updateBytes = Buffer.concat(updates);
  return {
    records: metas.length,
    projectionsJson: JSON.stringify(projections),
    rawStream: streamBytes.length,
    rawMeta: Buffer.byteLength(metaText),
    rawUpdates: updateBytes.length,
    brotli5Stream: brotli5(streamBytes),
    brotli5Meta: brotli5(metaText),
    brotli5Updates: brotli5(updateBytes),
    brotli5V2Stream: brotli5(Buffer.concat(streamV2)),
    sample: {
      records: sampleRecords,
      brotli11Stream: brotli11(Buffer.concat(stream.slice(0, sampleFrames))),
      brotli11V2Stream: brotli11(Buffer.concat(streamV2.slice(0, sampleFrames))),
      brotli11Projections: brotli11(JSON.stringify(projections.slice(0, sampleRecords))),
    },
  };
}

// ---- standard per-document Yjs sync ----------------------------------------------------------

interface PerDocResult {
  readonly records: number;
  readonly counts: ProxyCounts;
  /** Sync exchanges: sync step 1 -> step 2, one per provider. */
  readonly syncExchanges: number;
  readonly ms: number;
}

/** Every entry through its own WebsocketProvider, `YWS_BATCH` at a time, through the proxy. */
async function perDocumentSync(proxy: CountingProxy, ids: readonly string[], token: string): Promise<PerDocResult> {
  const serverUrl = `${proxy.url.replace(/^http/, 'ws')}/yjs`;
  // Each provider listens for the process's exit, a batch at a time.
  process.setMaxListeners(YWS_BATCH + 20);
  let counted: ProxyCounts | null = null;
  const add = (part: ProxyCounts) => {
    counted = counted ? sumCounts(counted, part) : part;
  };
  let synced = 0;
  let elapsed = 0;
  for (let start = 0; start < ids.length; start += YWS_BATCH) {
    const batch = ids.slice(start, start + YWS_BATCH);
    const before = proxy.snapshot();
    const began = performance.now();
    const providers = batch.map((id) => {
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(serverUrl, id, doc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        params: { token },
      });
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`provider for ${id} did not sync`)), 120_000);
        provider.on('sync', (isSynced: boolean) => {
          if (!isSynced) return;
          clearTimeout(timer);
          resolve();
        });
      });
      return { doc, provider, done };
    });
    await Promise.all(providers.map((p) => p.done));
    elapsed += performance.now() - began;
    synced += providers.length;
    // What arrives right after sync (the hub echoing the provider's awareness) belongs to it too.
    await quiet(proxy, 100);
    add(diffCounts(proxy.snapshot(), before));
    for (const { provider, doc } of providers) {
      provider.destroy();
      doc.destroy();
    }
    await waitFor(() => proxy.openConnections === 0, 30_000, 'per-document sockets to close');
    if ((start / YWS_BATCH) % 10 === 9) log(`  ${synced} documents synced`);
  }
  process.setMaxListeners(10);
  return { records: synced, counts: counted!, syncExchanges: synced, ms: elapsed };
}

function sumCounts(a: ProxyCounts, b: ProxyCounts): ProxyCounts {
  const byKind = { ...a.byKind };
  for (const kind of Object.keys(byKind) as (keyof ProxyCounts['byKind'])[]) {
    byKind[kind] = { up: a.byKind[kind].up + b.byKind[kind].up, down: a.byKind[kind].down + b.byKind[kind].down, requests: a.byKind[kind].requests + b.byKind[kind].requests };
  }
  return { up: a.up + b.up, down: a.down + b.down, connections: a.connections + b.connections, requests: a.requests + b.requests, handshakes: a.handshakes + b.handshakes, byKind };
}

// ---- the hub under load --------------------------------------------------------------------

interface LoadPhase {
  readonly acks: number;
  readonly wallMs: number;
  readonly latencies: number[];
  /** Of those, the latencies of each client's first burst (on new connections in the stress phase). */
  readonly firstBurstLatencies: number[];
  /** Pushes that got no answer (the connection was reset or refused). */
  readonly networkFailures: number;
  /** Pushes the hub refused, by code (an edit building on one that was lost is `missing-dependency`). */
  readonly refusals: Readonly<Record<string, number>>;
  readonly messages: readonly string[];
  /** CPU time over wall time during the phase: the hub process, and this (load generating) process. */
  readonly hubCpu: number;
  readonly benchCpu: number;
}

interface LoadResult {
  readonly clients: number;
  /** One open keep-alive connection per client, its pushes one after another (as the sync engine sends), live sockets open. */
  readonly sequential: LoadPhase;
  /** The same without live sockets: what announcing every commit to every live socket costs. */
  readonly sequentialNoLive: LoadPhase;
  /** Stress: every push of a burst at once, on up to LOAD_RECORDS_PER_CLIENT new connections per client, no live sockets. */
  readonly parallel: LoadPhase;
  readonly rssIdleBefore: number;
  readonly rssIdleAfter: number;
  /** heapUsed and RSS after a full collection, through the child's inspector (null where it could not attach). */
  readonly afterGc: { readonly before: { heapUsed: number; rss: number }; readonly after: { heapUsed: number; rss: number } } | null;
  readonly liveSockets: number;
}

/** User + system CPU seconds of a process, from /proc. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/**
 * The hub child's memory after a full garbage collection, through its inspector (the child is
 * started with `--inspect=127.0.0.1:0`): heapUsed and RSS.
 */
class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.pending.get(message.id)?.(message.result);
    });
  }

  static async connect(url: string): Promise<Inspector> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new Inspector(socket);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async memoryAfterGc(): Promise<{ heapUsed: number; rss: number }> {
    await this.call('HeapProfiler.collectGarbage');
    await delay(200);
    await this.call('HeapProfiler.collectGarbage');
    const result = (await this.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as { result: { value: string } };
    const usage = JSON.parse(result.result.value) as { heapUsed: number; rss: number };
    return { heapUsed: usage.heapUsed, rss: usage.rss };
  }

  close(): void {
    this.socket.close();
  }
}

async function steadyRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    await delay(200);
    samples.push(rssOf(pid));
  }
  return percentile(samples, 50);
}

function post(agent: Agent, url: URL, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { agent, host: url.hostname, port: url.port, path: '/v1/push', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every client runs its bursts at the same time; each burst's pushes in order or all at once. */
async function loadPhase(
  plans: readonly { join: JoinResponse; bursts: readonly string[][] }[],
  url: URL,
  hubPid: number,
  burstRange: readonly [number, number],
  isParallel: boolean,
): Promise<LoadPhase> {
  const latencies: number[] = [];
  const firstBurstLatencies: number[] = [];
  let acks = 0;
  let networkFailures = 0;
  const refusals: Record<string, number> = {};
  const messages = new Set<string>();
  const agents = plans.map(() => new Agent({ keepAlive: true, maxSockets: isParallel ? LOAD_RECORDS_PER_CLIENT : 1 }));
  if (!isParallel) {
    // Clients that are online hold their connection already: open it before the clock starts (a
    // busy hub admits new connections slowly, which the stress phase shows).
    await Promise.all(agents.map((agent) => new Promise<void>((resolve, reject) => {
      const req = httpRequest({ agent, host: url.hostname, port: url.port, path: '/health' }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    })));
  }
  const pushOne = async (agent: Agent, token: string, body: string, isFirstBurst: boolean) => {
    const sent = performance.now();
    const answer = await post(agent, url, token, body).catch((error: unknown) => ({ status: -1, text: error instanceof Error ? error.message : String(error) }));
    const took = performance.now() - sent;
    if (answer.status === 200) {
      latencies.push(took);
      if (isFirstBurst) firstBurstLatencies.push(took);
      acks += (JSON.parse(answer.text) as { acks: unknown[] }).acks.length;
    } else if (answer.status === -1) {
      networkFailures += 1;
      messages.add(answer.text);
    } else {
      const code = /"code":"([^"]+)"/.exec(answer.text)?.[1] ?? `http-${answer.status}`;
      refusals[code] = (refusals[code] ?? 0) + 1;
    }
  };
  const hubCpuBefore = cpuSecondsOf(hubPid);
  const benchCpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    plans.map(async (plan, c) => {
      const agent = agents[c]!;
      await delay(Math.random() * 200);
      for (const [b, burst] of plan.bursts.slice(burstRange[0], burstRange[1]).entries()) {
        if (isParallel) await Promise.all(burst.map((body) => pushOne(agent, plan.join.token, body, b === 0)));
        else for (const body of burst) await pushOne(agent, plan.join.token, body, b === 0);
        await delay(100 + Math.random() * 200);
      }
    }),
  );
  const wallMs = performance.now() - started;
  const hubCpu = (cpuSecondsOf(hubPid) - hubCpuBefore) / (wallMs / 1000);
  const benchUsage = process.cpuUsage(benchCpuBefore);
  const benchCpu = (benchUsage.user + benchUsage.system) / 1000 / wallMs;
  for (const agent of agents) agent.destroy();
  return { acks, wallMs, latencies, firstBurstLatencies, networkFailures, refusals, messages: [...messages], hubCpu, benchCpu };
}

/**
 * The hub as the secretariat runs it (`server/cli.ts serve`, a child process, SQLite): `clients`
 * organizations, each with its own credential. Memory: the hub's RSS with that many idle live
 * sockets after hello, against none. Load, live sockets open, all clients at the same time, each
 * pushing LOAD_BURSTS bursts of LOAD_RECORDS_PER_CLIENT single-record pushes (edits of its own
 * entries) with a short random pause between bursts: first on one keep-alive connection per client,
 * one push after another (as the sync engine sends), then as a stress, every push of a burst at once.
 */
export async function hubUnderLoad(clients: number): Promise<LoadResult> {
  const dataDir = mkdtempSync(joinPath(tmpdir(), 'fieldwise-bench-load-'));
  const storage = openSqliteStorage(joinPath(dataDir, 'hub.sqlite'));
  await storage.migrate();
  await initNetwork(storage, { name: 'Load network' });
  const codes: string[] = [];
  for (let c = 0; c < clients; c++) codes.push((await inviteOrg(storage, { orgName: `Load org ${c + 1}`, role: 'member' })).code);
  await storage.close();
  // The child inherits NODE_OPTIONS: its inspector lets this process collect its garbage and read its heap.
  const nodeOptions = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --inspect=127.0.0.1:0`.trim();
  let hubProcess;
  try {
    hubProcess = await startHubProcess(['--data', dataDir]);
  } finally {
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
  }
  const pid = hubProcess.child.pid!;
  const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(hubProcess.output.join('\n'))?.[1];
  const inspector = inspectorUrl ? await Inspector.connect(inspectorUrl) : null;
  const url = new URL(hubProcess.url);
  const sockets: WebSocket[] = [];
  try {
    const joins: JoinResponse[] = [];
    for (const code of codes) {
      const response = await fetch(`${hubProcess.url}/v1/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName: 'load client' }) });
      if (response.status !== 200) throw new Error(`join failed: ${response.status}`);
      joins.push((await response.json()) as JoinResponse);
    }
    // Each client's entries, and every edit it will push, made up front so the pushing is all that runs.
    const plans = joins.map((join, c) => {
      const ctx = editContext(join.org.id, 'member', Date.UTC(2024, 5, 1));
      const docs = Array.from({ length: LOAD_RECORDS_PER_CLIENT }, (_, k) => {
        const doc = new Y.Doc();
        const create = createUpdate('entry', { kind: 'lesson', title: `Load entry ${c}.${k}`, summary: 'A short entry', body: 'Body text.', tags: ['water'], language: 'en', attribution: { holderKind: 'person', holderName: 'A', consent: 'credit-by-name' }, sharing: 'network' }, ctx);
        Y.applyUpdate(doc, create);
        return { id: `entry-${randomBytes(12).toString('hex')}`, doc, create };
      });
      const bursts = Array.from({ length: 3 * LOAD_BURSTS }, (_, b) =>
        docs.map(({ id, doc }) => {
          const state = Y.encodeStateAsUpdate(doc);
          const update = changeUpdate(state, (d) => entryMutators.setFields.apply(d, { title: `Load entry ${c} edit ${b}`, summary: `Counted ${b * 3 + 1} households today` }, { ...ctx, now: ctx.now + b + 1 }));
          Y.applyUpdate(doc, update);
          return JSON.stringify({ records: [{ id, type: 'entry', update: Buffer.from(update).toString('base64') }] });
        }),
      );
      const setup = JSON.stringify({ records: docs.map(({ id, create }) => ({ id, type: 'entry', update: Buffer.from(create).toString('base64') })) });
      for (const { doc } of docs) doc.destroy();
      return { join, setup, bursts };
    });
    const setupAgent = new Agent({ keepAlive: false });
    for (const plan of plans) {
      const answer = await post(setupAgent, url, plan.join.token, plan.setup);
      if (answer.status !== 200) throw new Error(`setup push failed: ${answer.status} ${answer.text}`);
    }
    setupAgent.destroy();

    // Memory per idle live connection.
    const memoryBefore = await inspector?.memoryAfterGc();
    const rssIdleBefore = await steadyRss(pid);
    const wsUrl = `${hubProcess.url.replace(/^http/, 'ws')}/v1/live`;
    await Promise.all(
      plans.map(
        (plan) =>
          new Promise<void>((resolve, reject) => {
            const socket = new WebSocket(wsUrl);
            sockets.push(socket);
            socket.once('open', () => socket.send(JSON.stringify({ type: 'hello', token: plan.join.token })));
            socket.once('message', (data) => {
              const message = JSON.parse(String(data)) as { type: string };
              if (message.type === 'ready') resolve();
              else reject(new Error(`live hello refused: ${String(data)}`));
            });
            socket.on('error', reject);
          }),
      ),
    );
    await delay(1_000);
    const memoryAfter = await inspector?.memoryAfterGc();
    const rssIdleAfter = await steadyRss(pid);
    // No inspector session stays attached while the hub is under load.
    inspector?.close();

    log(`  pushes one after another, one open connection per client, live sockets open`);
    const sequential = await loadPhase(plans, url, pid, [0, LOAD_BURSTS], false);
    const liveSockets = sockets.length;
    for (const socket of sockets.splice(0)) socket.close();
    await delay(500);
    log(`  the same without live sockets`);
    const sequentialNoLive = await loadPhase(plans, url, pid, [LOAD_BURSTS, 2 * LOAD_BURSTS], false);
    log(`  stress: each burst's pushes at once, up to ${LOAD_RECORDS_PER_CLIENT} new connections per client`);
    const parallel = await loadPhase(plans, url, pid, [2 * LOAD_BURSTS, 3 * LOAD_BURSTS], true);
    for (const phase of [sequential, sequentialNoLive, parallel]) {
      if (phase.networkFailures > 0) log(`  ${phase.networkFailures} pushes got no answer: ${phase.messages.join('; ')}`);
    }
    const afterGc = memoryBefore && memoryAfter ? { before: memoryBefore, after: memoryAfter } : null;
    return { clients, sequential, sequentialNoLive, parallel, rssIdleBefore, rssIdleAfter, afterGc, liveSockets };
  } finally {
    inspector?.close();
    for (const socket of sockets) socket.terminate();
    await hubProcess.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- the run ---------------------------------------------------------------------------------


/** /health waits while one hostile member pushes its costliest allowed updates (issue 12, Cost). */
export interface HostileResult {
  readonly healthLatencies: number[];
  readonly requests: number;
  readonly refusals: Record<string, number>;
  readonly updateBytes: number;
}

export async function hostileCredential(durationMs = 10_000): Promise<HostileResult> {
  const dataDir = mkdtempSync(joinPath(tmpdir(), 'fieldwise-bench-hostile-'));
  const storage = openSqliteStorage(joinPath(dataDir, 'hub.sqlite'));
  await storage.migrate();
  await initNetwork(storage, { name: 'Hostile network' });
  const code = (await inviteOrg(storage, { orgName: 'Hostile member', role: 'member' })).code;
  await storage.close();
  const hubProcess = await startHubProcess(['--data', dataDir]);
  try {
    const joined = await fetch(`${hubProcess.url}/v1/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName: 'hostile' }) });
    const join = (await joined.json()) as JoinResponse;
    const post = (records: unknown) =>
      fetch(`${hubProcess.url}/v1/push`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${join.token}` }, body: JSON.stringify({ records }) });
    const id = 'entry-hostile';
    const create = createUpdate('entry', { kind: 'lesson', title: 'Mine', language: 'en', attribution: { holderKind: 'person', holderName: 'A', consent: 'credit-by-name' }, sharing: 'network' }, editContext(join.org.id, 'member'));
    if ((await post([{ id, type: 'entry', update: Buffer.from(create).toString('base64') }])).status !== 200) throw new Error('the hostile member could not create its entry');
    // Its own record, so every check before validation passes: the costliest update the limits
    // allow (one client, 40,000 concurrent writes to one key, under 1 MiB), stopped at the budget.
    const update = oneClientConflictingWrites(40_000);
    const body = [{ id, type: 'entry', update: Buffer.from(update).toString('base64') }];
    const refusals: Record<string, number> = {};
    let requests = 0;
    const healthLatencies: number[] = [];
    const until = performance.now() + durationMs;
    const attack = (async () => {
      while (performance.now() < until) {
        const answer = await post(body);
        const json = (await answer.json()) as { error?: { code: string } };
        const key = json.error?.code ?? String(answer.status);
        refusals[key] = (refusals[key] ?? 0) + 1;
        requests++;
      }
    })();
    while (performance.now() < until) {
      const started = performance.now();
      await (await fetch(`${hubProcess.url}/health`)).arrayBuffer();
      healthLatencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await attack;
    return { healthLatencies, requests, refusals, updateBytes: update.length };
  } finally {
    await hubProcess.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(args: readonly string[] = []): Promise<void> {
  if (args[0] === 'window') return runWindowOnly(log);
  const startedAt = performance.now();
  const s = scale();
  const orgCount = Math.max(2, Math.round(100 * s));
  const bigOrgCount = Math.max(4, Math.round(BIG_HUB_ORGS * s));
  const edgeOrgs = Math.max(1, Math.round((EDGE_RECORDS * s) / ENTRIES_PER_ORG));
  const loadClients = Math.max(10, Math.round(LOAD_CLIENTS * s));
  const goals: GoalRow[] = [];
  const details: string[][] = [];
  const detail = (measure: string, fieldwise: string, baseline = '—', ratioText = '—') => details.push([measure, fieldwise, baseline, ratioText]);

  // ---- 1. data ----------------------------------------------------------------------------
  const recordCount = orgCount * ENTRIES_PER_ORG;
  log(`loading ${recordCount} entries (${orgCount} organizations x ${ENTRIES_PER_ORG}) into a hub through hub.commit`);
  const main = await loadHub(orgCount, ENTRIES_PER_ORG, corpusInputs(recordCount), false);
  log(`loaded in ${(main.loadMs / 1000).toFixed(1)} s`);
  const proxy = await startCountingProxy(main.test.url);

  // ---- 2. initial sync ----------------------------------------------------------------------
  // Before: a client that takes no bootstrap (as every client before them), on the same hub.
  log('initial sync of a secretariat client without bootstrap (the plain pull stream) through the counting proxy');
  const oldClient = await memoryClient(main.secretariat);
  const initialOld = await session(oldClient, proxy, main.secretariat.token, true);
  await closeSession(initialOld, proxy);
  await oldClient.close();
  // The hub's bootstrap for the secretariat's read scope, built once (what the first new device's pull starts).
  log('building the bootstrap of the secretariat scope');
  const secretariatDevice = await main.test.hub.authenticate(main.secretariat.token);
  const buildStarted = performance.now();
  const built = await main.test.hub.bootstraps.prepare(secretariatDevice);
  const buildMs = performance.now() - buildStarted;
  if (!built) throw new Error('no bootstrap was built');
  log(`  ${built.records} records, ${built.rawBytes} B -> ${built.bytes.length} B in ${ms(buildMs)} ms`);
  log('initial sync of a secretariat client (takes the bootstrap) through the counting proxy');
  const client = await memoryClient(main.secretariat);
  const initial = await session(client, proxy, main.secretariat.token);
  await closeSession(initial, proxy);
  const stored = (await client.list({ type: 'entry' })).length;
  if (stored !== recordCount) throw new Error(`the client holds ${stored} entries, expected ${recordCount}`);
  log(`initial sync: ${initial.counts.up + initial.counts.down} bytes in ${ms(initial.ms)} ms; taking the pull stream apart`);
  const anatomy = await pullAnatomy(main.test, main.secretariat.token);
  const baselineBrotli = brotli11(anatomy.projectionsJson);
  const initialBytes = initial.counts.up + initial.counts.down;
  const initialRatio = initialBytes / baselineBrotli;
  const initialOldBytes = initialOld.counts.up + initialOld.counts.down;
  goals.push({
    goal: `2. initial sync of ${anatomy.records.toLocaleString('en-US')} records (secretariat), bytes on the wire both ways vs brotli-11 of the same projections as one JSON array (a new device taking the bootstrap of its read scope, built before)`,
    measured: `${bytesText(initialBytes)} = ${times(initialRatio)} of ${bytesText(baselineBrotli)}; without bootstrap (old clients, or before the scope's is built) ${bytesText(initialOldBytes)} = ${times(initialOldBytes / baselineBrotli)}`,
    bound: '≤ 1.15x (at least ≤ 1.5x)',
    verdict: initialRatio <= 1.15 ? 'met' : initialRatio <= 1.5 ? '**not met**; ≤ 1.5x met' : '**not met**',
  });
  if (process.env.FIELDWISE_BENCH_SYNC_ONLY === 'initial') {
    // Goal 2 alone (bytes only, which no load on the machine moves): the rows, printed, docs untouched.
    const rows = [
      ['2. initial sync, with bootstrap', `${bytesText(initialBytes)} (${bytesWhere(initial.counts)}; ${roundTrips(initial.counts)} round trips)`, bytesText(baselineBrotli), times(initialRatio)],
      ['2. initial sync, without bootstrap (old clients)', `${bytesText(initialOldBytes)} (${bytesWhere(initialOld.counts)}; ${roundTrips(initialOld.counts)} round trips)`, bytesText(baselineBrotli), times(initialOldBytes / baselineBrotli)],
      ['2. … the bootstrap body', `${bytesText(built.rawBytes)} raw -> ${bytesText(built.bytes.length)}; built in ${ms(buildMs)} ms`, bytesText(baselineBrotli), times(built.bytes.length / baselineBrotli)],
      ['2. … the stream at brotli 11 (first records)', `${bytesText(anatomy.sample.brotli11Stream)}; v2 ${bytesText(anatomy.sample.brotli11V2Stream)}`, bytesText(anatomy.sample.brotli11Projections), `${times(anatomy.sample.brotli11Stream / anatomy.sample.brotli11Projections)}; v2 ${times(anatomy.sample.brotli11V2Stream / anatomy.sample.brotli11Projections)}`],
      ['2. … the stream at brotli 5 (the hub\'s)', bytesText(anatomy.brotli5Stream), bytesText(baselineBrotli), times(anatomy.brotli5Stream / baselineBrotli)],
    ];
    console.log(`\n${anatomy.records} records; baseline = brotli 11 of the projections as one JSON array\n${markdownTable(['Measure', 'Fieldwise', 'Baseline', 'Ratio'], rows)}\n`);
    await proxy.close();
    await client.close();
    await main.test.close();
    return;
  }

  // ---- 3. reconnect, nothing changed ------------------------------------------------------
  log('reconnect with nothing changed');
  const idle = await session(client, proxy, main.secretariat.token);
  await closeSession(idle, proxy);
  const idleBytes = idle.counts.up + idle.counts.down;

  // ---- 4. reconnect after 1% changed --------------------------------------------------------
  const changedCount = Math.max(1, Math.round(recordCount / 100));
  log(`editing ${changedCount} entries as their owners (title + summary), then reconnecting`);
  const step = Math.floor(main.entries.length / changedCount);
  const changed = Array.from({ length: changedCount }, (_, i) => main.entries[i * step]!);
  const summaries = corpusInputs(200).map(({ input }) => input.summary ?? '');
  for (const [i, { id, ownerOrg }] of changed.entries()) {
    const record = (await main.test.storage.getRecord(id))!;
    const title = String(record.projection.title);
    const update = changeUpdate(record.state, (doc) =>
      entryMutators.setFields.apply(doc, { title: `${title} (second season)`, summary: summaries[i % summaries.length]! }, editContext(ownerOrg, 'member', Date.UTC(2025, 2, 1) + i)),
    );
    await main.test.hub.commit({ orgId: ownerOrg, role: 'member', credentialId: null }, [{ id, type: 'entry', update }]);
  }
  const changedProjections = await Promise.all(changed.map(async ({ id }) => (await main.test.storage.getRecord(id))!.projection));
  const changedGzip = gzipSync(JSON.stringify(changedProjections)).length;
  const changedBound = 2 * changedGzip + 2048;
  const delta = await session(client, proxy, main.secretariat.token);
  await closeSession(delta, proxy);
  const deltaBytes = delta.counts.up + delta.counts.down;
  const checked = await client.get<'entry'>(changed[0]!.id);
  if (!checked?.projection.title.endsWith('(second season)')) throw new Error('the edit did not reach the client');

  // ---- 6. standard per-document Yjs sync of the same records --------------------------------
  log(`per-document Yjs sync: ${recordCount} WebsocketProviders against /yjs/<id>, ${YWS_BATCH} at a time`);
  const perDoc = await perDocumentSync(proxy, main.entries.map((e) => e.id), main.secretariat.token);
  await proxy.close();
  await client.close();

  // ---- 3b. the same reconnect at 100,000 records -------------------------------------------
  await main.test.close();
  const bigCount = bigOrgCount * ENTRIES_PER_ORG;
  log(`loading ${bigCount} short entries (${bigOrgCount} organizations x ${ENTRIES_PER_ORG}) into a second hub`);
  const big = await loadHub(bigOrgCount, ENTRIES_PER_ORG, cheapInputs(), true);
  log(`loaded in ${(big.loadMs / 1000).toFixed(1)} s`);
  const bigProxy = await startCountingProxy(big.test.url);
  const bigClient = await memoryClient(big.secretariat);
  log(`initial sync of ${bigCount} records`);
  // Without bootstrap, as before it (its row compares with the earlier runs; bootstraps are goal 2's).
  const bigInitial = await session(bigClient, bigProxy, big.secretariat.token, true);
  await closeSession(bigInitial, bigProxy);
  const bigStored = (await bigClient.list({ type: 'entry' })).length;
  if (bigStored !== bigCount) throw new Error(`the client holds ${bigStored} entries, expected ${bigCount}`);
  log(`initial sync: ${bigInitial.counts.up + bigInitial.counts.down} bytes in ${ms(bigInitial.ms)} ms`);
  log(`reconnect with nothing changed at ${bigCount} records`);
  const bigIdle = await session(bigClient, bigProxy, big.secretariat.token);
  await closeSession(bigIdle, bigProxy);
  const bigIdleBytes = bigIdle.counts.up + bigIdle.counts.down;
  await bigProxy.close();
  await bigClient.close();
  await big.test.close();

  // ---- 7. EDGE ---------------------------------------------------------------------------------
  const edgeCount = edgeOrgs * ENTRIES_PER_ORG;
  log(`EDGE link: initial sync of ${edgeCount} entries through a throttling proxy`);
  const edgeHub = await loadHub(edgeOrgs, ENTRIES_PER_ORG, corpusInputs(edgeCount), false);
  const throttle = await startThrottlingProxy(edgeHub.test.url, EDGE);
  const edgeClient = await memoryClient(edgeHub.secretariat);
  const edgeEngine = engineFor(edgeClient, throttle.url, edgeHub.secretariat.token, true);
  const edgeStarted = performance.now();
  void edgeEngine.start();
  await waitFor(() => edgeEngine.status.state === 'synced' && edgeEngine.status.isLive, SESSION_TIMEOUT_MS, 'the EDGE sync');
  const edgeMs = performance.now() - edgeStarted;
  const edgeBytes = throttle.up + throttle.down;
  const rttS = (2 * EDGE.oneWayDelayMs) / 1000;
  const edgeBoundMs = 1.25 * (edgeBytes / EDGE.bytesPerSecond + 3 * rttS) * 1000;
  const edgeStored = (await edgeClient.list({ type: 'entry' })).length;
  await edgeEngine.stop();
  await edgeClient.close();
  await throttle.close();
  await edgeHub.test.close();

  // ---- 8. the hub under load ---------------------------------------------------------------------
  log(`hub under load: ${loadClients} clients (hub in a child process)`);
  const load = await hubUnderLoad(loadClients);
  log('one hostile credential for 10 s: /health waits');
  const hostile = await hostileCredential();

  // ---- 13. the connection window (issue 13: test/bench/syncWindow.bench.ts) -------------------
  const window = await windowGoals(log);

  // ---- goals ---------------------------------------------------------------------------------
  goals.push({
    goal: `3. reconnect, nothing changed, ${recordCount.toLocaleString('en-US')} records: bytes both ways`,
    measured: `${bytesText(idleBytes)} (${bytesWhere(idle.counts)})`,
    bound: '≤ 2 KB',
    verdict: verdict(idleBytes <= 2048),
  });
  goals.push({
    goal: `3. reconnect, nothing changed, ${bigCount.toLocaleString('en-US')} records: bytes both ways, and the same as at ${recordCount.toLocaleString('en-US')}`,
    measured: `${bytesText(bigIdleBytes)} (${bigIdleBytes - idleBytes >= 0 ? '+' : ''}${bigIdleBytes - idleBytes} B vs ${recordCount.toLocaleString('en-US')})`,
    bound: '≤ 2 KB and equal within the digits of the sequence numbers',
    verdict: verdict(bigIdleBytes <= 2048 && Math.abs(bigIdleBytes - idleBytes) <= 16),
  });
  goals.push({
    goal: `4. reconnect after ${changedCount} records (1%) edited by their owners: bytes both ways vs 2 x gzip of the changed projections + 2 KB`,
    measured: `${bytesText(deltaBytes)} (${bytesWhere(delta.counts)}); gzip of changed projections ${bytesText(changedGzip)}`,
    bound: `≤ ${bytesText(changedBound)}`,
    verdict: verdict(deltaBytes <= changedBound),
  });
  const trips = [
    ['initial', roundTrips(initial.counts)],
    [`initial, ${bigCount.toLocaleString('en-US')}`, roundTrips(bigInitial.counts)],
    ['nothing changed', roundTrips(idle.counts)],
    [`nothing changed, ${bigCount.toLocaleString('en-US')}`, roundTrips(bigIdle.counts)],
    ['1% changed', roundTrips(delta.counts)],
  ] as const;
  goals.push({
    goal: '5. round trips per session (HTTP requests + WebSocket handshakes, counted by the proxy)',
    measured: trips.map(([name, n]) => `${name}: ${n}`).join('; '),
    bound: '≤ 3 each',
    verdict: verdict(trips.every(([, n]) => n <= 3)),
  });
  goals.push({
    goal: `7. EDGE (30,000 B/s each way, 840 ms RTT): initial sync of ${edgeCount.toLocaleString('en-US')} records, start to synced and live`,
    measured: `${(edgeMs / 1000).toFixed(1)} s for ${bytesText(edgeBytes)}`,
    bound: `≤ 1.25 x (bytes / 30,000 B/s + 3 x 0.84 s) = ${(edgeBoundMs / 1000).toFixed(1)} s`,
    verdict: verdict(edgeMs <= edgeBoundMs && edgeStored === edgeCount),
  });
  const perSocket = (load.rssIdleAfter - load.rssIdleBefore) / load.liveSockets;
  const phaseText = (phase: LoadPhase) => {
    const refused = Object.entries(phase.refusals).map(([code, n]) => `${n} refused ${code}`);
    const failed = [...(phase.networkFailures > 0 ? [`${phase.networkFailures} without answer (${phase.messages.join(', ')})`] : []), ...refused];
    return `${(phase.acks / (phase.wallMs / 1000)).toFixed(0)} acks/s; p50 ${ms(percentile(phase.latencies, 50))} / p99 ${ms(percentile(phase.latencies, 99))} ms per ack; ${failed.length > 0 ? failed.join(', ') : 'none failed'}; CPU: hub ${(phase.hubCpu * 100).toFixed(0)}%, load generator ${(phase.benchCpu * 100).toFixed(0)}%`;
  };
  goals.push({
    goal: `8. hub (child process, SQLite) under ${load.clients} clients, live sockets open, each pushing ${LOAD_BURSTS} bursts of ${LOAD_RECORDS_PER_CLIENT} single-record pushes, one after another on its open keep-alive connection`,
    measured: phaseText(load.sequential),
    bound: 'reported (no bound set)',
    verdict: '—',
  });
  const healthP99 = percentile(hostile.healthLatencies, 99);
  const healthMax = Math.max(...hostile.healthLatencies);
  goals.push({
    goal: `12. /health while one member pushes, one after another for 10 s, the costliest update the limits allow (${bytesText(hostile.updateBytes)}: one client's 40,000 concurrent writes to one key of its own entry); normal push throughput is row 8`,
    measured: `p99 ${ms(healthP99)} ms, max ${ms(healthMax)} ms over ${hostile.healthLatencies.length} probes; ${hostile.requests} hostile requests: ${Object.entries(hostile.refusals).map(([code, n]) => `${n} ${code}`).join(', ')}`,
    bound: 'p99 ≤ 250 ms',
    verdict: verdict(healthP99 <= 250),
  });
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const memoryText = load.afterGc
    ? `heapUsed ${kb((load.afterGc.after.heapUsed - load.afterGc.before.heapUsed) / load.liveSockets)} and RSS ${kb((load.afterGc.after.rss - load.afterGc.before.rss) / load.liveSockets)} per connection, after a full GC (heapUsed ${mib(load.afterGc.before.heapUsed)} -> ${mib(load.afterGc.after.heapUsed)}, RSS ${mib(load.afterGc.before.rss)} -> ${mib(load.afterGc.after.rss)})`
    : `RSS ${kb(perSocket)} per connection, median of 5 samples without forcing GC (${mib(load.rssIdleBefore)} -> ${mib(load.rssIdleAfter)}; the inspector could not attach)`;
  goals.push({
    goal: `8. memory per idle live connection (the hub child with ${load.liveSockets} \`/v1/live\` sockets after hello vs none)`,
    measured: memoryText,
    bound: 'reported (no bound set)',
    verdict: '—',
  });
  detail(
    `8. the same ${load.clients} clients and bursts with no live socket open`,
    phaseText(load.sequentialNoLive),
    `with ${load.liveSockets} live sockets: ${(load.sequential.acks / (load.sequential.wallMs / 1000)).toFixed(0)} acks/s`,
  );
  detail(
    `8. stress, no live sockets: each burst's ${LOAD_RECORDS_PER_CLIENT} pushes at once (up to ${LOAD_RECORDS_PER_CLIENT * load.clients} new connections opening together)`,
    phaseText(load.parallel),
    `first burst (new connections): p50 ${ms(percentile(load.parallel.firstBurstLatencies, 50))} / p99 ${ms(percentile(load.parallel.firstBurstLatencies, 99))} ms`,
  );

  // ---- side by side ---------------------------------------------------------------------------
  const perDocBytes = perDoc.counts.up + perDoc.counts.down;
  const perDocTrips = perDoc.counts.handshakes + perDoc.syncExchanges;
  detail(
    `6. initial sync of ${recordCount.toLocaleString('en-US')} entries: bytes both ways`,
    bytesText(initialBytes),
    `${bytesText(perDocBytes)} (y-websocket, uncompressed: the hub's WebSocket server negotiates no permessage-deflate)`,
    `y-websocket / Fieldwise ${times(perDocBytes / initialBytes)}`,
  );
  detail(
    '6. … round trips',
    `${roundTrips(initial.counts)} (${initial.counts.connections} TCP connections)`,
    `${perDocTrips.toLocaleString('en-US')} (${perDoc.counts.handshakes.toLocaleString('en-US')} handshakes + ${perDoc.syncExchanges.toLocaleString('en-US')} sync exchanges)`,
    `y-websocket / Fieldwise ${times(perDocTrips / roundTrips(initial.counts))}`,
  );
  detail('6. … time on loopback (start to all records stored)', `${ms(initial.ms)} ms`, `${ms(perDoc.ms)} ms (${YWS_BATCH} providers at a time, docs in memory only)`, `y-websocket / Fieldwise ${times(perDoc.ms / initial.ms)}`);
  detail(
    '2. where the initial bytes go: by request (↑ to hub, ↓ to client)',
    `with bootstrap: ${bytesWhere(initial.counts)}; ${roundTrips(initial.counts)} round trips`,
    `without: ${bytesWhere(initialOld.counts)}; ${roundTrips(initialOld.counts)} round trips`,
    `without / with ${times(initialOldBytes / initialBytes)}`,
  );
  detail(
    '2. … the bootstrap (server/hub/bootstraps.ts): headers and v2 updates as columns, brotli 11, window 24, built once per read scope',
    `${bytesText(built.rawBytes)} raw -> ${bytesText(built.bytes.length)}; built in ${ms(buildMs)} ms (thread pool, one build at a time)`,
    `projections at brotli 11: ${bytesText(baselineBrotli)}`,
    `bootstrap / baseline ${times(built.bytes.length / baselineBrotli)}`,
  );
  const sampleText = `first ${anatomy.sample.records.toLocaleString('en-US')} records; brotli 11 is slow`;
  detail(
    '2. … the pull stream uncompressed (as the engine asks for it: no projections): record headers + Yjs updates',
    `${bytesText(anatomy.rawStream)} = headers ${bytesText(anatomy.rawMeta)} + updates ${bytesText(anatomy.rawUpdates)}`,
    `projections as one JSON array: ${bytesText(Buffer.byteLength(anatomy.projectionsJson))}`,
    `stream / projections, raw ${times(anatomy.rawStream / Buffer.byteLength(anatomy.projectionsJson))}`,
  );
  detail(
    '2. … compressed at brotli 5 (window 22, as the hub does): headers alone, updates alone, the stream',
    `headers ${bytesText(anatomy.brotli5Meta)} + updates ${bytesText(anatomy.brotli5Updates)}; the stream ${bytesText(anatomy.brotli5Stream)}`,
    `projections at brotli 5: ${bytesText(brotli5(anatomy.projectionsJson))}; at brotli 11: ${bytesText(baselineBrotli)}`,
    `both brotli 5 ${times(anatomy.brotli5Stream / brotli5(anatomy.projectionsJson))}; stream (5) / baseline (11) ${times(anatomy.brotli5Stream / baselineBrotli)}`,
  );
  detail(
    `2. … the stream at brotli 11 instead of the hub's 5 (${sampleText})`,
    bytesText(anatomy.sample.brotli11Stream),
    `their projections at brotli 11: ${bytesText(anatomy.sample.brotli11Projections)}`,
    `both brotli 11 ${times(anatomy.sample.brotli11Stream / anatomy.sample.brotli11Projections)}`,
  );
  detail(
    '2. … what-if: the Yjs updates in the v2 encoding (clients apply v1 today)',
    `brotli 5: ${bytesText(anatomy.brotli5V2Stream)}; brotli 11 (${sampleText}): ${bytesText(anatomy.sample.brotli11V2Stream)}`,
    'as above',
    `stream (5) / baseline (11) ${times(anatomy.brotli5V2Stream / baselineBrotli)}; both brotli 11 ${times(anatomy.sample.brotli11V2Stream / anatomy.sample.brotli11Projections)}`,
  );
  detail(
    `5. initial sync of the ${bigCount.toLocaleString('en-US')}-record hub (short entries)`,
    `${bytesText(bigInitial.counts.up + bigInitial.counts.down)} in ${ms(bigInitial.ms)} ms, ${roundTrips(bigInitial.counts)} round trips (${bytesWhere(bigInitial.counts)})`,
  );
  detail(
    '3. reconnect, nothing changed: where the bytes go',
    `${recordCount.toLocaleString('en-US')}: ${bytesWhere(idle.counts)}`,
    `${bigCount.toLocaleString('en-US')}: ${bytesWhere(bigIdle.counts)}`,
  );

  const seqRate = load.sequential.acks / (load.sequential.wallMs / 1000);
  const noLiveRate = load.sequentialNoLive.acks / (load.sequentialNoLive.wallMs / 1000);
  const findings = [
    'What the numbers say:',
    '',
    `- Initial sync (goal 2): each pulled record carries its header and its whole Yjs update (projections are opt-in, and the engine does not ask for them: it computes them from the Yjs state). At the hub's brotli 5 the updates are ${Math.round((anatomy.brotli5Updates * 100) / (anatomy.brotli5Updates + anatomy.brotli5Meta))}% of the compressed stream. Against the baseline, two things remain: Yjs's binary encoding of the same content compresses worse than the projections' JSON (both at brotli 11, first ${anatomy.sample.records.toLocaleString('en-US')} records: ${times(anatomy.sample.brotli11Stream / anatomy.sample.brotli11Projections)}; with v2 updates ${times(anatomy.sample.brotli11V2Stream / anatomy.sample.brotli11Projections)}), and brotli 5 against 11 (projections alone: ${bytesText(brotli5(anatomy.projectionsJson))} against ${bytesText(baselineBrotli)}, ${times(brotli5(anatomy.projectionsJson) / baselineBrotli)}).${
      anatomy.sample.brotli11V2Stream / anatomy.sample.brotli11Projections > 1.15
        ? ' So 1.15x is out of reach by compression settings alone while the initial sync moves each record\'s whole Yjs state: it would take e.g. sending projections first and Yjs states later or on demand, or a denser encoding of the states.'
        : ''
    }`,
    `- The bootstrap (goal 2, new devices since issue 17): the same records as the stream, with their v2 updates cut into the encoder's columns and each column of every record put together, headers as columns too, compressed once at brotli 11 with a 16 MiB window: ${bytesText(built.bytes.length)}, ${times(built.bytes.length / baselineBrotli)} of the baseline, and the whole initial sync ${bytesText(initialBytes)} (${times(initialRatio)}) against ${bytesText(initialOldBytes)} (${times(initialOldBytes / baselineBrotli)}) without it. What remains above the baseline is mostly what the projections do not carry: every record's random 12-byte id and the random Yjs client ids inside its state (about 17 bytes a record that no compressor can shrink), and Yjs's structure around the text. Building it took ${ms(buildMs)} ms of one core on the thread pool; the first new device of a scope gets the plain stream and starts the build, every later one the bootstrap.`,
    `- Reconnects (goals 3 to 5): a session is one pull plus the live handshake whatever the number of records. The device token, sent twice (in the pull's Authorization header and in the live hello), is ${Math.round((2 * main.secretariat.token.length * 100) / idleBytes)}% of an idle reconnect's bytes.`,
    `- Hub load (goal 8): with ${load.liveSockets} live sockets open the hub acknowledged ${seqRate.toFixed(0)} pushes/s, with none ${noLiveRate.toFixed(0)}/s (${times(noLiveRate / seqRate)}). In the stress row the first burst, on new connections, has p99 ${ms(percentile(load.parallel.firstBurstLatencies, 99))} ms against ${ms(percentile(load.sequentialNoLive.latencies, 99))} ms for pushes on open connections${
      percentile(load.parallel.firstBurstLatencies, 99) > 3 * percentile(load.sequentialNoLive.latencies, 99) ? ': a busy hub admits new connections slowly' : ''
    }.`,
  ];
  const runtimeS = (performance.now() - startedAt) / 1000;
  const goalTable = markdownTable(['Goal', 'Measured', 'Bound', 'Verdict'], goals.map((g) => [g.goal, g.measured, g.bound, g.verdict]));
  const detailTable = markdownTable(['Measure', 'Fieldwise', 'Baseline', 'Ratio'], details);
  const command = s === 1 ? 'npm run bench -- sync' : `FIELDWISE_BENCH_SCALE=${s} npm run bench -- sync`;
  const body = [
    `- Command: \`${command}\``,
    `- Machine: ${machineLine()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}; whole run ${runtimeS.toFixed(0)} s (times and rates move with whatever else runs on the machine; bytes and round trips do not)`,
    `- Data: ${recordCount.toLocaleString('en-US')} entries = ${orgCount} organizations x ${ENTRIES_PER_ORG} from test/bench/entryCorpus.ts (seeded, about half English, half Chinese; private drafts made network-visible so the secretariat reads all), committed through \`hub.commit\` as each organization; the secretariat client also receives the network and organization profile records. Hub: real HTTP server on 127.0.0.1 with SQLite (test/support/hub.ts); client: the headless client on RxDB memory storage with the real sync engine, Node fetch and \`ws\`.`,
    `- Bytes: counted at the socket level by a TCP proxy on 127.0.0.1 (test/bench/byteCountingProxy.ts), both directions, HTTP heads and WebSocket frames included; a session is counted from \`engine.start()\` until the engine is synced with its live socket ready and no byte has moved for 300 ms (the closing of sockets is not counted, on either side).`,
    `- ${bigCount.toLocaleString('en-US')} records: a second hub, ${bigOrgCount} organizations x ${ENTRIES_PER_ORG} short entries (one update per slot reused by every organization). A fresh secretariat client makes its initial sync through the engine (without bootstrap, like an old client), then reconnects.`,
    `- EDGE: test/bench/throttlingProxy.ts, 30,000 B/s paced per direction in 1,460-byte segments, 420 ms one way, one round trip before a new connection's first byte; ${edgeCount.toLocaleString('en-US')} records to keep the run short, pulled without bootstrap (as an old client); bytes/bandwidth uses both directions' bytes.`,
    `- Load: the hub as \`server/cli.ts serve\` in a child process (its own core; the load generator runs in the bench process); ${load.clients} organizations joined, ${LOAD_RECORDS_PER_CLIENT} entries each created first, then edits (title + summary) pushed as raw HTTP \`/v1/push\` requests of one record; an acknowledgement's latency is from sending the request to reading the 200 answer. Memory: the child's heapUsed and RSS after two full collections (through its inspector, \`--inspect=127.0.0.1:0\` in NODE_OPTIONS, detached before the load), with ${load.liveSockets} idle \`/v1/live\` sockets after hello against none.`,
    '',
    goalTable,
    '',
    'Side by side, and where the bytes go:',
    '',
    detailTable,
    '',
    ...findings,
    '',
    'How to read it: a y-websocket / Fieldwise ratio is how many times more the per-document baseline costs. Round trips are HTTP requests plus WebSocket handshakes seen by the proxy; a per-document sync adds its sync step 1 -> step 2 exchange per document. The live hello -> ready exchange rides on the live socket after its handshake and is not counted separately.',
  ].join('\n');

  console.log(`\n${HEADING}\n\n${body}\n`);
  if (s === 1) {
    await writeSection(HEADING, body);
    await windowSection(window, 'npm run bench -- sync', true);
    log('wrote docs/BENCHMARKS.md');
  } else {
    log(`scaled-down run (FIELDWISE_BENCH_SCALE=${s}): docs/BENCHMARKS.md left as it was`);
  }
}
