import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteUpdate } from '../../shared/client/client';
import { pushEntriesAs } from '../e2e/support/hubRecords';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';

/*
 * A pulled page that reaches the device but cannot be stored there (the store fails, a record does
 * not fold into its row) is this device's failure, not the link's: the bar says so ("error",
 * code local) rather than "offline" ("your work is saved on this device"), which had sent people
 * looking for a connection that was fine. The next try, once the store works, syncs.
 */

let hub: TestHub;
const open: SyncedClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((synced) => synced.close()));
  await hub?.close();
});

describe('a pulled page this device cannot store', () => {
  it('is reported as a local failure, not as offline, and the next try syncs', { timeout: 60_000 }, async () => {
    hub = await startTestHub();
    await pushEntriesAs(hub, 'Gansu Drylands Alliance', [
      { kind: 'practice', title: 'Stone mulch keeps melon fields moist', summary: 'River stones cut evaporation.', language: 'en', attribution: { holderKind: 'community', holderName: 'Dingxi farmers', consent: 'community-approved' }, sharing: 'network' },
    ]);
    const reader = await syncedClient(hub, await hub.join(await hub.invite('Reader org')), { engine: { isLive: false } });
    open.push(reader);
    const applyRemote = reader.client.applyRemote.bind(reader.client);
    let isBroken = true;
    // The real client, its store failing as a full disk would.
    reader.client.applyRemote = async (updates: readonly RemoteUpdate[]) => {
      if (isBroken) throw new Error('QuotaExceededError: the disk is full');
      return applyRemote(updates);
    };

    reader.engine.start();
    await waitFor(() => reader.engine.status.state === 'error', 20_000, 'the failure to show');
    expect(reader.engine.status).toMatchObject({ state: 'error', code: 'local' });
    expect(reader.engine.status).toMatchObject({ reason: expect.stringContaining('disk is full') });

    isBroken = false;
    await waitFor(() => reader.engine.status.state === 'synced', 40_000, 'the next try to sync');
    expect((await reader.client.list({ type: 'entry' })).map((view) => view.projection.title)).toEqual(['Stone mulch keeps melon fields moist']);
  });
});
