import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import type { EditContext } from '../../shared/records/recordModule';
import { buildReport } from '../../shared/reports/buildReport';
import { exportReportText } from '../../shared/reports/exportReport';
import type { ReportData, ViewOf } from '../../shared/reports/reportData';
import type { ReportContext } from '../../shared/reports/reportInputs';
import { launchReportBrowser, printHtmlToPdf, readPdf } from '../e2e/support/reportPdf';
import { reportLocale } from './reportsFixture';

/*
 * The knowledge digest carries each entry's text, not only its title and summary: every kind's own
 * template sections, the local-wisdom text and the full write-up, in PDF (printed by Chromium and
 * read back with pdftotext), Markdown and CSV; an endorsed entry whose author drafts on prints its
 * endorsed version and says "changes in draft".
 */

const T0 = Date.UTC(2026, 4, 1);
const author: EditContext = { orgId: 'org-fengyu', deviceId: 'dev-fengyu', role: 'member', now: T0 };
const reviewer: EditContext = { orgId: 'org-sec', deviceId: 'dev-sec', role: 'secretariat', now: T0 + 60_000 };

function view(id: string, input: EntryInput, change?: (doc: Y.Doc) => void): ViewOf<'entry'> {
  const doc = new Y.Doc();
  entry.create(doc, entry.parseInput(input), author);
  change?.(doc);
  return { header: { id, type: 'entry', ownerOrg: author.orgId, createdAt: T0 }, projection: entry.read(doc), seq: 1 };
}

const shared = { language: 'zh-CN', sharing: 'network', attribution: { holderKind: 'person', holderName: '李奶奶', consent: 'credit-by-name' } } as const;

const entries: ViewOf<'entry'>[] = [
  view('entry-practice', { ...shared, kind: 'practice', title: '雨水窖', sections: { context: '山上缺水，冬天结冰。', approach: '窖挖在冻土层以下。' }, body: '全文：每户一窖，可存三十立方。' }),
  // The optional WOCAT sections print where they hold text, whatever the network has on now (none here).
  view('entry-terraces', { ...shared, kind: 'practice', title: '梯田石埂', sections: { approach: '沿等高线垒石埂。', resourcePersons: '杨伟，县农技站', introduction: '2019年通过县里的项目引入。', costsAndLabour: '每亩约12个劳动日。', spread: '三个村，约四十户。' } }),
  view('entry-wisdom', { ...shared, kind: 'local-wisdom', title: '看燕子', sections: { knowledge: '燕子低飞，一天内会下雨。', passedOn: '奶奶在田里教给孙辈。' } }),
  view('entry-challenge', { ...shared, kind: 'challenge', title: '种子受潮', sections: { whatHappens: '雨季种子发霉。', whatWasTried: '用陶罐加草木灰。' } }),
  view('entry-lesson', { ...shared, kind: 'lesson', title: '合作社记账', sections: { whatWeLearned: '每月公开账目，大家更信任。' } }, (doc) => {
    entryReviewMutators.submitForReview.apply(doc, '', author);
    entryReviewMutators.endorseSubmission.apply(doc, '', reviewer);
    entryMutators.setSection.apply(doc, { section: 'whatWeLearned', text: '尚未审核的新草稿。' }, { ...author, now: T0 + 120_000 });
  }),
];

const data: ReportData = { network: null, orgs: [], entries, proposals: [], ballots: [], comments: [], offers: [], interests: [], results: [] };

const squash = (text: string) => text.replace(/\s+/g, '');

describe('the knowledge digest prints each entry’s text', () => {
  let browser: Browser;
  let context: ReportContext;
  beforeAll(async () => {
    browser = await launchReportBrowser();
    context = { data, locale: await reportLocale('zh-CN'), now: T0 + 3_600_000, lastSyncAt: new Map(), lastSyncSource: 'derived' };
  });
  afterAll(() => browser.close());

  it('in the PDF, every kind’s sections under its own headings and the full write-up', async () => {
    const model = buildReport(context, { kind: 'digest', options: {} });
    const pdf = readPdf(await printHtmlToPdf(browser, await exportReportText(model, 'pdf', { pause: () => Promise.resolve(), valueLabel: '数量' })));
    const text = squash(pdf.text);
    for (const expected of ['背景', '山上缺水，冬天结冰。', '窖挖在冻土层以下。', '全文：每户一窖，可存三十立方。', '知识内容', '燕子低飞，一天内会下雨。', '如何传承', '奶奶在田里教给孙辈。', '发生了什么情况', '雨季种子发霉。', '用陶罐加草木灰。']) {
      expect(text).toContain(squash(expected));
    }
    for (const expected of ['资源人员', '杨伟，县农技站', '这项做法是如何引入的', '2019年通过县里的项目引入。', '成本与劳动日', '每亩约12个劳动日。', '推广范围', '三个村，约四十户。']) {
      expect(text).toContain(squash(expected));
    }
    // The endorsed lesson prints its endorsed text and says the author drafts on.
    expect(text).toContain(squash('每月公开账目，大家更信任。'));
    expect(text).not.toContain(squash('尚未审核的新草稿。'));
    expect(text).toContain(squash('已认可，草稿中有修改'));
    // A practice section never appears under a local-wisdom entry: the wisdom has no "做法" heading of its own.
    expect(text.split(squash('看燕子'))[1]!.split(squash('种子受潮'))[0]).not.toContain('做法');
  });

  it('in Markdown and CSV', async () => {
    const model = buildReport(context, { kind: 'digest', options: {} });
    const markdown = await exportReportText(model, 'markdown', { pause: () => Promise.resolve(), valueLabel: '数量' });
    expect(markdown).toContain('**知识内容**');
    expect(markdown).toContain('燕子低飞，一天内会下雨。');
    const csv = await exportReportText(model, 'csv', { pause: () => Promise.resolve(), valueLabel: '数量' });
    const rows = parse(csv.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    const wisdom = rows.find((row) => row['标题'] === '看燕子')!;
    expect(wisdom['内容']).toContain('知识内容: 燕子低飞，一天内会下雨。');
    expect(rows.find((row) => row['标题'] === '雨水窖')!['内容']).toContain('全文: 全文：每户一窖，可存三十立方。');
    expect(markdown).toContain('**成本与劳动日**');
    expect(markdown).toContain('每亩约12个劳动日。');
    expect(rows.find((row) => row['标题'] === '梯田石埂')!['内容']).toContain('资源人员: 杨伟，县农技站\n\n这项做法是如何引入的: 2019年通过县里的项目引入。\n\n成本与劳动日: 每亩约12个劳动日。\n\n推广范围: 三个村，约四十户。');
  });

  it('in HTML, the optional sections under their own headings after the template’s', async () => {
    const model = buildReport(context, { kind: 'digest', options: {} });
    const html = await exportReportText(model, 'html', { pause: () => Promise.resolve(), valueLabel: '数量' });
    const terraces = html.split('梯田石埂')[1]!;
    const at = (text: string) => terraces.indexOf(text);
    for (const expected of ['做法', '资源人员', '杨伟，县农技站', '推广范围', '三个村，约四十户。']) expect(at(expected), expected).toBeGreaterThan(-1);
    expect(at('做法')).toBeLessThan(at('资源人员'));
    expect(at('资源人员')).toBeLessThan(at('推广范围'));
  });
});
