// Found walking the app (adv-walk): a member's digest with one restricted entry said "1 entries
// were left out because their labels keep them ...". One entry left out reads in the singular, in
// the report's text and on the CSV's last row; two or more stay plural.
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

const base: EntryInput = {
  kind: 'local-wisdom',
  title: 'Swallows before rain',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Fengyu elders', consent: 'community-approved' },
  sharing: 'network',
};

describe('a report leaving out one entry says so in the singular', () => {
  let client: FieldwiseClient;

  beforeAll(async () => {
    client = await openClient({ storage: memoryStorage(), name: uniqueName('left-out-one'), identity: { orgId: 'org-fengyu', deviceId: 'dev-1', role: 'member' } });
    await client.create('entry', base);
    await client.create('entry', { ...base, title: 'The mountain prayer', labels: [{ id: 'tk-secret-sacred', texts: { en: '', zh: '不得外传' } }] });
  });

  afterAll(async () => {
    await client?.close();
  });

  it('says "1 entry was left out" in the digest and on the CSV row', async () => {
    const data = await loadReportData(client);
    const now = Date.now() + 1;
    const locale = await reportLocale('en');
    const model = buildReport({ data, locale, now, lastSyncAt: lastHeardFrom(data, now), lastSyncSource: 'derived' }, { kind: 'digest', options: {} });
    expect(model.criteria.at(-1)).toBe('1 entry was left out because its labels keep it inside its organization or limit who may hear it: TK Secret/Sacred: 1.');
    const csv = await exportReportText(model, 'csv', { pause: () => Promise.resolve(), valueLabel: 'n' });
    expect(csv).toContain('Left out: 1 entry (TK Secret/Sacred: 1), its labels keep it inside its organization or limit who may hear it');
    expect(csv).not.toContain('1 entries');
  });
});
