import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import type { NetworkStatusResponse } from '../../shared/sync/protocol';
import type { SyncLogEvent } from '../../shared/sync/syncLog';
import { syncStateOf, type QuarantinedEntry } from '../../shared/sync/syncState';
import { memoryClient } from '../support/clients';

/*
 * The one owner of sync state in the store's meta: every value round-trips, a missing or damaged
 * value reads as its default instead of throwing, and values stored under the keys and shapes
 * devices already have on disk read back (changing a key would strand them).
 */

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

async function client(): Promise<FieldwiseClient> {
  const opened = await memoryClient();
  open.push(opened);
  return opened;
}

const status: NetworkStatusResponse = {
  asOf: 9_000,
  orgs: [
    { orgId: 'org-a', lastSeenAt: 8_000, waitingChanges: 2, asOf: 9_000 },
    { orgId: 'org-b', lastSeenAt: null, waitingChanges: null, asOf: 9_000 },
  ],
};
const quarantine: QuarantinedEntry[] = [{ id: '17~abc', recordId: 'entry-1', code: 'forbidden', message: 'not yours', at: 5_000 }];
const log: SyncLogEvent[] = [
  { at: 1, kind: 'start' },
  { at: 2, kind: 'push', records: 1, entries: 2, seq: 7 },
  { at: 3, kind: 'error', phase: 'pull', code: null, status: null, message: 'offline', retryInMs: 1_000 },
];

/** The meta keys as devices have them on disk. */
const KEYS = ['sync.checkpoint', 'sync.quarantine', 'sync.networkStatus', 'sync.networkStatusFetchedAt', 'sync.log'] as const;

describe('sync state in the store meta', () => {
  it('reads the defaults before anything was stored', async () => {
    const state = syncStateOf(await client());
    expect(await state.checkpoint()).toBe(0);
    expect(await state.quarantine()).toEqual([]);
    expect(await state.networkStatus()).toBeNull();
    expect(await state.orgSyncStatus()).toEqual([]);
    expect(await state.networkStatusFetchedAt()).toBeNull();
    expect(await state.readLog()).toEqual([]);
  });

  it('round-trips the checkpoint, the quarantine, the network status with its fetch time, and the log', async () => {
    const state = syncStateOf(await client());
    await state.setCheckpoint(41);
    await state.setQuarantine(quarantine);
    await state.setNetworkStatus(status, 8_500);
    await state.writeLog(log);
    expect(await state.checkpoint()).toBe(41);
    expect(await state.quarantine()).toEqual(quarantine);
    expect(await state.networkStatus()).toEqual(status);
    expect(await state.orgSyncStatus()).toEqual(status.orgs);
    expect(await state.networkStatusFetchedAt()).toBe(8_500);
    expect(await state.readLog()).toEqual(log);
  });

  it('follows the network status as it is stored', async () => {
    const opened = await client();
    const seen = firstValueFrom(syncStateOf(opened).observeOrgSyncStatus().pipe(filter((orgs) => orgs.length > 0)));
    await syncStateOf(opened).setNetworkStatus(status, 8_500);
    expect(await seen).toEqual(status.orgs);
  });

  it('reads the values devices stored before this module, under the same keys and shapes', async () => {
    const opened = await client();
    await opened.meta.set('sync.checkpoint', { seq: 41 });
    await opened.meta.set('sync.quarantine', { entries: quarantine });
    await opened.meta.set('sync.networkStatus', status);
    await opened.meta.set('sync.networkStatusFetchedAt', { at: 8_500 });
    await opened.meta.set('sync.log', { events: log });
    const state = syncStateOf(opened);
    expect(await state.checkpoint()).toBe(41);
    expect(await state.quarantine()).toEqual(quarantine);
    expect(await state.networkStatus()).toEqual(status);
    expect(await state.networkStatusFetchedAt()).toBe(8_500);
    expect(await state.readLog()).toEqual(log);
  });

  it.each([
    ['values of the wrong type', { seq: 'forty', entries: 'none', asOf: 'yesterday', orgs: {}, at: 'noon', events: 5 }],
    ['values out of range', { seq: -3, entries: [{ id: 1 }], asOf: -1, orgs: [{ orgId: 'a' }], at: null, events: null }],
    ['an array where an object belongs', [1, 2, 3]],
  ])('reads %s under every key as the defaults, without throwing', async (_what, garbage) => {
    const opened = await client();
    for (const key of KEYS) await opened.meta.set(key, garbage);
    const state = syncStateOf(opened);
    expect(await state.checkpoint()).toBe(0);
    expect(await state.quarantine()).toEqual([]);
    expect(await state.networkStatus()).toBeNull();
    expect(await state.orgSyncStatus()).toEqual([]);
    expect(await state.networkStatusFetchedAt()).toBeNull();
    expect(await state.readLog()).toEqual([]);
  });

  it('keeps the readable events of a log that holds a damaged one', async () => {
    const opened = await client();
    await opened.meta.set('sync.log', { events: [log[0], { at: 'later', kind: 'push' }, { at: 4, kind: 'from-a-newer-version' }, log[1]] });
    expect(await syncStateOf(opened).readLog()).toEqual([log[0], log[1]]);
  });
});
