import i18next from 'i18next';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { catalogs } from '../../renderer/i18n/catalogs';
import { entry as entryModule } from '../../shared/records/entry';
import { buildReport, buildReportSteps } from '../../shared/reports/buildReport';
import { lastHeardFrom } from '../../shared/reports/lastHeardFrom';
import { ENTRIES_SLOT_ATTRIBUTE, progressiveReportBody, slotPieceHtml } from '../../shared/reports/progressiveBody';
import { renderReportBody, renderSectionHtml } from '../../shared/reports/renderHtml';
import type { ReportData, ViewOf } from '../../shared/reports/reportData';
import type { ReportRequest } from '../../shared/reports/reportKinds';
import type { ReportContext } from '../../shared/reports/reportInputs';
import type { ReportLocale, ReportModel } from '../../shared/reports/reportModel';
import { ReportBuildAborted, runStepsInSlices } from '../../shared/reports/reportSteps';
import { corpusOrgs, generateEntries } from '../bench/entryCorpus';

/*
 * The Reports screen builds a report in slices and writes its preview a slice at a time (issue
 * 17). Both must give what the one-go builder and renderer give, on the benchmarks' seeded corpus
 * (with translations, so entries move next to their originals): a dropped, repeated or reordered
 * entry or row fails here.
 */

const ENTRIES = 400;
const NOW = Date.UTC(2026, 5, 1);

function corpusData(): ReportData {
  const shared = generateEntries(ENTRIES * 3)
    .filter((item) => (item.input.sharing ?? 'private') !== 'private')
    .slice(0, ENTRIES);
  const entries: ViewOf<'entry'>[] = shared.map((item, index) => {
    const doc = new Y.Doc();
    entryModule.create(doc, entryModule.parseInput(item.input), { orgId: item.ownerOrg, deviceId: `dev-${item.ownerOrg}`, role: 'member', now: item.createdAt });
    const projection = entryModule.read(doc);
    doc.destroy();
    const id = `entry-${String(index).padStart(4, '0')}`;
    // Every seventh entry translates the one three before it: the digest pairs them.
    const translation = index % 7 === 6 ? { of: `entry-${String(index - 3).padStart(4, '0')}`, translator: 'Li Wei' } : null;
    return { header: { id, type: 'entry', ownerOrg: item.ownerOrg, createdAt: item.createdAt }, projection: { ...projection, translation }, seq: index + 1 };
  });
  const orgs = corpusOrgs.map((id) => ({
    header: { id, type: 'org' as const, ownerOrg: id, createdAt: 0 },
    projection: { name: id, region: [], coordinates: null, capabilities: [], staffSize: 5, stage: 'growing', stageHistory: [], selfAssessment: null, topics: [], contact: { person: '', phone: '', email: '' }, createdAt: 0, updatedAt: 0 },
    seq: 1,
  }));
  return { network: null, orgs, entries, proposals: [], ballots: [], comments: [], offers: [], interests: [], results: [] };
}

async function englishLocale(): Promise<ReportLocale> {
  const instance = i18next.createInstance();
  await instance.init({ resources: { en: { translation: catalogs.en } }, lng: 'en', interpolation: { escapeValue: false } });
  const t = instance.getFixedT('en');
  return { t: (key, values) => t(key, values ?? {}), language: 'en', timeZone: 'UTC' };
}

let madeContext: Promise<ReportContext> | null = null;
/** Made once per file: builders never change their input. */
function corpusContext(): Promise<ReportContext> {
  madeContext ??= englishLocale().then((locale) => {
    const data = corpusData();
    return { data, locale, now: NOW, lastSyncAt: lastHeardFrom(data, NOW), lastSyncSource: 'derived' };
  });
  return madeContext;
}

/** A pause at every step, each a macrotask: the most a slicer could ever yield. */
function countingPause(): { readonly pause: () => Promise<void>; readonly count: () => number } {
  let paused = 0;
  return {
    pause: () => {
      paused += 1;
      return new Promise((resolve) => setImmediate(resolve));
    },
    count: () => paused,
  };
}

const requests: readonly ReportRequest[] = [
  { kind: 'digest', options: {} },
  { kind: 'digest', options: { groupBy: 'kind', orderBy: 'title' } },
  { kind: 'digest', options: { groupBy: 'month', orderBy: 'oldest', statuses: ['shared', 'endorsed', 'draft'] } },
  { kind: 'contributions', options: {} },
  { kind: 'org-profile', options: { orgId: corpusOrgs[0]! } },
];

describe('reports built in slices', () => {
  it.each(requests.map((request) => [`${request.kind} ${JSON.stringify(request.options)}`, request] as const))('gives the model built in one go: %s', async (_name, request) => {
    const context = await corpusContext();
    const inOneGo = buildReport(context, request);
    const { pause, count } = countingPause();
    const sliced = await runStepsInSlices(buildReportSteps(context, request), { pause });
    expect(sliced).toEqual(inOneGo);
    expect(sliced.table.rows.map((row) => row[0])).toEqual(inOneGo.table.rows.map((row) => row[0]));
    if (request.kind === 'digest') {
      // It really gives the thread back: at least once per entry and once per row.
      expect(inOneGo.table.rows.length).toBeGreaterThan(100);
      expect(count()).toBeGreaterThanOrEqual(2 * inOneGo.table.rows.length);
    }
  });

  it('gives the thread back while it chooses among the entries, not only once per entry written', async () => {
    const context = await corpusContext();
    // Ten times the corpus (new ids), and a topic none of them has: nothing to write, 4,000 entries to look at.
    const entries = Array.from({ length: 10 }, (_, copy) => context.data.entries.map((view) => ({ ...view, header: { ...view.header, id: `${view.header.id}-${copy}` } }))).flat();
    const request: ReportRequest = { kind: 'digest', options: { topics: ['no entry has this topic'] } };
    const { pause, count } = countingPause();
    const model = await runStepsInSlices(buildReportSteps({ ...context, data: { ...context.data, entries } }, request), { pause });
    expect(model.table.rows).toEqual([]);
    expect(count()).toBeGreaterThanOrEqual(entries.length / 200);
  });

  it('stops at the next step once aborted, and never resolves a part-built report', async () => {
    const context = await corpusContext();
    const controller = new AbortController();
    let paused = 0;
    const pause = () => {
      paused += 1;
      if (paused === 50) controller.abort();
      return new Promise<void>((resolve) => setImmediate(resolve));
    };
    await expect(runStepsInSlices(buildReportSteps(context, { kind: 'digest', options: {} }), { pause, signal: controller.signal })).rejects.toBeInstanceOf(ReportBuildAborted);
    expect(paused).toBe(50);
  });

  it('refuses a reversed period in slices as in one go', async () => {
    const context = await corpusContext();
    const request: ReportRequest = { kind: 'digest', options: { from: NOW, to: NOW - 1 } };
    expect(() => buildReport(context, request)).toThrow(/period must end after it starts/);
    await expect(runStepsInSlices(buildReportSteps(context, request), countingPause())).rejects.toThrow(/period must end after it starts/);
  });
});

describe('the preview written a slice at a time', () => {
  /** The shell with each slot's pieces put where its placeholder stands, as the preview writes them into the DOM. */
  function filled(model: ReportModel, piece: number): string {
    const { shell, slots } = progressiveReportBody(model, null);
    return shell.replace(new RegExp(`<template ${ENTRIES_SLOT_ATTRIBUTE}="(\\d+)"></template>`, 'g'), (_match, index: string) => {
      const items = slots[Number(index)]!;
      let html = '';
      for (let start = 0; start < items.length; start += piece) html += slotPieceHtml(items, start, start + piece, null);
      return html;
    });
  }

  it.each([1, 7, 40, 10_000])('is the exported body once filled, in pieces of %i entries', async (piece) => {
    const context = await corpusContext();
    for (const request of requests) {
      const model = buildReport(context, request);
      const body = renderReportBody(model, (section) => renderSectionHtml(section, null));
      expect(filled(model, piece)).toBe(body);
    }
  });

  it('holds no entry in its shell: the entries come in the pieces', async () => {
    const context = await corpusContext();
    const model = buildReport(context, { kind: 'digest', options: { groupBy: 'kind' } });
    const { shell, slots } = progressiveReportBody(model, null);
    expect(shell).not.toContain('<article');
    expect(slots.reduce((sum, items) => sum + items.length, 0)).toBe(model.table.rows.length);
  });
});
