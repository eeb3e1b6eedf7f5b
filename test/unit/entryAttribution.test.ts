// Attribution in the app's own create and mutators: credit by name needs the holder's name (the
// hub refuses the same states, test/integration/entryAttribution.test.ts), the consent record is
// kept and read tolerantly, the attribution form never asks for credit by name alone, and the
// digest prints the name and the consent record (and hides the giver under anonymous consent).
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { consentChoice, dayInput, dayOfInput } from '../../renderer/editor/attributionForm';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { RecordInputError } from '../../shared/records/recordError';
import { buildReport } from '../../shared/reports/buildReport';
import { exportReportText } from '../../shared/reports/exportReport';
import type { ReportData } from '../../shared/reports/reportData';
import { reportLocale } from '../integration/reportsFixture';

const T0 = Date.UTC(2026, 4, 1);
const ctx = { orgId: 'org-a', deviceId: 'dev-a', role: 'member' as const, now: T0 };
const consentRecord = { givenBy: 'Yang Apo', givenAt: Date.UTC(2026, 3, 12), how: 'spoken', use: 'Teaching in the network’s member villages' } as const;
const input: EntryInput = {
  kind: 'local-wisdom',
  title: 'Swallows and rain',
  language: 'en',
  attribution: { holderKind: 'person', holderName: 'Yang Apo', consent: 'credit-by-name', consentRecord },
  sharing: 'network',
};

function created(extra: Partial<EntryInput> = {}): Y.Doc {
  const doc = new Y.Doc();
  entry.create(doc, entry.parseInput({ ...input, ...extra }), ctx);
  return doc;
}

const refusal = (run: () => void): { field: string } | null => {
  try {
    run();
  } catch (error) {
    if (error instanceof RecordInputError) return { field: error.field };
    throw error;
  }
  return null;
};

describe('credit by name', () => {
  it('needs the holder’s name when created, private draft or shared', () => {
    for (const sharing of ['private', 'network'] as const) {
      expect(refusal(() => created({ sharing, attribution: { holderKind: 'person', holderName: '  ', consent: 'credit-by-name' } }))).toEqual({ field: 'attribution.holderName' });
    }
    expect(refusal(() => created())).toBeNull();
  });

  it('needs it when set, whether the consent or the name is what changes', () => {
    const doc = created();
    const before = entry.read(doc).attribution;
    expect(refusal(() => entryMutators.setAttribution.apply(doc, { ...before, holderName: '' }, ctx))).toEqual({ field: 'attribution.holderName' });
    const anonymous = created({ attribution: { holderKind: 'person', holderName: '', consent: 'anonymous' } });
    expect(refusal(() => entryMutators.setAttribution.apply(anonymous, { holderKind: 'person', holderName: '', consent: 'credit-by-name' }, ctx))).toEqual({ field: 'attribution.holderName' });
    expect(refusal(() => entryMutators.setAttribution.apply(anonymous, { holderKind: 'person', holderName: 'Li', consent: 'credit-by-name' }, ctx))).toBeNull();
  });

  it('is what the form waits to save with the name when none is typed yet', () => {
    expect(consentChoice('', 'credit-by-name')).toEqual({ waits: true });
    expect(consentChoice('   ', 'credit-by-name')).toEqual({ waits: true });
    expect(consentChoice('Li', 'credit-by-name')).toEqual({ waits: false });
    expect(consentChoice('', 'anonymous')).toEqual({ waits: false });
  });
});

describe('the consent record', () => {
  it('is stored and read with the attribution; an entry without one reads none', () => {
    expect(entry.read(created()).attribution.consentRecord).toEqual(consentRecord);
    expect(entry.read(created({ attribution: { holderKind: 'community', holderName: 'Elders', consent: 'community-approved' } })).attribution).not.toHaveProperty('consentRecord');
  });

  it('refuses a way of giving consent that is not spoken, written or recorded', () => {
    expect(() => entry.parseInput({ ...input, attribution: { ...input.attribution!, consentRecord: { ...consentRecord, how: 'implied' } } } as unknown as EntryInput)).toThrow();
  });

  it('round-trips its day through the date input', () => {
    expect(dayInput(consentRecord.givenAt)).toBe('2026-04-12');
    expect(dayOfInput('2026-04-12')).toBe(consentRecord.givenAt);
    expect(dayOfInput('12/04/2026')).toBeNull();
  });
});

describe('the digest', () => {
  const view = (id: string, extra: Partial<EntryInput>) => ({ header: { id, type: 'entry' as const, ownerOrg: 'org-a', createdAt: T0 }, projection: entry.read(created(extra)), seq: 1 });
  const data: ReportData = {
    network: null,
    orgs: [],
    entries: [
      view('entry-named', {}),
      view('entry-anonymous', { title: 'Seed jars', attribution: { holderKind: 'person', holderName: 'Secret Name', consent: 'anonymous', consentRecord: { ...consentRecord, givenBy: 'Secret Giver', how: 'written' } } }),
    ],
    proposals: [],
    ballots: [],
    comments: [],
    offers: [],
    interests: [],
    results: [],
  };
  const exportAs = async (language: 'en' | 'zh-CN', format: 'markdown' | 'csv') => {
    const locale = await reportLocale(language);
    const model = buildReport({ data, locale, now: T0 + 3_600_000, lastSyncAt: new Map(), lastSyncSource: 'derived' }, { kind: 'digest', options: {} });
    return exportReportText(model, format, { pause: () => Promise.resolve(), valueLabel: 'n' });
  };

  it('prints the holder’s name under credit by name, and who gave consent, how, when and for what use', async () => {
    const markdown = await exportAs('en', 'markdown');
    expect(markdown).toContain('Yang Apo');
    expect(markdown).toContain('Consent given by Yang Apo, spoken, on');
    expect(markdown).toContain('for: Teaching in the network’s member villages');
    const zh = await exportAs('zh-CN', 'markdown');
    expect(zh).toContain('授权人：Yang Apo，方式：口头');
  });

  it('never prints the holder or the giver under anonymous consent, in Markdown or CSV', async () => {
    const markdown = await exportAs('en', 'markdown');
    expect(markdown).toContain('Consent given written, on');
    expect(markdown).not.toContain('Secret');
    const csv = await exportAs('en', 'csv');
    const rows = parse(csv.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(csv).not.toContain('Secret');
  });
});
