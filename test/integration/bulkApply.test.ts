import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { FieldwiseClient, RemoteUpdate } from '../../shared/client/client';
import { entry as entryModule, entryMutators } from '../../shared/records/entry';
import type { RecordHeader } from '../../shared/records/recordType';
import { serveRowFolding } from '../../shared/client/rowFolding';
import { foldIntoDoc, toRecordRow } from '../../shared/store/recordState';
import type { WorkerPortLike } from '../../shared/workers/portCalls';
import type { RecordRow } from '../../shared/store/schemas';
import { rxStorageOf, storeStorageOf, type StoreStorage } from '../../shared/store/storeStorage';
import { generateEntries } from '../bench/entryCorpus';
import { indexedDbStorage, memoryClient } from '../support/clients';

/*
 * The bulk path of issue 17: applyRemote takes pulled pages and whole bundles in pages of 500
 * records, one read and one storage write each, folding in slices between which the thread is
 * given back, or in the renderer's fold worker (shared/client/rowFolding.ts). What it stores must
 * be what applying each record on its own stores.
 */

const open: FieldwiseClient[] = [];
const ports: MessagePort[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
  for (const port of ports.splice(0)) port.close();
});

/** A fold worker's port: the other end of a MessageChannel answered by the worker's own code. */
function foldWorkerPort(): MessagePort {
  const { port1, port2 } = new MessageChannel();
  serveRowFolding(port2);
  ports.push(port1, port2);
  return port1;
}

const folding = [
  { where: 'on this thread', options: {} },
  { where: 'in a fold worker', options: { startFoldWorker: foldWorkerPort } },
];

async function client(options: Parameters<typeof memoryClient>[0] = {}): Promise<FieldwiseClient> {
  const opened = await memoryClient({ storage: indexedDbStorage(), ...options });
  open.push(opened);
  return opened;
}

/** Entries of other organizations as a pull delivers them: header, whole state, sequence number. */
function pulled(count: number): { updates: RemoteUpdate[]; docs: Y.Doc[] } {
  const docs: Y.Doc[] = [];
  const updates = generateEntries(count).map((item, i): RemoteUpdate => {
    const header: RecordHeader = { id: `entry-bulk-${String(i).padStart(5, '0')}`, type: 'entry', ownerOrg: item.ownerOrg === 'org-a' ? 'org-z' : item.ownerOrg, createdAt: item.createdAt };
    const doc = new Y.Doc();
    entryModule.create(doc, entryModule.parseInput(item.input), { orgId: header.ownerOrg, deviceId: 'dev-far', role: 'member', now: item.createdAt });
    docs.push(doc);
    return { header, update: Y.encodeStateAsUpdate(doc), seq: i + 1 };
  });
  return { updates, docs };
}

/** An edit of each of `every`-th record, as the delta a later pull carries. */
function edits(base: { updates: RemoteUpdate[]; docs: Y.Doc[] }, every: number, firstSeq: number): RemoteUpdate[] {
  return base.updates.flatMap((u, i) => {
    if (i % every !== 0) return [];
    const doc = base.docs[i]!;
    const before = Y.encodeStateVector(doc);
    entryMutators.setFields.apply(doc, { title: `Edited ${i}`, summary: `Second pull ${i}` }, { orgId: u.header.ownerOrg, deviceId: 'dev-far', role: 'member', now: u.header.createdAt + 1000 });
    return [{ header: u.header, update: Y.encodeStateAsUpdate(doc, before), seq: firstSeq + i }];
  });
}

/** The row of each record, folded on its own from everything it was sent, as the old path did. */
function expectedRows(rounds: readonly (readonly RemoteUpdate[])[]): Map<string, RecordRow> {
  const byId = new Map<string, RemoteUpdate[]>();
  for (const round of rounds) for (const u of round) byId.set(u.header.id, [...(byId.get(u.header.id) ?? []), u]);
  const rows = new Map<string, RecordRow>();
  for (const [id, mine] of byId) {
    const doc = foldIntoDoc(null, mine.map((u) => u.update));
    rows.set(id, toRecordRow(mine[0]!.header, doc, Math.max(...mine.map((u) => u.seq ?? 0))));
    doc.destroy();
  }
  return rows;
}

interface RecordWrites {
  /** Rows of each storage write of records, as each was issued (a page's writes in any order). */
  readonly sizes: number[];
  /** Most record writes in flight at once. */
  mostInFlight: number;
  inFlight: number;
  /** Rejects the record write of this number (1 the first), as a full disk would. */
  failingWrite?: number;
}

/** The same storage, with the records collection's writes counted (and one failed, if asked). */
function countingRecordWrites(storage: StoreStorage, writes: RecordWrites): StoreStorage {
  const rx = rxStorageOf(storage);
  return storeStorageOf({
    name: rx.name,
    rxdbVersion: rx.rxdbVersion,
    async createStorageInstance(params) {
      const instance = await rx.createStorageInstance(params);
      if (params.collectionName !== 'records') return instance;
      const bulkWrite = instance.bulkWrite.bind(instance);
      instance.bulkWrite = async (rows, context) => {
        writes.sizes.push(rows.length);
        const number = writes.sizes.length;
        writes.inFlight += 1;
        writes.mostInFlight = Math.max(writes.mostInFlight, writes.inFlight);
        try {
          if (number === writes.failingWrite) throw new Error('disk full');
          return await bulkWrite(rows, context);
        } finally {
          writes.inFlight -= 1;
        }
      };
      return instance;
    },
  });
}

async function storedRows(of: FieldwiseClient): Promise<Map<string, RecordRow>> {
  return new Map((await of.listRows({ type: 'entry' })).map((row) => [row.id, row]));
}

describe('applying pulled pages and bundles in bulk', () => {
  it.each(folding)('stores what applying each record on its own stores: rows, projections, states and sequence numbers, folding $where', { timeout: 180_000 }, async ({ options }) => {
    const base = pulled(700);
    const second = edits(base, 7, 5_000);
    const bulk = await client(options);
    const single = await client();

    await bulk.applyRemote(base.updates); // one call, two pages, as a hub bundle is applied
    await bulk.applyRemote(second);
    for (const u of [...base.updates, ...second]) await single.applyRemote([u]);

    const expected = expectedRows([base.updates, second]);
    const fromBulk = await storedRows(bulk);
    const fromSingle = await storedRows(single);
    expect(fromBulk.size).toBe(700);
    expect([...fromBulk.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, row] of expected) {
      expect(fromBulk.get(id), id).toEqual(row);
      expect(fromSingle.get(id), id).toEqual(row);
    }
    expect(fromBulk.get('entry-bulk-00007')?.projection).toMatchObject({ title: 'Edited 7', summary: 'Second pull 7' });
  });

  it('writes a page in storage writes of at most rowsPerWrite rows, issued together, and stores what applying each record alone stores', async () => {
    const writes: RecordWrites = { sizes: [], mostInFlight: 0, inFlight: 0 };
    const bulk = await client({ storage: countingRecordWrites(indexedDbStorage(), writes), applyPageRecords: 100, rowsPerWrite: 25 });
    const base = pulled(230);
    const second = edits(base, 4, 1_000);
    writes.sizes.length = 0;

    await bulk.applyRemote(base.updates); // pages of 100, 100 and 30
    expect([...writes.sizes].sort((a, b) => b - a)).toEqual([25, 25, 25, 25, 25, 25, 25, 25, 25, 5]);
    expect(writes.mostInFlight).toBeGreaterThan(1);
    await bulk.applyRemote(second); // 58 rows written over, in one page
    expect(writes.sizes.slice(10).sort((a, b) => b - a)).toEqual([25, 25, 8]);

    const expected = expectedRows([base.updates, second]);
    const stored = await storedRows(bulk);
    expect(stored.size).toBe(230);
    for (const [id, row] of expected) expect(stored.get(id), id).toEqual(row);
  });

  it('rejects a page whose one storage write failed only once its other writes are done, and applying it again stores it whole', async () => {
    const writes: RecordWrites = { sizes: [], mostInFlight: 0, inFlight: 0 };
    const bulk = await client({ storage: countingRecordWrites(indexedDbStorage(), writes), applyPageRecords: 100, rowsPerWrite: 25 });
    const base = pulled(100);
    writes.sizes.length = 0;
    writes.failingWrite = 2;

    await expect(bulk.applyRemote(base.updates)).rejects.toThrow('disk full');
    // Nothing of the failed call is still writing: a checkpoint stored after it could not outrun it.
    expect(writes.inFlight).toBe(0);
    expect(writes.sizes).toEqual([25, 25, 25, 25]);
    expect((await storedRows(bulk)).size).toBe(75);

    await bulk.applyRemote(base.updates);
    const expected = expectedRows([base.updates]);
    const stored = await storedRows(bulk);
    expect(stored.size).toBe(100);
    for (const [id, row] of expected) expect(stored.get(id), id).toEqual(row);
  });

  it('writes a pulled record again over the tombstone its withdrawal left', async () => {
    const base = pulled(600);
    const bulk = await client();
    await bulk.applyRemote(base.updates);
    const withdrawn = base.updates.slice(0, 50).map((u) => u.header.id);
    await bulk.forgetRecords(withdrawn);
    expect(await bulk.getMany(withdrawn)).toEqual([]);

    await bulk.applyRemote(base.updates.slice(0, 550));
    const expected = expectedRows([base.updates]);
    const stored = await storedRows(bulk);
    expect(stored.size).toBe(600);
    for (const id of withdrawn) expect(stored.get(id)).toEqual(expected.get(id));
  });

  it('leaves the outbox as it was: local changes stay unsent, in their order', async () => {
    let clock = 1_000;
    const bulk = await client({ now: () => ++clock });
    const own = await bulk.create('entry', { kind: 'practice', title: 'Own practice', summary: '', body: '', tags: [], region: [], language: 'en', attribution: { holderKind: 'person', holderName: 'Li', consent: 'anonymous' }, sharing: 'network' });
    await bulk.mutate(own, entryMutators.setFields, { title: 'Own practice, edited' });
    const before = await bulk.pendingUpdates();
    expect(before).toHaveLength(2);

    await bulk.applyRemote(pulled(700).updates);

    expect(await bulk.pendingUpdates()).toEqual(before);
    expect((await bulk.get<'entry'>(own))?.projection.title).toBe('Own practice, edited');
  });

  it('tells an observed list once per page, not once per record', async () => {
    const bulk = await client();
    const emitted: number[] = [];
    const subscription = bulk.observe({ type: 'entry', limit: 20 }).subscribe((views) => emitted.push(views.length));
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const first = emitted.length;
      await bulk.applyRemote(pulled(1_200).updates); // three pages of 500, 500 and 200
      await new Promise((resolve) => setTimeout(resolve, 50));
      const heard = emitted.length - first;
      expect(heard).toBeGreaterThanOrEqual(1);
      expect(heard).toBeLessThanOrEqual(3);
      expect(emitted.at(-1)).toBe(20);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('tells the record change stream of every record written, once each', async () => {
    const bulk = await client();
    const heard = new Map<string, number>();
    const subscription = bulk.observeRecordChanges().subscribe((change) => heard.set(change.header.id, (heard.get(change.header.id) ?? 0) + 1));
    try {
      const base = pulled(800);
      await bulk.applyRemote(base.updates);
      expect(heard.size).toBe(800);
      expect([...heard.values()].every((times) => times === 1)).toBe(true);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('gives the thread back while it folds a large page', async () => {
    const bulk = await client();
    const updates = pulled(1_000).updates;
    let turns = 0;
    let isApplying = true;
    const tick = () => {
      if (!isApplying) return;
      turns += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    await bulk.applyRemote(updates);
    isApplying = false;
    // Folding 1,000 entries takes far more than one slice; each yield lets the ticker run.
    expect(turns).toBeGreaterThan(10);
  });

  it.each(folding)('gives an editor that opens a record during the apply the pulled change, and the row holds it too, folding $where', { timeout: 120_000 }, async ({ options }) => {
    const base = pulled(1_000);
    const bulk = await client(options);
    await bulk.applyRemote(base.updates);
    const second = edits(base, 1, 10_000);
    const target = base.updates[900]!.header.id;

    const applying = bulk.applyRemote(second);
    const doc = await bulk.openDoc(target);
    await applying;

    expect(entryModule.read(doc).title).toBe('Edited 900');
    expect((await bulk.get<'entry'>(target))?.projection).toMatchObject({ title: 'Edited 900', summary: 'Second pull 900' });
    bulk.releaseDoc(target);
  });

  it.each(folding)('refuses a page holding a broken update with the record named, and writes nothing of that page, folding $where', async ({ options }) => {
    const base = pulled(20);
    const bulk = await client(options);
    const broken: RemoteUpdate = { ...base.updates[5]!, update: new Uint8Array([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]) };
    const page = [...base.updates.slice(0, 5), broken, ...base.updates.slice(6)];

    await expect(bulk.applyRemote(page)).rejects.toThrow(/entry-bulk-00005/);
    expect(await storedRows(bulk)).toEqual(new Map());
    // The rest arrives whole once the broken one is gone.
    await bulk.applyRemote(base.updates);
    expect((await storedRows(bulk)).size).toBe(20);
  });

  it('folds on this thread when the fold worker dies, and stores the same rows', async () => {
    const listeners: ((event: { data: unknown }) => void)[] = [];
    // A worker whose script never loaded: it takes messages, answers none, and reports an error.
    const dead: WorkerPortLike = {
      postMessage: () => queueMicrotask(() => errors.forEach((listener) => listener())),
      addEventListener: ((type: 'message' | 'error', listener: never) => {
        if (type === 'error') errors.push(listener);
        else listeners.push(listener);
      }) as WorkerPortLike['addEventListener'],
    };
    const errors: (() => void)[] = [];
    let starts = 0;
    const bulk = await client({ startFoldWorker: () => (++starts, dead) });
    const base = pulled(30);
    const second = edits(base, 3, 1_000);
    await bulk.applyRemote(base.updates);
    await bulk.applyRemote(second);
    const expected = expectedRows([base.updates, second]);
    const stored = await storedRows(bulk);
    expect(stored.size).toBe(30);
    for (const [id, row] of expected) expect(stored.get(id), id).toEqual(row);
    expect(starts).toBe(1);
  });
});
