import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext } from '../support/hubRequests';
import { joinWithBundleKey, uploadBundle } from '../support/writeEntryPoints';
import { BUNDLE_RECORDS_PER_VALIDATION } from '../../server/hub/bundles';
import { bestValidationMs } from '../support/validationTiming';

/*
 * A field bundle is validated in parts, each under the request budget that bounds one push
 * (server/hub/bundles.ts): whole, a bundle of 2,500 short entries overran that budget on a quiet
 * two-core hub and was refused 503 hub-busy at every try, though the one who carries it from a
 * workshop cannot send fewer records at a time. It is still committed, or refused, as one unit.
 */

const entries = (orgId: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ id: `entry-workshop-${from + i}`, type: 'entry' as const, update: createUpdate('entry', { kind: 'practice', title: `Seed saving ${from + i}`, language: 'en' }, editContext(orgId, 'member')), isFullState: true }));

/** The time one part of a bundle takes to validate here. */
const partValidationMs = (orgId: string) =>
  bestValidationMs(entries(orgId, BUNDLE_RECORDS_PER_VALIDATION).map((record) => ({ header: { id: record.id, type: record.type, ownerOrg: orgId, createdAt: 0 }, storedState: null, update: record.update })));

describe('a large field bundle', { timeout: 240_000 }, () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  it('whose validation takes many times the request budget is taken whole, each part within it', async () => {
    // A part takes a quarter of the budget; the whole bundle four budgets.
    const partMs = await partValidationMs('org-probe');
    const requestBudgetMs = Math.max(50, Math.ceil(4 * partMs));
    const count = Math.ceil((4 * requestBudgetMs) / partMs) * BUNDLE_RECORDS_PER_VALIDATION;
    console.log(`[diagnosis] a part of ${BUNDLE_RECORDS_PER_VALIDATION} validates in ${partMs.toFixed(0)} ms here; budget ${requestBudgetMs} ms; the bundle holds ${count}`);
    hub = await startTestHub({ quotas: { newRecordsPerMinute: 100_000 }, validation: { requestBudgetMs } });
    const workshop = await joinWithBundleKey(hub, await hub.invite('Dali Rural Education Fund'));
    const answer = await uploadBundle(hub, workshop, entries(workshop.org.id, count));
    expect({ status: answer.status, error: (answer.body as { error?: unknown }).error }).toEqual({ status: 200, error: undefined });
    expect(await hub.storage.recordsCreatedSince(workshop.org.id, 0)).toBe(count);
  });

  it('with one bad update in its last part is refused whole: nothing of the parts before is written', async () => {
    hub = await startTestHub({ quotas: { newRecordsPerMinute: 10_000 } });
    const workshop = await joinWithBundleKey(hub, await hub.invite('Dali Rural Education Fund'));
    const records = entries(workshop.org.id, 3 * BUNDLE_RECORDS_PER_VALIDATION);
    const bad = records.length - 2;
    records[bad] = { ...records[bad]!, update: new Uint8Array([0xff, 0xff, 0xff, 0x07, 1, 2, 3]) };
    const lastSeq = await hub.storage.lastSeq();
    const answer = await uploadBundle(hub, workshop, records);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect((answer.body as { error: { recordId?: string } }).error.recordId).toBe(records[bad]!.id);
    expect(await hub.storage.lastSeq()).toBe(lastSeq);
    expect(await hub.storage.getRecord(records[0]!.id)).toBeNull();
  });
});
