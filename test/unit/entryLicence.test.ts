// An entry's licence or conditions of use: chosen by the owner (the `edit` mutator), read as
// "not chosen yet" on entries written before the field, the community's own conditions needing
// their text (the hub refuses the same: test/integration/recordInvariants.test.ts), and printed in
// the digest's Markdown and CSV (parsed back).
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { RecordInputError } from '../../shared/records/recordError';
import { buildReport } from '../../shared/reports/buildReport';
import { exportReportText } from '../../shared/reports/exportReport';
import type { ReportData } from '../../shared/reports/reportData';
import { reportLocale } from '../integration/reportsFixture';

const T0 = Date.UTC(2026, 4, 1);
const ctx = { orgId: 'org-a', deviceId: 'dev-a', role: 'member' as const, now: T0 };
const input: EntryInput = {
  kind: 'practice',
  title: 'Bamboo drip lines',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan', consent: 'community-approved' },
  sharing: 'network',
};

function created(extra: Partial<EntryInput> = {}): Y.Doc {
  const doc = new Y.Doc();
  entry.create(doc, entry.parseInput({ ...input, ...extra }), ctx);
  return doc;
}

const fieldOfRefusal = (run: () => void): string | null => {
  try {
    run();
  } catch (error) {
    if (error instanceof RecordInputError) return error.field;
    throw error;
  }
  return null;
};

describe('an entry’s licence', () => {
  it('is "not chosen yet" unless given, and reads so on an entry written before the field', () => {
    expect(entry.read(created()).licence).toEqual({ id: 'unspecified', conditions: '' });
    const old = created();
    old.getMap('fields').delete('licence');
    expect(entry.read(old).licence).toEqual({ id: 'unspecified', conditions: '' });
  });

  it('is set by the owner’s edit and read back', () => {
    const doc = created();
    expect(entryMutators.setLicence.action).toBe('edit');
    entryMutators.setLicence.apply(doc, { id: 'cc-by-nc-4.0', conditions: '' }, ctx);
    expect(entry.read(doc).licence).toEqual({ id: 'cc-by-nc-4.0', conditions: '' });
    expect(entry.read(created({ licence: { id: 'cc-by-sa-4.0', conditions: 'Credit Xishan' } })).licence).toEqual({ id: 'cc-by-sa-4.0', conditions: 'Credit Xishan' });
  });

  it('refuses the community’s own conditions without their text, and a licence that does not exist', () => {
    expect(fieldOfRefusal(() => created({ licence: { id: 'community-conditions', conditions: ' ' } }))).toBe('licence.conditions');
    expect(fieldOfRefusal(() => entryMutators.setLicence.apply(created(), { id: 'community-conditions', conditions: '' }, ctx))).toBe('licence.conditions');
    expect(fieldOfRefusal(() => entryMutators.setLicence.apply(created(), { id: 'community-conditions', conditions: 'Only for member villages' }, ctx))).toBeNull();
    expect(() => entry.parseInput({ ...input, licence: { id: 'cc0', conditions: '' } } as unknown as EntryInput)).toThrow();
  });

  it('is printed in the digest’s Markdown and CSV, the conditions text with it', async () => {
    const view = (id: string, extra: Partial<EntryInput>) => ({ header: { id, type: 'entry' as const, ownerOrg: 'org-a', createdAt: T0 }, projection: entry.read(created(extra)), seq: 1 });
    const data: ReportData = {
      network: null,
      orgs: [],
      entries: [view('entry-cc', { licence: { id: 'cc-by-4.0', conditions: '' } }), view('entry-own', { title: 'Seed jars', licence: { id: 'community-conditions', conditions: 'Not for sale, ever' } })],
      proposals: [],
      ballots: [],
      comments: [],
      offers: [],
      interests: [],
      results: [],
    };
    for (const language of ['en', 'zh-CN'] as const) {
      const locale = await reportLocale(language);
      const model = buildReport({ data, locale, now: T0 + 3_600_000, lastSyncAt: new Map(), lastSyncSource: 'derived' }, { kind: 'digest', options: {} });
      const options = { pause: () => Promise.resolve(), valueLabel: 'n' };
      const markdown = await exportReportText(model, 'markdown', options);
      expect(markdown).toContain('CC BY 4.0');
      expect(markdown).toContain('Not for sale, ever');
      const rows = parse((await exportReportText(model, 'csv', options)).replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
      const column = locale.t('reports.doc.col.licence');
      const byId = new Map(rows.map((row) => [row[locale.t('reports.doc.col.id')], row[column]]));
      expect(byId.get('entry-cc')).toBe(locale.t('reports.doc.digest.licence', { licence: 'CC BY 4.0' }));
      expect(byId.get('entry-own')).toContain('Not for sale, ever');
      expect(byId.get('entry-own')).toContain(locale.t('entry.licence.community-conditions'));
    }
  });
});
