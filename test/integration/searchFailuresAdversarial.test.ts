import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import type { EntryInput } from '../../shared/records/entry';
import type { WorkerPortLike } from '../../shared/workers/portCalls';
import { indexedDbStorage, memoryClient, uniqueName } from '../support/clients';
import { closedWithSearchPorts, closeSearchPorts, keptIndexes, searchWorkerPort } from '../support/searchWorkerPorts';

/*
 * Attacks on the search worker's failure handling (client.ts newSearchBackend and searchEntries,
 * persistedSearch.ts startOver / mustRebuild).
 */

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
  closeSearchPorts();
});

const consented = { holderKind: 'community', holderName: '', consent: 'community-approved' } as const;
const titles = ['Rainwater harvesting for school gardens', 'Flood warnings reach elderly villagers too late', 'Seed banks kept by women farmers', 'Composting toilets for mountain schools'];
const input = (i: number): EntryInput => ({ kind: 'practice', title: `${titles[i % titles.length]!} ${i}`, body: 'Roof gutters feed two tanks.', tags: ['water'], language: 'en', attribution: consented, sharing: 'network' });

/**
 * A worker that answers its requests one at a time, in order (as a Worker does), where the
 * operations in `refused` take `delayMs` and then throw (an index that could not take a large
 * page); everything else is the worker's own code. `seen` counts the requests by operation.
 */
function slowRefusingPort(worker: MessagePort, refused: Set<string>, delayMs: number, seen: Map<string, number>): MessagePort {
  const { port1, port2 } = new MessageChannel();
  const answers = new Map<number, (data: unknown) => void>();
  worker.onmessage = ({ data }: MessageEvent<{ id: number }>) => answers.get(data.id)?.(data);
  let turn: Promise<void> = Promise.resolve();
  port2.onmessage = ({ data }: MessageEvent<{ id: number; op: string }>) => {
    seen.set(data.op, (seen.get(data.op) ?? 0) + 1);
    const isRefused = refused.has(data.op);
    turn = turn.then(
      () =>
        new Promise<void>((resolve) => {
          if (isRefused) {
            setTimeout(() => {
              port2.postMessage({ id: data.id, ok: false, error: `${data.op} refused` });
              resolve();
            }, delayMs);
            return;
          }
          answers.set(data.id, (answer) => {
            answers.delete(data.id);
            port2.postMessage(answer);
            resolve();
          });
          worker.postMessage(data);
        }),
    );
  };
  closedWithSearchPorts(port1, port2);
  return port1;
}

/** A worker whose script never loads: it answers nothing and reports an 'error' soon after it is made. */
function deadWorker(): WorkerPortLike {
  const onError: (() => void)[] = [];
  setTimeout(() => {
    for (const listener of onError) listener();
  }, 5);
  return {
    postMessage: () => undefined,
    addEventListener: (type: 'message' | 'error', listener: (event: { readonly data: unknown }) => void) => {
      if (type === 'error') onError.push(() => listener({ data: undefined }));
    },
  };
}

describe('search worker failures', () => {
  // Failed before d3cc5c1: the saved index claims the refused change and the next session trusts it.
  it('does not save, as the client closes, an index that could not take a change: the next session finds the entry', async () => {
    const name = uniqueName('adv13-refused-then-close');
    const { kept, storage } = keptIndexes();
    const refused = new Set<string>();
    const seen = new Map<string, number>();
    const first = await memoryClient({ storage: indexedDbStorage(), name, searchIndexDatabase: `${name}-search`, startSearchWorker: () => slowRefusingPort(searchWorkerPort(storage), refused, 100, seen) });
    open.push(first);
    for (let i = 0; i < 8; i++) await first.create('entry', input(i));
    expect(await first.warmSearch()).toEqual({ source: 'built', caughtUp: 8 });
    await expect.poll(() => kept.has(`${name}-search`)).toBe(true);

    // The index throws on the next change (after a while, as on a large page); the window closes meanwhile.
    refused.add('apply');
    const appliesBefore = seen.get('apply') ?? 0;
    const late = await first.create('entry', { ...input(3), title: 'Terraced rice under drip lines' });
    await first.flush();
    await expect.poll(() => seen.get('apply') ?? 0).toBe(appliesBefore + 1);
    open.splice(open.indexOf(first), 1);
    await first.close();

    // The next session, its worker well again.
    const second = await memoryClient({ storage: indexedDbStorage(), name, searchIndexDatabase: `${name}-search`, startSearchWorker: () => searchWorkerPort(storage) });
    open.push(second);
    expect((await second.searchEntries('terraced')).map((hit) => hit.id)).toEqual([late]);
  });

  // Failed before d3cc5c1: the first search throws "search worker failed".
  it('answers the first search from this thread when neither worker can start', async () => {
    let started = 0;
    const client = await memoryClient({
      startSearchWorker: () => {
        started += 1;
        return deadWorker();
      },
    });
    open.push(client);
    const id = await client.create('entry', { ...input(0), title: 'Terraced rice under drip lines' });
    await client.flush();
    const hits = await client.searchEntries('terraced').then(
      (found) => found.map((hit) => hit.id),
      (error: Error) => `failed: ${error.message}`,
    );
    expect(started).toBe(2);
    expect(hits).toEqual([id]);
  });

  // Holds on main: concurrent searches while the worker fails all get answers, and only two workers start.
  it('answers concurrent searches asked while the worker dies', async () => {
    let started = 0;
    const client = await memoryClient({
      startSearchWorker: () => {
        started += 1;
        return deadWorker();
      },
    });
    open.push(client);
    const id = await client.create('entry', { ...input(0), title: 'Terraced rice under drip lines' });
    await client.flush();
    // The first failure is taken by the warm-up, as the session does at start.
    await client.warmSearch().catch(() => undefined);
    const answers = await Promise.all(
      ['terraced', 'rice', 'drip', 'terr'].map((text) =>
        client.searchEntries(text).then(
          (found) => found.map((hit) => hit.id),
          (error: Error) => `failed: ${error.message}`,
        ),
      ),
    );
    expect(answers).toEqual([[id], [id], [id], [id]]);
    expect(started).toBe(2);
  });
});
