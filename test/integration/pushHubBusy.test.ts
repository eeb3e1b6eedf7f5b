import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext } from '../support/hubRequests';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';
import { bestValidationMs } from '../support/validationTiming';

/*
 * A push the hub refuses as 503 hub-busy because validating its records overran the request
 * budget (the answer names the record where it stopped, and says "send fewer records at a time")
 * is sent again at once in halves: a device back from weeks offline pushed the same 500-record
 * batch at every retry and a slow or loaded hub refused it every time, so nothing it held ever
 * arrived. The refusal of an upload the hub cannot read yet (no record named) is retried later.
 */

const open: SyncedClient[] = [];
let hub: TestHub | undefined;
afterEach(async () => {
  await Promise.all(open.splice(0).map((synced) => synced.close()));
  await hub?.close();
  hub = undefined;
});

describe('a push refused because validating it took too long', () => {
  it('is sent again in smaller batches until every record is acknowledged', { timeout: 120_000 }, async () => {
    // The budget fits 40 of these entries on this machine; the device holds 400, all in its first batch.
    const probe = Array.from({ length: 10 }, (_, i) => ({ header: { id: `entry-probe-${i}`, type: 'entry' as const, ownerOrg: 'org-probe', createdAt: 0 }, storedState: null, update: createUpdate('entry', { kind: 'practice', title: `Probe ${i}`, language: 'en' }, editContext('org-probe', 'member')) }));
    const tenMs = await bestValidationMs(probe);
    const requestBudgetMs = Math.max(20, Math.ceil(4 * tenMs));
    console.log(`[diagnosis] 10 entries validate in ${tenMs.toFixed(1)} ms here; request budget ${requestBudgetMs} ms`);
    hub = await startTestHub({ requestsPerMinute: 1_000_000, quotas: { newRecordsPerMinute: 100_000 }, validation: { requestBudgetMs } });
    const field = await syncedClient(hub, await hub.join(await hub.invite('Dali Rural Education Fund')), { engine: { isLive: false, firstBatchBytes: 1024 * 1024 } });
    open.push(field);
    const ids: string[] = [];
    for (let i = 0; i < 400; i++) ids.push(await field.client.create('entry', { kind: 'practice', title: `Terrace repair ${i}`, language: 'en' }));

    field.engine.start();
    await waitFor(() => field.engine.status.state === 'synced' || field.engine.status.state === 'error', 60_000, 'the sync to end');
    expect(field.engine.status).toMatchObject({ state: 'synced' });
    expect(await hub.storage.recordsCreatedSince(field.join.org.id, 0)).toBe(400);
    expect(await field.client.pendingCount()).toBe(0);
  });
});
