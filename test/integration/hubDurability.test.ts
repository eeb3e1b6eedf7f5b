import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { entryMutators } from '../../shared/records/entry';
import { joinResponseSchema, type JoinResponse, type PushRequest } from '../../shared/sync/protocol';
import type { SyncTransport } from '../../shared/sync/transport';
import { runHubCommand, runHubCommandAsync, startHubProcess, type HubProcess } from '../support/hubProcess';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';

/*
 * Durability: clients push continuously while the hub is killed with SIGKILL at random (seeded)
 * moments and restarted on the same data. Every change the hub acknowledged must be there
 * afterwards, and the clients converge. A failure prints the seed that replays it.
 */

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const seed = Number(process.env.FIELDWISE_SEED ?? Date.now() % 2 ** 31);
const replay = `FIELDWISE_SEED=${seed} npx vitest run test/integration/hubDurability.test.ts`;

describe('hub durability under SIGKILL', () => {
  const data = mkdtempSync(join(tmpdir(), 'fieldwise-durability-'));
  let hub: HubProcess | null = null;
  const clients: SyncedClient[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await hub?.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });

  it('keeps every acknowledged update and the clients converge', async () => {
    const [killDelays] = fc.sample(fc.array(fc.integer({ min: 150, max: 900 }), { minLength: 5, maxLength: 5 }), { seed, numRuns: 1 });
    expect(runHubCommand(['init', '--data', data, '--network', 'Durability']).status).toBe(0);
    const port = await freePort();
    const serveArgs = ['--data', data, '--port', String(port)];
    hub = await startHubProcess(serveArgs);
    const url = `http://127.0.0.1:${port}`;

    const joins: JoinResponse[] = [];
    for (const name of ['Org A', 'Org B', 'Org C']) {
      // Not the blocking form: a CLI that starts slowly on a busy machine would stall this process
      // past the hub's keep-alive timeout, and the next fetch would reuse a socket the hub closed.
      const code = (await runHubCommandAsync(['invite', '--data', data, '--org-name', name, '--role', 'member'])).lastLine;
      const response = await fetch(`${url}/v1/join`, { method: 'POST', body: JSON.stringify({ code, deviceName: name }) });
      joins.push(joinResponseSchema.parse(await response.json()));
    }

    // The records whose changes the hub acknowledged (a push answered 200).
    const acknowledged = new Set<string>();
    const watchAcks = (transport: SyncTransport): SyncTransport => ({
      ...transport,
      async push(body: PushRequest) {
        const result = await transport.push(body);
        if (result.ok) for (const record of body.records) acknowledged.add(record.id);
        return result;
      },
    });
    for (const joined of joins) {
      const synced = await syncedClient({ url }, joined, {
        wrapTransport: watchAcks,
        engine: { backoff: { baseMs: 50, capMs: 400 }, localDebounceMs: 20, localMaxWaitMs: 100 },
      });
      clients.push(synced);
      await synced.engine.start();
    }

    // Everyone writes continuously while the hub dies and comes back.
    let isWriting = true;
    let written = 0;
    const writers = clients.map(async (c, i) => {
      const own: string[] = [];
      while (isWriting) {
        if (own.length < 5 || written % 3 === 0) {
          own.push(
            await c.client.create('entry', {
              kind: 'practice',
              title: `org ${i} entry ${own.length}`,
              language: 'en',
              attribution: { holderKind: 'community', holderName: 'village', consent: 'community-approved' },
              sharing: 'network',
            }),
          );
        } else {
          await c.client.mutate(own[written % own.length]!, entryMutators.setFields, { title: `org ${i} edit ${written}` });
        }
        written += 1;
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    });
    for (const delay of killDelays!) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      await hub.kill('SIGKILL');
      hub = await startHubProcess(serveArgs);
    }
    isWriting = false;
    await Promise.all(writers);

    // Quiet: every client pushes what is left and pulls everyone else's.
    for (let round = 0; round < 3; round++) for (const c of clients) await c.engine.syncNow();
    await waitFor(async () => (await Promise.all(clients.map((c) => c.client.pendingCount()))).every((n) => n === 0), 20_000, `outboxes to empty (${replay})`);
    for (const c of clients) await c.engine.syncNow();

    // Read the hub back with a fresh store, after one more SIGKILL.
    await hub.kill('SIGKILL');
    hub = await startHubProcess(serveArgs);
    const reader = await syncedClient({ url }, joins[0]!, { name: `durability-reader-${seed}` });
    clients.push(reader);
    await reader.engine.syncNow();
    const onHub = new Map((await reader.client.list({ type: 'entry' })).map((view) => [view.header.id, view.projection.title]));

    expect(written, replay).toBeGreaterThan(20);
    expect(acknowledged.size, replay).toBeGreaterThan(0);
    for (const id of acknowledged) expect(onHub.has(id), `acknowledged ${id} lost (${replay})`).toBe(true);
    // Every client's view equals the hub's: nothing lost, nothing extra.
    for (const c of clients.slice(0, 3)) {
      const local = new Map((await c.client.list({ type: 'entry' })).map((view) => [view.header.id, view.projection.title]));
      expect(local, replay).toEqual(onHub);
    }
  }, 120_000);
});
