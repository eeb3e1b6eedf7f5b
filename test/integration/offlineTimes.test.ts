import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { roleSchema } from '../../shared/records/recordType';
import { buildReport } from '../../shared/reports/buildReport';
import { lastHeardFrom } from '../../shared/reports/lastHeardFrom';
import { loadReportData } from '../../shared/reports/reportData';
import { shownTimes } from '../../shared/reports/recordTimes';
import { renderReportCsv } from '../../shared/reports/renderCsv';
import { SyncEngine } from '../../shared/sync/syncEngine';
import { memoryStorage, uniqueName } from '../support/clients';
import { startTestHub, type TestHub } from '../support/hub';
import { httpTransportFor, systemClock } from '../support/syncedClient';
import { reportLocale } from './reportsFixture';

/*
 * Issue 13: an entry written offline shows the time it was written as created, never the hub's
 * later receipt (which would come after its own last update), in the CSV as on screens.
 */

const DAY_MS = 86_400_000;
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
let client: FieldwiseClient;
let engine: SyncEngine;

beforeEach(async () => {
  hub = await startTestHub();
});

afterEach(async () => {
  await engine?.stop();
  await client?.close();
  await hub.close();
});

describe('times of an entry written offline', () => {
  it('reads as created when it was written, before its last update, though the hub received it days later', async () => {
    const join = await hub.join(await hub.invite('Xishan Water Users', 'member'));
    // The device's clock: three days ago it was in the field, without a link.
    let deviceNow = Date.now() - 3 * DAY_MS;
    client = await openClient({ storage: memoryStorage(), name: uniqueName('offline'), identity: { orgId: join.org.id, deviceId: join.deviceId, role: roleSchema.parse(join.role) }, now: () => deviceNow });
    const id = await client.create('entry', practice);
    const writtenAt = deviceNow;
    deviceNow += 3_600_000;
    await client.mutate(id, entryMutators.setFields, { title: 'Drip irrigation, revised' });
    const updatedAt = deviceNow;

    // Back at the township office: the hub sets the header's creation time on this first push.
    deviceNow = Date.now();
    engine = new SyncEngine(client, httpTransportFor(hub, join), systemClock, { isLive: false });
    await engine.syncNow();
    expect(engine.status.state).toBe('synced');
    const view = await client.get<'entry'>(id);
    expect(view!.header.createdAt).toBeGreaterThan(updatedAt);
    expect(shownTimes(view!.header, view!.projection)).toEqual({ createdAt: writtenAt, updatedAt });

    const data = await loadReportData(client);
    const now = Date.now();
    const model = buildReport({ data, locale: await reportLocale('en'), now, lastSyncAt: lastHeardFrom(data, now), lastSyncSource: 'derived' }, { kind: 'digest', options: {} });
    const rows = parse(renderReportCsv(model.table), { columns: true, bom: true }) as Record<string, string>[];
    const row = rows.find((r) => Object.values(r).includes(id))!;
    expect(row.Created).toBe(new Date(writtenAt).toISOString());
    expect(row.Updated).toBe(new Date(updatedAt).toISOString());
    expect(Date.parse(row.Created!)).toBeLessThanOrEqual(Date.parse(row.Updated!));
  });
});
