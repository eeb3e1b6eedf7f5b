import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decisionPhases, proposalPhases } from '../../shared/governance/proposalPhase';
import { consentLevels, entryKinds, entrySections, entryStatuses, sharingLabels } from '../../shared/records/entry';
import { defaultStages } from '../../shared/records/network';
import { pipelineStages } from '../../shared/records/interest';
import { roles } from '../../shared/records/recordType';
import { catalogs as merged } from '../../renderer/i18n/catalogs';
import { syncFailureKey } from '../../renderer/sync/syncStateLabel';
import { errorCodes } from '../../shared/sync/protocol';

/*
 * Every string in both languages: a key in one catalog and not the other fails, and so does a key
 * the renderer asks for (t('...') in its source) that neither has.
 */

const rendererDir = join(import.meta.dirname, '../../renderer');
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;
/** The plural forms i18next looks up for a count, per language (Intl.PluralRules categories). */
const requiredPlurals: Record<string, readonly string[]> = { en: ['one', 'other'], 'zh-CN': ['other'] };

function flatten(catalog: unknown, prefix = ''): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [key, value] of Object.entries(catalog as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') keys.set(path, value);
    else for (const [inner, text] of flatten(value, path)) keys.set(inner, text);
  }
  return keys;
}

/** Keys with the plural suffix taken off: what the code asks for. */
function baseKeys(keys: Map<string, string>): Set<string> {
  return new Set([...keys.keys()].map((key) => key.replace(PLURAL_SUFFIX, '')));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    if (item.name === 'dist' || item.name === 'node_modules') return [];
    const path = join(dir, item.name);
    if (item.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(item.name) ? [path] : [];
  });
}

function interpolations(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]!).sort();
}

const catalogs = { en: flatten(merged.en), 'zh-CN': flatten(merged['zh-CN']) };

describe('i18n catalogs', () => {
  it('have the same keys in English and Simplified Chinese (plural forms aside)', () => {
    const english = baseKeys(catalogs.en);
    const chinese = baseKeys(catalogs['zh-CN']);
    expect([...english].filter((key) => !chinese.has(key)), 'missing from the zh-CN catalogs').toEqual([]);
    expect([...chinese].filter((key) => !english.has(key)), 'missing from the en catalogs').toEqual([]);
  });

  it('give every plural key the forms its language needs', () => {
    for (const [language, keys] of Object.entries(catalogs)) {
      const plurals = new Set([...keys.keys()].filter((key) => PLURAL_SUFFIX.test(key)).map((key) => key.replace(PLURAL_SUFFIX, '')));
      for (const base of plurals) {
        for (const form of requiredPlurals[language]!) expect(keys.has(`${base}_${form}`), `${language}: ${base}_${form}`).toBe(true);
      }
    }
  });

  it('have no empty strings and the same placeholders in both languages', () => {
    for (const [language, keys] of Object.entries(catalogs)) {
      for (const [key, text] of keys) expect(text.trim(), `${language}: ${key}`).not.toBe('');
    }
    const chineseByBase = new Map([...catalogs['zh-CN']].map(([key, text]) => [key.replace(PLURAL_SUFFIX, ''), text]));
    for (const [key, text] of catalogs.en) {
      const chinese = chineseByBase.get(key.replace(PLURAL_SUFFIX, ''));
      if (chinese === undefined) continue;
      expect(interpolations(chinese), `placeholders of ${key}`).toEqual(interpolations(text));
    }
  });

  it('hold every key the renderer asks for with a literal t(...)', () => {
    const english = baseKeys(catalogs.en);
    const chinese = baseKeys(catalogs['zh-CN']);
    const used = new Set<string>();
    for (const file of sourceFiles(rendererDir)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([^'\\]+)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((key) => !english.has(key) || !chinese.has(key));
    expect(missing).toEqual([]);
  });

  it('hold every key the renderer builds from a record field or a state', () => {
    const families: [string, readonly string[]][] = [
      ['entry.kind', entryKinds],
      ['entry.status', entryStatuses],
      ['entry.section', entrySections],
      ['entry.sharing', sharingLabels],
      ['entry.sharingHelp', sharingLabels],
      ['entry.consent', consentLevels],
      ['entry.holderKind', ['person', 'community']],
      ['roles', roles],
      ['governance.phase', proposalPhases],
      ['reports.doc.decision.phase', decisionPhases],
      ['orgs.stages', defaultStages.map((stage) => stage.id)],
      ['editor.save', ['saved', 'saving', 'failed']],
      ['editor.format', ['bold', 'italic', 'heading', 'bulletList', 'orderedList']],
      ['nav', ['library', 'orgs', 'governance', 'workbench', 'sync', 'settings']],
      ['settings.protection', ['os-keychain', 'passphrase-required', 'browser-storage']],
      ['sync.state', ['demo', 'locked', 'noToken', 'offline', 'offlineRetry', 'connecting', 'push', 'pushUnknown', 'pull', 'pullUnknown', 'synced', 'error', 'errorStopped']],
      ['sync.log', ['start', 'stop', 'push', 'pull', 'error', 'errorStopped', 'quarantine', 'liveConnect', 'liveDisconnect']],
      ['inbox.subject', ['entry', 'proposal', 'offer', 'org-status']],
      ['inbox.outcome', ['passed', 'failed', 'blocked', 'no-quorum', 'undecided', 'advisory']],
      ['inbox.stage', pipelineStages],
    ];
    for (const [language, keys] of Object.entries(catalogs)) {
      const present = baseKeys(keys);
      const missing = families.flatMap(([prefix, values]) => values.map((value) => `${prefix}.${value}`)).filter((key) => !present.has(key));
      expect(missing, language).toEqual([]);
    }
  });
});

// Issue 13: one word for the hub in each language, and words (never the engine's English) for
// every reason sync can fail.
describe('i18n wording', () => {
  /** The one term per language, and the others that crept in before. */
  const hubTerms = { en: { term: /\bhub\b/i, others: [/\bserver\b/i, /\bcentral node\b/i, /\brelay\b/i] }, 'zh-CN': { term: /枢纽/, others: [/中心服务器/, /中心节点/, /服务器/, /集线器/, /中枢/] } } as const;

  it('name the hub with one term in each language', () => {
    for (const language of ['en', 'zh-CN'] as const) {
      const { term, others } = hubTerms[language];
      const mixed = [...catalogs[language]].filter(([, text]) => others.some((other) => other.test(text))).map(([key, text]) => `${key}: ${text}`);
      expect(mixed, `${language}: strings naming the hub otherwise than ${term}`).toEqual([]);
      expect([...catalogs[language].values()].some((text) => term.test(text))).toBe(true);
    }
  });

  it('say every reason the sync engine fails in words, in both languages', () => {
    // What the engine reports as a failure's code: every protocol code (governance ones included),
    // none (a proxy's 502, a network failure), its quarantine codes, the store's own failure, and
    // a code from a newer hub.
    const codes: (string | null)[] = [...errorCodes, null, 'local', 'http-502', 'update-too-large', 'some-newer-code'];
    for (const language of ['en', 'zh-CN'] as const) {
      for (const code of codes) {
        const key = syncFailureKey(code);
        const text = catalogs[language].get(key);
        expect(text, `${language}: ${String(code)} -> ${key}`).toBeTruthy();
      }
      for (const key of ['sync.reason.network', 'sync.action.joinAgain', 'sync.action.syncNow', 'sync.phase.push', 'sync.phase.pull', 'sync.phase.live', 'sync.phase.local']) {
        expect(catalogs[language].get(key), `${language}: ${key}`).toBeTruthy();
      }
    }
  });

  it('show no sequence numbers, close codes or engine messages in the sync log', () => {
    for (const language of ['en', 'zh-CN'] as const) {
      const log = [...catalogs[language]].filter(([key]) => key.startsWith('sync.log.') || key.startsWith('sync.state.'));
      for (const [key, text] of log) expect(interpolations(text).filter((name) => ['seq', 'code', 'message'].includes(name)), `${language}: ${key}`).toEqual([]);
    }
  });

  // A key with a sibling `…One` chooses its singular itself (labelExclusion.ts says why).
  it('never print a number before an English plural noun without a singular form ("1 hours")', () => {
    const countedNoun = /\{\{\s*\w+\s*\}\}\s+(hours|days|minutes|organizations|rows|records|entries|ballots|files|changes|devices|comments|items|votes)\b/;
    const unpluralized = [...catalogs.en].filter(([key, text]) => !PLURAL_SUFFIX.test(key) && !catalogs.en.has(`${key}One`) && countedNoun.test(text)).map(([key, text]) => `${key}: ${text}`);
    expect(unpluralized).toEqual([]);
  });
});
