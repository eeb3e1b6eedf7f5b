import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { DesktopBridge } from '../../shared/bridge/desktopBridge';
import type { EntryInput } from '../../shared/records/entry';
import type { StoreStorage } from '../../shared/store/storeStorage';
import { desktopOfflineApp } from '../../renderer/platform/offlineApp';
import type { Platform } from '../../renderer/platform/platform';
import type { DeviceProfile } from '../../renderer/session/deviceProfile';
import { Session, type SessionSync } from '../../renderer/session/session';
import { indexedDbStorage, uniqueName } from '../support/clients';
import { systemClock, waitFor } from '../support/syncedClient';

/*
 * The renderer's session without a sync engine (the demo network): the count of unsent changes
 * follows the client's outbox, and erasing the session leaves an empty database behind.
 */

const notInTheDemo = () => Promise.reject(new Error('a demo session never asks the bridge'));
const bridge: DesktopBridge = {
  appInfo: notInTheDemo,
  secretProtection: notInTheDemo,
  setSecret: notInTheDemo,
  getSecret: notInTheDemo,
  deleteSecret: notInTheDemo,
  saveFile: notInTheDemo,
  printToPdf: notInTheDemo,
  openExternal: notInTheDemo,
  setHubUrl: notInTheDemo,
  notify: notInTheDemo,
};

function platformOver(storage: StoreStorage): Platform {
  const settings = new Map<string, string>();
  return {
    bridge,
    storage,
    fetch: () => Promise.reject(new Error('a demo session never fetches')),
    WebSocket,
    gzip: () => Promise.reject(new Error('a demo session never compresses')),
    clock: systemClock,
    settings: {
      getItem: (key) => settings.get(key) ?? null,
      setItem: (key, value) => void settings.set(key, value),
      removeItem: (key) => void settings.delete(key),
    },
    offline: desktopOfflineApp,
    pageHubUrl: () => Promise.resolve(null),
  };
}

const demoProfile = (networkId: string): DeviceProfile => ({
  kind: 'demo',
  identity: { orgId: 'org-demo', deviceId: 'dev-1', role: 'member' },
  orgName: 'Demo co-op',
  networkId,
  hubUrl: '',
  deviceName: 'laptop',
  credentialId: '',
  joinedAt: 0,
});

const practice: EntryInput = {
  kind: 'practice',
  title: 'Drip irrigation from recycled bottles',
  body: 'Fill the bottles every third day.',
  tags: ['water'],
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

const open: Session[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((session) => session.close()));
});

const pendingOf = (sync: SessionSync): number => (sync.kind === 'engine' ? sync.status.pendingCount : sync.pendingCount);

describe('renderer session without a sync engine', () => {
  it('follows the count of unsent changes as they are written and acknowledged', async () => {
    const session = await Session.open(platformOver(indexedDbStorage()), demoProfile(uniqueName('net')), () => undefined);
    open.push(session);
    const id = await session.client.create('entry', practice);
    await session.client.create('entry', { ...practice, title: 'Second' });
    await waitFor(() => pendingOf(session.syncState) === 2, 5_000, 'two unsent changes');
    expect(session.syncState.kind).toBe('demo');

    await session.client.acknowledge((await session.client.pendingUpdates()).filter((entry) => entry.header.id === id).map((entry) => entry.id));
    await waitFor(() => pendingOf(session.syncState) === 1, 5_000, 'one unsent change');
  });

  it('tells a reader of one fact of the sync state only when that fact changes, not at every unsent change', async () => {
    const session = await Session.open(platformOver(indexedDbStorage()), demoProfile(uniqueName('net')), () => undefined);
    open.push(session);
    const hasUnsent: boolean[] = [];
    const quarantined: number[] = [];
    const stopUnsent = session.onDidChangeSyncOf((sync) => pendingOf(sync) > 0, (value) => hasUnsent.push(value));
    const stopQuarantined = session.onDidChangeSyncOf((sync) => (sync.kind === 'engine' ? sync.status.quarantinedCount : 0), (count) => quarantined.push(count));
    for (const title of ['First', 'Second', 'Third']) await session.client.create('entry', { ...practice, title });
    await waitFor(() => pendingOf(session.syncState) === 3, 5_000, 'three unsent changes');
    stopUnsent();
    stopQuarantined();

    expect(hasUnsent).toEqual([true]);
    expect(quarantined).toEqual([]);
  });

  it('erases its database: a session opened again on the same profile starts empty', async () => {
    const platform = platformOver(indexedDbStorage());
    const profile = demoProfile(uniqueName('net'));
    const first = await Session.open(platform, profile, () => undefined);
    await first.client.create('entry', practice);
    await first.closeAndErase();

    const again = await Session.open(platform, profile, () => undefined);
    open.push(again);
    expect(await again.client.list({ type: 'entry' })).toEqual([]);
    expect(await again.client.pendingCount()).toBe(0);
  });
});
