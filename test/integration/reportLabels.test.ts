// Reports and exports leave out entries whose labels keep them inside their organization (TK
// Secret/Sacred, TK Community Use Only) or limit who may hear them by a trait the network does not
// know (TK Women Restricted), and say how many and why, in English and Chinese; an
// entry's other labels print with it, a seasonal one as its notice. Built on a real client's store
// from its own organization's entries (the only device that holds such entries), read back by real
// tools: csv-parse reads the CSV, Chromium prints the PDF and pdftotext reads it.
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import type { EntryInput } from '../../shared/records/entry';
import { buildReport } from '../../shared/reports/buildReport';
import { exportReportText } from '../../shared/reports/exportReport';
import { lastHeardFrom } from '../../shared/reports/lastHeardFrom';
import { loadReportData, type ReportData } from '../../shared/reports/reportData';
import type { ReportLocale } from '../../shared/reports/reportModel';
import { memoryStorage } from '../../shared/store/memoryStorage';
import { uniqueName } from '../support/clients';
import { launchReportBrowser, printHtmlToPdf, readPdf } from '../e2e/support/reportPdf';
import { reportLocale } from './reportsFixture';

const squash = (text: string) => text.replace(/\s+/g, '');
const pause = () => Promise.resolve();

const base: EntryInput = {
  kind: 'local-wisdom',
  title: '',
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: '丰雨村长老', consent: 'community-approved' },
  sharing: 'network',
};

const titles = { open: '看燕子知雨', seasonal: '春播前的种子挑选', secret: '祭山仪式的祷词', community: '村里的共用水源', women: '产后草药浴' };

describe('reports leave out entries kept in their organization', { timeout: 120_000 }, () => {
  let client: FieldwiseClient;
  let data: ReportData;
  let en: ReportLocale;
  let zh: ReportLocale;
  let browser: Browser;
  let now = 0;
  const context = (locale: ReportLocale) => ({ data, locale, now, lastSyncAt: lastHeardFrom(data, now), lastSyncSource: 'derived' as const });

  beforeAll(async () => {
    client = await openClient({ storage: memoryStorage(), name: uniqueName('labels'), identity: { orgId: 'org-fengyu', deviceId: 'dev-1', role: 'member' } });
    await client.create('entry', { ...base, title: titles.open, labels: [{ id: 'tk-attribution', texts: { en: 'Credit the Fengyu elders', zh: '请注明丰雨村长老' } }] });
    await client.create('entry', { ...base, title: titles.seasonal, labels: [{ id: 'tk-seasonal', texts: { en: 'Only told before the spring sowing', zh: '只在春播前讲述' } }] });
    await client.create('entry', { ...base, title: titles.secret, labels: [{ id: 'tk-secret-sacred', texts: { en: '', zh: '不得外传' } }] });
    await client.create('entry', { ...base, title: titles.community, labels: [{ id: 'tk-community-use-only', texts: { en: 'For the village only', zh: '仅供本村' } }] });
    await client.create('entry', { ...base, title: titles.women, labels: [{ id: 'tk-women-restricted', texts: { en: 'Told among women only', zh: '只在妇女之间讲述' } }] });
    data = await loadReportData(client);
    now = Date.now() + 1;
    [en, zh] = await Promise.all([reportLocale('en'), reportLocale('zh-CN')]);
    browser = await launchReportBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
  });

  it('leaves them out of the digest CSV and says how many and why on its last row (parsed back)', async () => {
    for (const [locale, says] of [
      [en, 'Left out: 3 entries (TK Secret/Sacred: 1; TK Community Use Only: 1; TK Women Restricted: 1)'],
      [zh, '未收录：3 个条目（TK 秘密/神圣：1；TK 仅限社区使用：1；TK 仅限女性：1）'],
    ] as const) {
      const model = buildReport(context(locale), { kind: 'digest', options: {} });
      const rows = parse((await exportReportText(model, 'csv', { pause, valueLabel: 'n' })).replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
      const cells = rows.flat().join('\n');
      expect(cells).toContain(titles.open);
      expect(cells).toContain(titles.seasonal);
      expect(cells).not.toContain(titles.secret);
      expect(cells).not.toContain(titles.community);
      expect(cells).not.toContain(titles.women);
      expect(cells).not.toContain('不得外传');
      expect(rows.at(-1)![0]).toContain(says);
      expect(rows.slice(1, -1).map((row) => row[1]).sort()).toEqual([titles.open, titles.seasonal].sort());
    }
  });

  it('leaves them out of the digest PDF, which says what was left out and shows the seasonal notice (pdftotext)', async () => {
    const english = readPdf(await printHtmlToPdf(browser, await exportReportText(buildReport(context(en), { kind: 'digest', options: {} }), 'pdf', { pause, valueLabel: 'n' }))).text;
    expect(english).toContain('Left out of this report');
    expect(squash(english)).toContain(squash('3 entries were left out because their labels keep them inside their organization or limit who may hear them'));
    expect(squash(english)).not.toContain(squash(titles.women));
    expect(squash(english)).toContain(squash('Seasonal knowledge: Only told before the spring sowing'));
    expect(squash(english)).not.toContain(squash(titles.secret));
    const chinese = readPdf(await printHtmlToPdf(browser, await exportReportText(buildReport(context(zh), { kind: 'digest', options: {} }), 'pdf', { pause, valueLabel: 'n' }))).text;
    expect(squash(chinese)).toContain(squash('本报告未收录的内容'));
    expect(squash(chinese)).toContain(squash('季节性知识：只在春播前讲述'));
    expect(squash(chinese)).toContain(squash('TK 署名: 请注明丰雨村长老'));
    expect(squash(chinese)).not.toContain(squash(titles.secret));
    expect(squash(chinese)).not.toContain(squash(titles.community));
    expect(squash(chinese)).not.toContain(squash(titles.women));
  });

  it('does not count them in the contributions, and says so in the Markdown and HTML too', async () => {
    const contributions = buildReport(context(en), { kind: 'contributions', options: {} });
    expect(contributions.criteria.at(-1)).toContain('3 entries were left out');
    const markdown = await exportReportText(contributions, 'markdown', { pause, valueLabel: 'n' });
    expect(markdown).toContain('Left out of this report');
    const overview = contributions.sections.find((section) => section.id === 'overview')!.blocks[0]!;
    expect(overview.kind === 'facts' && overview.items.find((item) => item.label === en.t('reports.doc.contributions.entries'))?.value).toBe('2');
    const html = await exportReportText(buildReport(context(zh), { kind: 'contributions', options: {} }), 'html', { pause, valueLabel: 'n' });
    expect(html).not.toContain(titles.secret);
    expect(html).toContain('本报告未收录的内容');
  });
});
