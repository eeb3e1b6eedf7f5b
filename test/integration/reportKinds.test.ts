import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastHeardFrom } from '../../shared/reports/lastHeardFrom';
import { buildReport } from '../../shared/reports/buildReport';
import { loadReportData, type ReportData } from '../../shared/reports/reportData';
import { ReportInputError } from '../../shared/reports/reportInputError';
import type { ReportContext } from '../../shared/reports/reportInputs';
import { reportKindIds, reportKinds, type ReportKind, type ReportRequest } from '../../shared/reports/reportKinds';
import type { ReportLocale } from '../../shared/reports/reportModel';
import { buildReportsFixture, reportLocale, type ReportsFixture } from './reportsFixture';

/*
 * The registry of report kinds: every kind builds its model from the fixture network's data, and
 * every kind's options go through its own schema, so options of the wrong shape are refused with
 * a ReportInputError the screen can put in words, before any building.
 */

describe('the report kind registry', { timeout: 120_000 }, () => {
  let fixture: ReportsFixture;
  let data: ReportData;
  let en: ReportLocale;
  let zh: ReportLocale;

  const context = (): ReportContext => ({ data, locale: en, now: fixture.now, lastSyncAt: lastHeardFrom(data, fixture.now), lastSyncSource: 'derived' });
  // Keyed by kind: a kind added to the registry without a case here fails to type-check.
  const cases = (): Record<ReportKind, { readonly good: ReportRequest; readonly bad: unknown }> => ({
    digest: { good: { kind: 'digest', options: { groupBy: 'kind' } }, bad: { groupBy: 'planet' } },
    contributions: { good: { kind: 'contributions', options: {} }, bad: { regionDepth: '2' } },
    'org-profile': { good: { kind: 'org-profile', options: { orgId: fixture.orgIds.gardens } }, bad: { orgId: 7 } },
    'decision-record': { good: { kind: 'decision-record', options: { proposalId: fixture.proposalId } }, bad: { proposalId: fixture.proposalId, viewer: { orgId: 'org-x', role: 'king' } } },
  });

  beforeAll(async () => {
    [fixture, en, zh] = await Promise.all([buildReportsFixture(), reportLocale('en'), reportLocale('zh-CN')]);
    data = await loadReportData(fixture.client);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it.each(reportKindIds)('builds a %s model from the fixture data', (kind) => {
    const { good } = cases()[kind];
    expect(reportKinds[kind].optionsSchema.safeParse(good.options).success).toBe(true);
    const model = buildReport(context(), good);
    expect(model.kind).toBe(kind);
    expect(model.title).not.toBe('');
    expect(model.sections.length).toBeGreaterThan(0);
    expect(model.table.rows.length).toBeGreaterThan(0);
  });

  it.each(reportKindIds)('refuses %s options its schema refuses, with a code the screen words', (kind) => {
    const { good, bad } = cases()[kind];
    expect(reportKinds[kind].optionsSchema.safeParse(bad).success).toBe(false);
    const request = { kind, options: bad } as ReportRequest;
    let caught: unknown = null;
    try {
      buildReport(context(), request);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ReportInputError);
    expect(caught).toMatchObject({ code: 'bad-options' });
    for (const locale of [en, zh]) expect(locale.t('reports.screen.errors.bad-options')).not.toBe('reports.screen.errors.bad-options');
    // The same kind with its good options still builds: the refusal is of the options, not the kind.
    expect(buildReport(context(), good).kind).toBe(kind);
  });

  it('names every kind in both catalogs', () => {
    const named = reportKindIds.map((kind) => [en.t(reportKinds[kind].labels.name), zh.t(reportKinds[kind].labels.name)]);
    for (const [kind, [english, chinese]] of reportKindIds.map((kind, index) => [kind, named[index]!] as const)) {
      expect(english, kind).not.toBe(reportKinds[kind].labels.name);
      expect(chinese, kind).not.toBe(reportKinds[kind].labels.name);
    }
    expect(new Set(named.map(([english]) => english)).size).toBe(reportKindIds.length);
  });
});
