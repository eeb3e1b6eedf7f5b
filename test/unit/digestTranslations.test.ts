// The knowledge digest with translations: each translation says what it translates and who
// translated it, follows its original, and the original names its translations; in Markdown and in
// the CSV (parsed back), in both languages. An original the report does not hold is never named.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, type EntryInput } from '../../shared/records/entry';
import { buildReport } from '../../shared/reports/buildReport';
import { exportReportText } from '../../shared/reports/exportReport';
import type { ReportData } from '../../shared/reports/reportData';
import { reportLocale } from '../integration/reportsFixture';

const T0 = Date.UTC(2026, 4, 1);
const base: EntryInput = {
  kind: 'local-wisdom',
  title: '看燕子识天气',
  language: 'zh-CN',
  attribution: { holderKind: 'person', holderName: '李奶奶', consent: 'credit-by-name' },
  sharing: 'network',
};

function view(id: string, ownerOrg: string, createdAt: number, extra: Partial<EntryInput>) {
  const doc = new Y.Doc();
  entry.create(doc, entry.parseInput({ ...base, ...extra }), { orgId: ownerOrg, deviceId: `dev-${ownerOrg}`, role: 'member', now: createdAt });
  return { header: { id, type: 'entry' as const, ownerOrg, createdAt }, projection: entry.read(doc), seq: 1 };
}

const data = (entries: ReportData['entries']): ReportData => ({ network: null, orgs: [], entries, proposals: [], ballots: [], comments: [], offers: [], interests: [], results: [] });

describe('translations in the knowledge digest', () => {
  const original = view('entry-swallows', 'org-fengyu', T0, {});
  // Written later by another organization: newest first would put it before its original.
  const translated = view('entry-swallows-en', 'org-erhai', T0 + 86_400_000, { title: 'Reading the swallows', language: 'en', translation: { of: 'entry-swallows', translator: 'Wang Fang' } });
  const between = view('entry-terraces', 'org-fengyu', T0 + 3_600_000, { title: '梯田养鱼', kind: 'practice' });
  const orphan = view('entry-orphan-en', 'org-erhai', T0 + 7_200_000, { title: 'Seed jars', language: 'en', translation: { of: 'entry-not-held', translator: 'Li Wei' } });

  for (const language of ['en', 'zh-CN'] as const) {
    it(`marks and pairs them (${language})`, async () => {
      const locale = await reportLocale(language);
      const model = buildReport({ data: data([original, translated, between, orphan]), locale, now: T0 + 2 * 86_400_000, lastSyncAt: new Map(), lastSyncSource: 'derived' }, { kind: 'digest', options: {} });
      const options = { pause: () => Promise.resolve(), valueLabel: 'n' };
      const markdown = await exportReportText(model, 'markdown', options);
      const ofLine = locale.t('reports.doc.digest.translationOf', { title: '看燕子识天气', id: 'entry-swallows', translator: 'Wang Fang' });
      const intoLine = locale.t('reports.doc.digest.translatedInto', { language: 'en', title: 'Reading the swallows', translator: 'Wang Fang' });
      expect(markdown).toContain(ofLine);
      expect(markdown).toContain(intoLine);
      expect(markdown).toContain(locale.t('reports.doc.digest.translationOfUnheld', { translator: 'Li Wei' }));
      expect(markdown).not.toContain('entry-not-held');
      // The translation right after its original, newest first otherwise.
      const order = ['Seed jars', '梯田养鱼', '看燕子识天气', 'Reading the swallows'].map((title) => markdown.indexOf(title));
      expect(order.every((at) => at >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);

      const rows = parse((await exportReportText(model, 'csv', options)).replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
      const col = (key: string) => locale.t(`reports.doc.col.${key}`);
      expect(rows.map((row) => [row[col('id')], row[col('translationOf')], row[col('translator')]])).toEqual([
        ['entry-orphan-en', '', 'Li Wei'],
        ['entry-terraces', '', ''],
        ['entry-swallows', '', ''],
        ['entry-swallows-en', 'entry-swallows', 'Wang Fang'],
      ]);
    });
  }
});
