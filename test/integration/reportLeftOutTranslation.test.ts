// A translation is the same knowledge in another language: where its original is left out of a
// report for a label (TK Secret/Sacred), the translation is left out with it, counted under the
// original's label, and so are comments on it (shared/reports/labelExclusion.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import type { EntryInput } from '../../shared/records/entry';
import { buildReport } from '../../shared/reports/buildReport';
import { exportReportText } from '../../shared/reports/exportReport';
import { lastHeardFrom } from '../../shared/reports/lastHeardFrom';
import { loadReportData } from '../../shared/reports/reportData';
import { memoryStorage } from '../../shared/store/memoryStorage';
import { uniqueName } from '../support/clients';
import { reportLocale } from './reportsFixture';

const prayer: EntryInput = {
  kind: 'local-wisdom',
  title: '山神祷词',
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: 'Fengyu elders', consent: 'community-approved' },
  sharing: 'network',
  labels: [{ id: 'tk-secret-sacred', texts: { en: '', zh: '不得外传' } }],
};

describe('a report leaving out a labelled original', () => {
  let client: FieldwiseClient;

  beforeAll(async () => {
    client = await openClient({ storage: memoryStorage(), name: uniqueName('left-out-translation'), identity: { orgId: 'org-fengyu', deviceId: 'dev-1', role: 'member' } });
    const originalId = await client.create('entry', prayer);
    await client.create('entry', { ...prayer, title: 'The mountain prayer', language: 'en', labels: [], translation: { of: originalId, translator: 'Wang Jun' } });
    await client.create('entry', { ...prayer, title: 'Swallows before rain', language: 'en', labels: [] });
  });

  afterAll(async () => {
    await client?.close();
  });

  it('leaves out its translation too, counted under the original’s label', async () => {
    const data = await loadReportData(client);
    const now = Date.now() + 1;
    const model = buildReport({ data, locale: await reportLocale('en'), now, lastSyncAt: lastHeardFrom(data, now), lastSyncSource: 'derived' }, { kind: 'digest', options: {} });
    const csv = await exportReportText(model, 'csv', { pause: () => Promise.resolve(), valueLabel: 'n' });
    expect(csv).toContain('Swallows before rain');
    expect(csv).not.toContain('The mountain prayer');
    expect(csv).toContain('TK Secret/Sacred: 2');
  });
});
