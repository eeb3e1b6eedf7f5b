import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { catalogs } from '../../renderer/i18n/catalogs';
import { barChartSvg } from '../../shared/reports/barChartSvg';
import { escapeHtml } from '../../shared/reports/escapeHtml';
import { exportReportText } from '../../shared/reports/exportReport';
import { freshnessOf } from '../../shared/reports/freshness';
import { fileStemOf, withRememberedLabels, type ReportLocale, type ReportModel } from '../../shared/reports/reportModel';
import { neutralizeCsvCell, renderReportCsv, renderReportCsvInChunks } from '../../shared/reports/renderCsv';
import { renderReportHtml } from '../../shared/reports/renderHtml';
import { escapeMarkdown, renderReportMarkdown } from '../../shared/reports/renderMarkdown';

/*
 * The renderers on hand-made models: what people typed can never become markup, a Markdown
 * heading or a broken CSV row, and the chunked writers give the very same text as the one-shot.
 */

const DAY_MS = 86_400_000;
const SEED = Number(process.env.FIELDWISE_SEED ?? Date.now() % 2 ** 31);
const replay = `FIELDWISE_SEED=${SEED} npx vitest run test/unit/reportsRender.test.ts`;

function model(overrides: Partial<ReportModel> = {}): ReportModel {
  return {
    kind: 'digest',
    title: 'Digest <script>alert(1)</script>',
    subtitle: '西山 & partners',
    language: 'zh-CN',
    generatedAt: 0,
    generatedAtText: '2026-01-01',
    criteria: ['Entries: 1'],
    freshness: { thresholdDays: 30, source: 'derived', asOf: null, rows: [], staleCount: 0 },
    freshnessSection: { id: 'freshness', heading: 'How current', blocks: [{ kind: 'paragraph', text: 'derived' }] },
    sections: [
      {
        id: 'entries',
        heading: '# not a heading | pipe',
        blocks: [
          { kind: 'entries', items: [{ id: 'entry-1', title: '<img src=x onerror=alert(1)>', meta: 'a · b', summary: '把水管埋深', attribution: 'Holder: 老姆登', labels: ['Shared', '#水'], content: [{ heading: 'Context <b>', text: '山上 | 缺水' }], attachments: null }] },
          { kind: 'table', caption: 'T', columns: ['Name', 'Count'], rows: [['a|b', '2']], numericColumns: [1] },
          { kind: 'bars', caption: 'Bars', bars: [{ label: '"quoted" & <b>', value: 3 }] },
          { kind: 'facts', items: [{ label: 'K', value: 'V' }] },
        ],
      },
    ],
    table: { columns: ['id', 'title'], rows: [['1', 'a, "b"\r\nc']] },
    fileStem: 'digest',
    ...overrides,
  };
}

const photoContent = { sha256: 'a'.repeat(64), sizeBytes: 10, mediaType: 'image/jpeg' };
const otherContent = { sha256: 'b'.repeat(64), sizeBytes: 10, mediaType: 'image/jpeg' };

function modelWithPhoto(): ReportModel {
  return model({
    sections: [
      {
        id: 'entries',
        heading: 'Entries',
        blocks: [
          {
            kind: 'entries',
            items: [
              {
                id: 'entry-1',
                title: 'Spring',
                meta: '',
                summary: '',
                attribution: '',
                labels: [],
                content: [],
                attachments: {
                  heading: 'Attachments',
                  notes: [],
                  items: [
                    { id: 'p1', kind: 'photo', name: 'x.jpg', caption: '"><script>alert(1)</script>', line: 'Photo: x.jpg', photo: { sources: [photoContent], alt: '" onerror="alert(1)', missingText: 'Photo not downloaded: x.jpg' } },
                    // Named without a photo: its bytes are never looked up, whatever the map holds.
                    { id: 'p2', kind: 'photo', name: 'y.jpg', caption: '', line: 'Photo: y.jpg' },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('report photos in HTML', () => {
  it('escapes a caption and alt text, and embeds only a rendition the item names', () => {
    const photos = new Map([
      [photoContent.sha256, 'data:image/jpeg;base64,QUFB'],
      [otherContent.sha256, 'data:image/jpeg;base64,U0VDUkVU'],
    ]);
    const html = renderReportHtml(modelWithPhoto(), photos);
    expect(html).toContain('<img src="data:image/jpeg;base64,QUFB" alt="&#34; onerror=&#34;alert(1)">');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('U0VDUkVU');
    expect(html).toContain('<li>Photo: y.jpg</li>');
  });

  it('says a photo is not downloaded when the map lacks it, and only names photos when nothing was looked up', () => {
    expect(renderReportHtml(modelWithPhoto(), new Map())).toContain('<p class="photo-missing">Photo not downloaded: x.jpg<br>&#34;&#62;&#60;script&#62;');
    const unread = renderReportHtml(modelWithPhoto(), null);
    expect(unread).not.toContain('class="photo-missing"');
    expect(unread).toContain('<li>Photo: x.jpg</li>');
  });
});

describe('report HTML', () => {
  it('escapes everything people typed: no tag, attribute or script of theirs survives', () => {
    const html = renderReportHtml(model());
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('西山 &#38; partners');
  });

  it('is a standalone A4 document with inline styles, a CJK font stack, its own strict policy and no address anywhere', () => {
    const html = renderReportHtml(model());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('@page { size: A4;');
    expect(html).toContain("'Noto Sans CJK SC'");
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
    expect(html).not.toMatch(/https?:|\/\/|<link|<script|style="/i);
  });

  it('draws a chart as inline SVG with presentation attributes only', () => {
    const svg = barChartSvg('Caption', [
      { label: 'a very long organization name that cannot fit', value: 10 },
      { label: '零', value: 0 },
    ]);
    expect(svg).toMatch(/^<svg class="chart" viewBox="0 0 640 52"/);
    // The longest bar spans the plot (640 - 200 label - 56 value); a zero draws nothing.
    expect(svg).toContain('<rect x="200" y="4" width="384"');
    expect(svg).toContain('<rect x="200" y="26" width="0"');
    expect(svg).toContain('>a very long organ…</text>');
    expect(svg).toContain('<title>a very long organization name that cannot fit: 10</title>');
    expect(barChartSvg('Empty', [])).toBe('');
  });

  it('writes the same document section by section as at once', async () => {
    const done: number[] = [];
    const chunked = await exportReportText(model(), 'html', { pause: () => Promise.resolve(), onProgress: (share) => done.push(share), valueLabel: 'Count' });
    expect(chunked).toBe(renderReportHtml(model()));
    expect(done).toEqual([0.5, 1]);
  });
});

describe('report Markdown', () => {
  it('escapes text so a title cannot open a heading, a table cell, a link or HTML', () => {
    expect(escapeMarkdown('# [x](http://e) | <b> *y*')).toBe('\\# \\[x\\]\\(http://e\\) \\| \\<b\\> \\*y\\*');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('1. first\nsecond')).toBe('1\\. first second');
  });

  it('has the title, section headings, tables with right-aligned numbers, and charts as tables', () => {
    const markdown = renderReportMarkdown(model(), '数量');
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('# Digest \\<script\\>alert\\(1\\)\\</script\\>');
    expect(lines).toContain('## How current');
    expect(lines).toContain('## \\# not a heading \\| pipe');
    expect(lines).toContain('### \\<img src=x onerror=alert\\(1\\)\\>');
    expect(markdown).toContain('| Name | Count |\n| --- | ---: |\n| a\\|b | 2 |');
    expect(markdown).toContain('| Bars | 数量 |\n| --- | ---: |\n| "quoted" & \\<b\\> | 3 |');
  });
});

describe('report CSV', () => {
  it('is RFC 4180 with a byte-order mark: CRLF rows, quoted commas, quotes and line breaks', () => {
    const csv = renderReportCsv(model().table);
    expect(csv).toBe('\uFEFFid,title\r\n1,"a, ""b""\r\nc"\r\n');
  });

  it('parses back to the rows, whatever the cells hold, and chunked equals one-shot', async () => {
    const cell = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', '中', ' ', '=') }), fc.integer().map(String));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { maxLength: 30 }), fc.integer({ min: 1, max: 7 }), async (rows, chunkRows) => {
        const table = { columns: ['a', 'b', 'c'], rows };
        const whole = renderReportCsv(table);
        const chunked = await renderReportCsvInChunks(table, { pause: () => Promise.resolve(), chunkRows });
        expect(chunked).toBe(whole);
        // A cell that would start a formula reads with a leading apostrophe (renderCsv.ts).
        expect(parse(whole, { bom: true })).toEqual([table.columns, ...rows].map((row) => row.map(neutralizeCsvCell)));
      }),
      { seed: SEED, numRuns: 100, verbose: true },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nreplay: ${replay}`);
    });
  });
});

describe('how current a report is', () => {
  const now = 100 * DAY_MS;
  const input = {
    orgIds: ['org-a', 'org-b', 'org-c', 'org-d', 'org-a'],
    names: new Map([
      ['org-a', 'A'],
      ['org-b', 'B'],
      ['org-c', 'C'],
    ]),
    lastSyncAt: new Map<string, number | null>([
      ['org-a', now - 2 * DAY_MS],
      ['org-b', now - 31 * DAY_MS],
      ['org-c', now - 30 * DAY_MS],
    ]),
    source: 'derived' as const,
    thresholdDays: 30,
    now,
  };

  it('flags organizations not heard from for longer than the threshold or never, those first and oldest first', () => {
    const freshness = freshnessOf(input);
    expect(freshness.rows.map((row) => [row.orgName, row.ageDays, row.isStale])).toEqual([
      ['org-d', null, true],
      ['B', 31, true],
      ['C', 30, false],
      ['A', 2, false],
    ]);
    expect(freshness.staleCount).toBe(2);
  });

  it('refuses a negative or non-numeric threshold with a clear error', () => {
    expect(() => freshnessOf({ ...input, thresholdDays: -1 })).toThrow(/threshold must be a number of days, 0 or more/);
    expect(() => freshnessOf({ ...input, thresholdDays: Number.NaN })).toThrow(/threshold/);
  });

  it('counts a clock ahead of now as heard from today, not from the future', () => {
    const freshness = freshnessOf({ ...input, orgIds: ['org-a'], lastSyncAt: new Map([['org-a', now + DAY_MS]]) });
    expect(freshness.rows[0]).toMatchObject({ ageDays: 0, isStale: false });
  });
});

describe('file names', () => {
  it('keeps letters of any script and digits, nothing that is a path', () => {
    expect(fileStemOf('决策记录', '2027年/交流会: "地点"', '2026-11-26')).toBe('决策记录-2027年-交流会-地点-2026-11-26');
    expect(fileStemOf('../..', '')).toBe('report');
    expect(escapeHtml(`<>&"'`)).toBe('&#60;&#62;&#38;&#34;&#39;');
  });
});

describe('remembered labels', () => {
  it('translate exactly as the catalog does, values, default values and repeated calls included', async () => {
    const instance = i18next.createInstance();
    await instance.init({ resources: { 'zh-CN': { translation: catalogs['zh-CN'] } }, lng: 'zh-CN', interpolation: { escapeValue: false } });
    const fixed = instance.getFixedT('zh-CN');
    let lookups = 0;
    const direct: ReportLocale = { t: (key, values) => ((lookups += 1), fixed(key, values ?? {})), language: 'zh-CN', timeZone: 'UTC' };
    const remembered = withRememberedLabels(direct);
    const calls: [string, Record<string, string | number>?][] = [
      ['entry.kind.practice'],
      ['entry.kind.practice'],
      ['reports.doc.digest.attribution', { kind: '社区', holder: '老姆登 {{x}} $1 \u0001kind\u0002', consent: '同意' }],
      ['reports.doc.digest.attribution', { kind: '个人', holder: '和建华', consent: '署名' }],
      ['orgs.stages.pioneer', { defaultValue: 'Pioneer stage' }],
      ['orgs.stages.seed', { defaultValue: 'ignored' }],
      ['reports.doc.criteria.count', { n: 0 }],
    ];
    for (const [key, values] of calls) expect(remembered.t(key, values)).toBe(fixed(key, values ?? {}));
    // Each label and each sentence pattern was looked up once.
    expect(lookups).toBe(5);
  });

  it('translates a key with plural forms as the catalog does, in both languages (a marker is no count)', async () => {
    const instance = i18next.createInstance();
    await instance.init({ lng: 'en', fallbackLng: false, resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } }, interpolation: { escapeValue: false } });
    for (const language of ['en', 'zh-CN'] as const) {
      const fixed = instance.getFixedT(language);
      const remembered = withRememberedLabels({ t: (key, values) => fixed(key, values ?? {}), language, timeZone: 'UTC' });
      for (const count of [1, 30, 30]) {
        const summary = remembered.t('reports.doc.freshness.summary', { stale: 2, total: 5, count });
        expect(summary).toBe(fixed('reports.doc.freshness.summary', { stale: 2, total: 5, count }));
        expect(summary).not.toContain('reports.doc');
        expect(summary).toContain(String(count));
        expect(remembered.t('reports.doc.freshness.caption', { count })).not.toContain('reports.doc');
      }
    }
  });
});
