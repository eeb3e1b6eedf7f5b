import { filter, firstValueFrom, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { openClient, type FieldwiseClient, type RecordChange } from '../../shared/client/client';
import { entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import type { OutboxChange } from '../../shared/store/store';
import { syncStateOf } from '../../shared/sync/syncState';
import { indexedDbStorage, memoryClient, uniqueName } from '../support/clients';

/*
 * What callers get from the client instead of reaching into the store: pending counts and change
 * streams as observables, many views in one read, and erasing the device's database.
 */

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

async function track(client: Promise<FieldwiseClient>): Promise<FieldwiseClient> {
  const opened = await client;
  open.push(opened);
  return opened;
}

const practice: EntryInput = {
  kind: 'practice',
  title: 'Drip irrigation from recycled bottles',
  body: 'Fill the bottles every third day.',
  tags: ['water'],
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

/** Resolves with the first value the observable emits that equals `expected` (the test times out otherwise). */
const reaches = (observable: Observable<number>, expected: number): Promise<number> => firstValueFrom(observable.pipe(filter((value) => value === expected)));

/** Collects what an observable emits until `stop`. */
function collect<T>(observable: Observable<T>): { readonly values: T[]; stop(): void } {
  const values: T[] = [];
  const subscription = observable.subscribe((value) => values.push(value));
  return { values, stop: () => subscription.unsubscribe() };
}

describe('the client as the door to the store', () => {
  it('keeps an unchanged record’s view object from one answer of observe to the next, and gives a changed one a new view', async () => {
    const client = await track(memoryClient());
    const a = await client.create('entry', practice);
    const b = await client.create('entry', { ...practice, title: 'Wells dry in April' });
    await client.flush();
    const answers = collect(client.observe({ type: 'entry', sort: 'updatedAt-desc' }));
    const answered = async (count: number) => {
      await expect.poll(() => answers.values.length).toBeGreaterThanOrEqual(count);
      return new Map(answers.values.at(-1)!.map((view) => [view.header.id, view]));
    };
    const first = await answered(1);
    expect(first.size).toBe(2);

    const c = await client.create('entry', { ...practice, title: 'Seed bank ledger' });
    await client.flush();
    const second = await answered(2);
    expect([...second.keys()].sort()).toEqual([a, b, c].sort());
    expect(second.get(a)).toBe(first.get(a));
    expect(second.get(b)).toBe(first.get(b));

    await client.mutate(a, entryMutators.setFields, { title: 'Bottle drip irrigation' });
    await client.flush();
    await expect.poll(() => (answers.values.at(-1)!.find((view) => view.header.id === a)!.projection as EntryProjection).title).toBe('Bottle drip irrigation');
    const third = await answered(3);
    expect(third.get(a)).not.toBe(first.get(a));
    expect(third.get(b)).toBe(first.get(b));
    expect(third.get(c)).toBe(second.get(c));
    // A second observer gets views of its own: nothing one subscriber holds is shared with another.
    const other = collect(client.observe({ type: 'entry', sort: 'updatedAt-desc' }));
    await expect.poll(() => other.values.length).toBe(1);
    expect(other.values[0]!.find((view) => view.header.id === b)).not.toBe(third.get(b));
    expect(other.values[0]!.find((view) => view.header.id === b)).toEqual(third.get(b));
    answers.stop();
    other.stop();
  });

  it('counts pending changes per record and in total, following local edits and acknowledgements', async () => {
    const client = await track(memoryClient());
    expect(await firstValueFrom(client.observePendingCount())).toBe(0);
    const a = await client.create('entry', practice);
    const b = await client.create('entry', { ...practice, title: 'Wells dry in April' });
    await client.mutate(a, entryMutators.setFields, { title: 'Bottle drip irrigation' });

    expect(await reaches(client.observePendingCount(), 3)).toBe(3);
    expect(await firstValueFrom(client.observePendingCount(a))).toBe(2);
    expect(await firstValueFrom(client.observePendingCount(b))).toBe(1);
    expect(await firstValueFrom(client.observePendingCount('entry-unknown'))).toBe(0);

    // A live count moves when the hub acknowledges a's entries, and b's count does not.
    const ofA = reaches(client.observePendingCount(a), 0);
    const total = reaches(client.observePendingCount(), 1);
    await client.acknowledge((await client.pendingUpdates()).filter((entry) => entry.header.id === a).map((entry) => entry.id));
    expect(await ofA).toBe(0);
    expect(await total).toBe(1);
    expect(await firstValueFrom(client.observePendingCount(b))).toBe(1);
    expect(await client.pendingCount()).toBe(1);
  });

  it('tells observers of outbox additions (local edits) and removals (acknowledgements)', async () => {
    const client = await track(memoryClient());
    const changes = collect<OutboxChange>(client.observeOutboxChanges());
    const id = await client.create('entry', practice);
    await client.mutate(id, entryMutators.setFields, { title: 'Renamed' });
    await client.acknowledge((await client.pendingUpdates()).map((entry) => entry.id));
    await reaches(client.observePendingCount(), 0);
    changes.stop();
    expect(changes.values).toEqual([
      { kind: 'added', recordId: id },
      { kind: 'added', recordId: id },
      { kind: 'removed', recordId: id },
      { kind: 'removed', recordId: id },
    ]);
  });

  it('tells observers of record changes from a local edit, from applyRemote and from a withdrawal', async () => {
    const laptop = await track(memoryClient({ identity: { orgId: 'org-a', deviceId: 'laptop' } }));
    const other = await track(memoryClient({ identity: { orgId: 'org-b', deviceId: 'desk' } }));
    const changes = collect<RecordChange>(laptop.observeRecordChanges());

    const own = await laptop.create('entry', practice);
    const theirs = await other.create('entry', { ...practice, title: 'From org B' });
    await laptop.applyRemote((await other.pendingUpdates()).map(({ header, update }) => ({ header, update, seq: 3 })));
    await laptop.forgetRecords([theirs]);
    changes.stop();

    expect(changes.values.map(({ kind, header }) => [kind, header.id])).toEqual([
      ['put', own],
      ['put', theirs],
      ['removed', theirs],
    ]);
    expect(changes.values[1]?.header).toMatchObject({ type: 'entry', ownerOrg: 'org-b' });
  });

  it('reads many views in the order asked for and leaves out ids it does not hold', async () => {
    const client = await track(memoryClient());
    const first = await client.create('entry', { ...practice, title: 'First' });
    const second = await client.create('entry', { ...practice, title: 'Second' });
    const third = await client.create('entry', { ...practice, title: 'Third' });

    const views = await client.getMany<EntryProjection>([third, 'entry-unknown', first, second]);
    expect(views.map((view) => view.header.id)).toEqual([third, first, second]);
    expect(views.map((view) => view.projection.title)).toEqual(['Third', 'First', 'Second']);
    expect(await client.getMany([])).toEqual([]);
  });

  it('erases the device database: reopened, it holds no records, no unsent changes and no sync state', async () => {
    const storage = indexedDbStorage();
    const name = uniqueName('erase');
    const identity = { orgId: 'org-a', deviceId: 'dev-1', role: 'member' as const };
    const first = await openClient({ storage, name, identity });
    await first.create('entry', practice);
    await syncStateOf(first).setCheckpoint(41);
    // The session's order: close first (stopping sync), then erase the closed client's database.
    await first.close();
    await first.erase();

    const reopened = await track(openClient({ storage, name, identity }));
    expect(await reopened.list({ type: 'entry' })).toEqual([]);
    expect(await reopened.pendingCount()).toBe(0);
    expect(await syncStateOf(reopened).checkpoint()).toBe(0);
  });

  it('erases an open client too, closing it first', async () => {
    const storage = indexedDbStorage();
    const name = uniqueName('erase-open');
    const identity = { orgId: 'org-a', deviceId: 'dev-1', role: 'member' as const };
    const client = await openClient({ storage, name, identity });
    await client.create('entry', practice);
    await client.erase();

    const reopened = await track(openClient({ storage, name, identity }));
    expect(await reopened.list({ type: 'entry' })).toEqual([]);
    expect(await reopened.pendingCount()).toBe(0);
  });
});
