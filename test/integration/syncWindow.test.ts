import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ballotId, ballotMutators } from '../../shared/records/ballot';
import type { EntryInput } from '../../shared/records/entry';
import type { SyncStatus } from '../../shared/sync/syncEngine';
import type { SyncTransport } from '../../shared/sync/transport';
import { startThrottlingProxy, type ThrottlingProxy } from '../bench/throttlingProxy';
import { startCuttableProxy, testConnectivity, type CuttableProxy } from '../support/cuttableProxy';
import { openTestProposal } from '../support/governance';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';

/*
 * Issue 13, "Use the window": a real hub behind a loopback link the test cuts and restores, the
 * shared client core on the other side. Waits are the product's own promises (3 s after the link
 * returns; a 20-second window); nothing else here is timed.
 */

const practice: EntryInput = {
  kind: 'practice',
  title: 'Drip irrigation from recycled bottles',
  body: 'Fill the bottles every third day.',
  tags: ['water'],
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

let hub: TestHub;
const open: SyncedClient[] = [];
const links: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  hub = await startTestHub();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((synced) => synced.close()));
  await Promise.all(links.splice(0).map((link) => link.close()));
  await hub.close();
});

async function cuttable(target: string): Promise<CuttableProxy> {
  const proxy = await startCuttableProxy(target);
  links.push(proxy);
  return proxy;
}

/** What each push carried and whether the hub answered it. */
interface PushLogLine {
  readonly ids: readonly string[];
  readonly types: readonly string[];
  ok: boolean | null;
}

function recordingPushes(log: PushLogLine[], probes: { count: number }): (transport: SyncTransport) => SyncTransport {
  return (transport) => ({
    ...transport,
    async push(body) {
      const line: PushLogLine = { ids: body.records.map((r) => r.id), types: body.records.map((r) => r.type), ok: null };
      log.push(line);
      const result = await transport.push(body);
      line.ok = result.ok;
      return result;
    },
    probe: async () => {
      probes.count += 1;
      return transport.probe!();
    },
  });
}

describe('sync uses every window', () => {
  it('delivers a change made offline within 3 s of the platform saying online, with nothing pressed', async () => {
    const link = await cuttable(hub.url);
    const connectivity = testConnectivity();
    const device = await syncedClient({ url: link.url }, await hub.join(await hub.invite('Xishan Water Users')), { engine: { connectivity: connectivity.port } });
    open.push(device);
    await device.engine.start();
    await waitFor(() => device.engine.status.state === 'synced' && device.engine.status.isLive, 10_000, 'first sync');

    connectivity.set(false);
    link.cut();
    const id = await device.client.create('entry', practice);
    await device.client.flush();
    await waitFor(() => device.engine.status.pendingCount === 1, 5_000, 'the change counted');
    // The platform says offline: nothing is tried, so there is no retry time to show.
    expect(device.engine.status).toMatchObject({ state: 'offline', cause: 'platform', nextRetryAt: null });

    link.restore();
    connectivity.set(true);
    await waitFor(async () => (await hub.storage.getRecord(id)) !== null, 3_000, 'the change at the hub within 3 s of the link returning');
    await waitFor(() => device.engine.status.state === 'synced' && device.engine.status.pendingCount === 0, 5_000, 'synced');
    await waitFor(() => device.engine.status.isLive, 5_000, 'the live socket back');
  });

  it('counts what waits to be sent when it starts while the platform says offline', async () => {
    const connectivity = testConnectivity();
    connectivity.set(false);
    const device = await syncedClient({ url: hub.url }, await hub.join(await hub.invite('Xishan Water Users')), { engine: { connectivity: connectivity.port } });
    open.push(device);
    await device.client.create('entry', practice);
    await device.client.flush();
    // A laptop opened again with no network: no session runs, the bar must still count the change.
    await device.engine.start();
    await waitFor(() => device.engine.status.pendingCount === 1, 5_000, 'the change counted while offline');
    expect(device.engine.status).toMatchObject({ state: 'offline', cause: 'platform' });
  });

  it('probes a link that gives no answer on the short schedule while the platform says online, and syncs at the first probe after it returns', async () => {
    const link = await cuttable(hub.url);
    const pushes: PushLogLine[] = [];
    const probes = { count: 0 };
    const device = await syncedClient({ url: link.url }, await hub.join(await hub.invite('Xishan Water Users')), {
      engine: { isLive: false },
      wrapTransport: recordingPushes(pushes, probes),
    });
    open.push(device);
    await device.engine.start();
    expect(device.engine.status.state).toBe('synced');

    link.cut('refuse');
    const id = await device.client.create('entry', practice);
    await waitFor(() => probes.count >= 2 && device.engine.status.state === 'offline', 10_000, 'two probes of the cut link');
    const status = device.engine.status;
    // The link, not the hub: no HTTP answer, so "unreachable" with the next probe's time.
    expect(status).toMatchObject({ state: 'offline', cause: 'unreachable' });
    const nextProbeAt = (status as Extract<SyncStatus, { state: 'offline' }>).nextRetryAt!;
    // The third probe comes 4 s after the second (1, 2, 4 s), not after a growing backoff.
    expect(nextProbeAt - Date.now()).toBeLessThanOrEqual(4_000);

    link.restore();
    // The bound above is the schedule; here a loaded machine gets room for the probe and the push
    // themselves (a growing backoff would wait 8 s and more after the third probe).
    await waitFor(async () => (await hub.storage.getRecord(id)) !== null, Math.max(0, nextProbeAt - Date.now()) + 6_000, 'the change at the hub after the next probe');
  });

  it('reopens the live socket as soon as a session gets through, instead of waiting out its reconnect backoff', async () => {
    // No platform signal (a satellite modem or a workshop LAN: the machine stays "online"), and a
    // live reconnect backoff that the cut makes long: the first retry of the socket comes ~30 s on.
    const link = await cuttable(hub.url);
    const device = await syncedClient({ url: link.url }, await hub.join(await hub.invite('Xishan Water Users')), { engine: { backoff: { baseMs: 30_000, capMs: 300_000 }, random: () => 0.99 } });
    open.push(device);
    await device.engine.start();
    await waitFor(() => device.engine.status.state === 'synced' && device.engine.status.isLive, 10_000, 'first sync');

    link.cut('refuse');
    await waitFor(() => !device.engine.status.isLive, 5_000, 'the live socket down');
    // A local edit finds the link down; the short probes find it back and the session gets through.
    const id = await device.client.create('entry', practice);
    await waitFor(() => device.engine.status.state === 'offline', 10_000, 'the push failing on the cut link');
    link.restore();
    await waitFor(async () => (await hub.storage.getRecord(id)) !== null, 10_000, 'the change at the hub after the next probe');

    // The hub answers again, so the live socket is reopened now, not ~30 s on: what another
    // organization shares arrives with nothing asked for.
    await waitFor(() => device.engine.status.isLive, 3_000, 'the live socket back once a session got through');
    const other = await syncedClient(hub, await hub.join(await hub.invite('Cangshan Seed Bank')), { engine: { isLive: false } });
    open.push(other);
    const otherId = await other.client.create('entry', { ...practice, title: 'Seed saving in clay jars' });
    await other.engine.syncNow();
    await waitFor(async () => (await device.client.get(otherId)) !== null, 3_000, "the other organization's entry on the device");
  });

  it('reopens a live socket the link dropped on the short probe schedule, with nothing to push, instead of the hub-error backoff', async () => {
    // A link that drops and returns without the platform noticing, and nothing written on the
    // device: no session fails, so only the live socket's reconnects can find the window. A long
    // error backoff (first retry ~30 s on) shows which schedule they follow.
    const link = await cuttable(hub.url);
    const device = await syncedClient({ url: link.url }, await hub.join(await hub.invite('Xishan Water Users')), { engine: { backoff: { baseMs: 30_000, capMs: 300_000 }, random: () => 0.99 } });
    open.push(device);
    await device.engine.start();
    await waitFor(() => device.engine.status.state === 'synced' && device.engine.status.isLive, 10_000, 'first sync');

    link.cut('refuse');
    await waitFor(() => !device.engine.status.isLive, 5_000, 'the live socket down');
    link.restore();
    // Probes come 1, 2, 4 s after the drop: the socket is back within seconds, not ~30 s on.
    await waitFor(() => device.engine.status.isLive, 10_000, 'the live socket back on the short schedule');
    const other = await syncedClient(hub, await hub.join(await hub.invite('Cangshan Seed Bank')), { engine: { isLive: false } });
    open.push(other);
    const otherId = await other.client.create('entry', { ...practice, title: 'Seed saving in clay jars' });
    await other.engine.syncNow();
    await waitFor(async () => (await device.client.get(otherId)) !== null, 5_000, "the other organization's entry on the device");
  });

  it('sends the ballot before 50 entry bodies on a slow link, and after a drop mid-way resumes without sending anything acknowledged again', async () => {
    const proposalId = 'proposal-window';
    await openTestProposal(hub, proposalId);
    const slow: ThrottlingProxy = await startThrottlingProxy(hub.url, { bytesPerSecond: 40_000, oneWayDelayMs: 50 });
    links.push(slow);
    const link = await cuttable(slow.url);
    const connectivity = testConnectivity();
    const pushes: PushLogLine[] = [];
    const join = await hub.join(await hub.invite('Xishan Water Users'));
    const device = await syncedClient({ url: link.url }, join, {
      engine: { connectivity: connectivity.port, isLive: false },
      wrapTransport: recordingPushes(pushes, { count: 0 }),
    });
    open.push(device);
    const statuses: SyncStatus[] = [];
    device.engine.onDidChangeStatus((status) => statuses.push(status));
    await device.engine.start();
    expect(device.engine.status.state).toBe('synced');

    // Offline: 50 entries with long bodies, then a vote.
    connectivity.set(false);
    link.cut();
    const entryIds: string[] = [];
    for (let i = 0; i < 50; i++) {
      const body = `Survey ${i}: ${'the cistern holds water through the dry season; '.repeat(160)}`;
      entryIds.push(await device.client.create('entry', { ...practice, title: `Cistern survey ${i}`, body }));
    }
    const ballot = await device.client.create('ballot', { proposalId });
    expect(ballot).toBe(ballotId(proposalId, join.org.id));
    await device.client.mutate(ballot, ballotMutators.cast, { method: 'single', optionId: 'yes' });
    await device.client.flush();
    const pendingRecords = async () => new Set((await device.client.pendingUpdates()).map((entry) => entry.header.id)).size;
    expect(await pendingRecords()).toBe(51);

    // A window opens: the ballot is at the hub within the 20 seconds, before any entry body.
    link.restore();
    connectivity.set(true);
    await waitFor(async () => (await hub.storage.getRecord(ballot)) !== null, 20_000, 'the ballot at the hub');
    const firstWithBallot = pushes.findIndex((line) => line.ids.includes(ballot));
    const firstWithEntry = pushes.findIndex((line) => line.types.includes('entry'));
    expect(firstWithBallot).toBeGreaterThanOrEqual(0);
    expect(firstWithEntry === -1 || firstWithBallot < firstWithEntry).toBe(true);
    expect(pushes[firstWithBallot]!.types).not.toContain('entry');

    // The link drops once some entries are in, mid-way through the rest.
    await waitFor(async () => (await Promise.all(entryIds.map((id) => hub.storage.getRecord(id)))).some((record) => record !== null), 20_000, 'an entry at the hub');
    connectivity.set(false);
    link.cut();
    await waitFor(() => device.engine.status.state === 'offline', 5_000, 'offline after the drop');
    const leftAfterDrop = await pendingRecords();
    expect(leftAfterDrop).toBeLessThan(51);
    const progress = statuses.filter((status) => status.state === 'syncing' && status.phase === 'push').map((status) => status.transfer!);
    // Progress counted records and bytes as batches were acknowledged.
    expect(progress.some((transfer) => transfer.sentRecords > 0 && transfer.sentRecords < transfer.toSendRecords && transfer.sentBytes > 0)).toBe(true);
    expect(progress.at(-1)!.toSendRecords).toBe(51);

    // Back: the rest is sent, and only the rest.
    const pushesBeforeResume = pushes.length;
    link.restore();
    connectivity.set(true);
    await waitFor(() => device.engine.status.state === 'synced' && device.engine.status.pendingCount === 0, 60_000, 'the rest sent');
    for (const id of entryIds) expect((await hub.storage.getRecord(id))?.projection['title']).toMatch(/^Cistern survey/);
    const resumed = pushes.slice(pushesBeforeResume).flatMap((line) => line.ids);
    expect(resumed.length).toBeLessThanOrEqual(leftAfterDrop);
    expect(device.engine.status.transfer).toMatchObject({ sentRecords: resumed.length, toSendRecords: resumed.length });
    // Each record was acknowledged once; a record went twice only when the push carrying it got no answer.
    for (const id of [...entryIds, ballot]) {
      const carrying = pushes.filter((line) => line.ids.includes(id));
      expect(carrying.filter((line) => line.ok === true), id).toHaveLength(1);
      expect(carrying.at(-1)!.ok, id).toBe(true);
    }
  });
});
