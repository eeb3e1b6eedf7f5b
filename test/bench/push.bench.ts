import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import * as Y from 'yjs';
import { entryMutators } from '../../shared/records/entry';
import type { JoinResponse } from '../../shared/sync/protocol';
import { changeUpdate, createUpdate, editContext } from '../support/hubRequests';

/*
 * `npm run bench -- push`: acknowledged records per second through `/v1/push`, with validation in
 * the worker pool against validation on the hub's main thread (as before the worker), side by
 * side in one run. Each configuration gets a fresh hub in a child process (pushHub.ts); rounds
 * alternate between configurations so a machine that gets busier mid-run costs each the same.
 * Clients push edits of their own entries one push after another on a keep-alive connection (as
 * the sync engine sends), all clients at once; a push carries `recordsPerPush` records (1 as a
 * device typing online, 10 as one coming back with a batch). FIELDWISE_BENCH_ROUNDS (3),
 * FIELDWISE_BENCH_CLIENTS (40) and FIELDWISE_BENCH_PUSHES (15 per client) scale it.
 */

const ROUNDS = Number(process.env.FIELDWISE_BENCH_ROUNDS ?? '3');
const CLIENTS = Number(process.env.FIELDWISE_BENCH_CLIENTS ?? '40');
const PUSHES = Number(process.env.FIELDWISE_BENCH_PUSHES ?? '15');

interface Configuration {
  readonly name: string;
  readonly workers: number;
  readonly recordsPerPush: number;
}

const configurations: readonly Configuration[] = [
  { name: 'main thread (no worker)', workers: 0, recordsPerPush: 1 },
  { name: 'worker pool of 1', workers: 1, recordsPerPush: 1 },
  { name: 'worker pool of 2', workers: 2, recordsPerPush: 1 },
  { name: 'main thread (no worker)', workers: 0, recordsPerPush: 10 },
  { name: 'worker pool of 2', workers: 2, recordsPerPush: 10 },
];

function post(agent: Agent, url: URL, path: string, token: string | null, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = httpRequest({ agent, host: url.hostname, port: url.port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function startHub(workers: number): Promise<{ url: URL; codes: string[]; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/pushHub.ts', String(workers), String(CLIENTS)], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bench hub exited (${code})`)));
  });
  const { url, codes } = JSON.parse(line) as { url: string; codes: string[] };
  return {
    url: new URL(url),
    codes,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

/** One round: a fresh hub, CLIENTS clients each pushing PUSHES pushes; acknowledged records per second. */
async function round(configuration: Configuration): Promise<{ recordsPerSecond: number; refusals: number }> {
  const hub = await startHub(configuration.workers);
  try {
    const setupAgent = new Agent({ keepAlive: false });
    const plans: { join: JoinResponse; bodies: string[]; agent: Agent }[] = [];
    for (const [c, code] of hub.codes.entries()) {
      const answer = await post(setupAgent, hub.url, '/v1/join', null, JSON.stringify({ code, deviceName: 'bench client' }));
      if (answer.status !== 200) throw new Error(`join failed: ${answer.status} ${answer.text}`);
      const join = JSON.parse(answer.text) as JoinResponse;
      const ctx = editContext(join.org.id, 'member', Date.UTC(2024, 5, 1));
      const docs = Array.from({ length: configuration.recordsPerPush }, (_, k) => {
        const create = createUpdate('entry', { kind: 'lesson', title: `Entry ${c}.${k}`, summary: 'A short entry', body: 'Body text.', tags: ['water'], language: 'en', attribution: { holderKind: 'person', holderName: 'A', consent: 'credit-by-name' }, sharing: 'network' }, ctx);
        const doc = new Y.Doc();
        Y.applyUpdate(doc, create);
        return { id: `entry-${randomBytes(12).toString('hex')}`, doc, create };
      });
      const setup = await post(setupAgent, hub.url, '/v1/push', join.token, JSON.stringify({ records: docs.map(({ id, create }) => ({ id, type: 'entry', update: Buffer.from(create).toString('base64') })) }));
      if (setup.status !== 200) throw new Error(`setup push failed: ${setup.status} ${setup.text}`);
      const bodies = Array.from({ length: PUSHES }, (_, p) =>
        JSON.stringify({
          records: docs.map(({ id, doc }) => {
            const update = changeUpdate(Y.encodeStateAsUpdate(doc), (d) => entryMutators.setFields.apply(d, { title: `Entry ${c} edit ${p}`, summary: `Counted ${p + 1} households today` }, { ...ctx, now: ctx.now + p + 1 }));
            Y.applyUpdate(doc, update);
            return { id, type: 'entry', update: Buffer.from(update).toString('base64') };
          }),
        }),
      );
      for (const { doc } of docs) doc.destroy();
      plans.push({ join, bodies, agent: new Agent({ keepAlive: true, maxSockets: 1 }) });
    }
    setupAgent.destroy();
    let acks = 0;
    let refusals = 0;
    const started = performance.now();
    await Promise.all(
      plans.map(async ({ join, bodies, agent }) => {
        for (const body of bodies) {
          const answer = await post(agent, hub.url, '/v1/push', join.token, body);
          if (answer.status === 200) acks += (JSON.parse(answer.text) as { acks: unknown[] }).acks.length;
          else refusals += 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const { agent } of plans) agent.destroy();
    return { recordsPerSecond: acks / seconds, refusals };
  } finally {
    await hub.stop();
  }
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(): Promise<void> {
  const results = configurations.map(() => [] as number[]);
  let refusals = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, configuration] of configurations.entries()) {
      const result = await round(configuration);
      results[i]!.push(result.recordsPerSecond);
      refusals += result.refusals;
      console.error(`round ${r + 1}: ${configuration.name}, ${configuration.recordsPerPush} per push: ${result.recordsPerSecond.toFixed(0)} records/s`);
    }
  }
  const baselineOf = (recordsPerPush: number) => median(results[configurations.findIndex((c) => c.workers === 0 && c.recordsPerPush === recordsPerPush)]!);
  console.log(`| validation | records per push | acknowledged records/s (median of ${ROUNDS}; each round) | against the main thread |`);
  console.log('|---|---|---|---|');
  for (const [i, configuration] of configurations.entries()) {
    const value = median(results[i]!);
    const ratio = value / baselineOf(configuration.recordsPerPush);
    console.log(`| ${configuration.name} | ${configuration.recordsPerPush} | ${value.toFixed(0)} (${results[i]!.map((v) => v.toFixed(0)).join(', ')}) | ${configuration.workers === 0 ? '—' : `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)} %`} |`);
  }
  console.log(`\n${CLIENTS} clients at once, ${PUSHES} pushes each per round, ${refusals} refused in all.`);
}
