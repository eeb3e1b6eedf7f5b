import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { PermissionError } from '../../shared/client/permissionError';
import { governanceErrorCodes } from '../../shared/governance/governanceErrorCodes';
import { RecordInputError } from '../../shared/records/recordError';
import { ReportInputError, type ReportInputCode } from '../../shared/reports/reportInputError';
import { BundleError } from '../../shared/sync/bundle';
import { errorCodes } from '../../shared/sync/protocol';
import { catalogs, languages, type Language } from '../../renderer/i18n/catalogs';
import { hubRefusalKey, refusalText } from '../../renderer/i18n/refusalText';

/*
 * Every kind of refusal reads in both languages. No fallback language is configured here, so a
 * key missing from the Chinese catalogs cannot hide behind the English text.
 */

// A Record over the union: the compiler fails this file when a report input code is added without a case here.
const reportInputCodes: Record<ReportInputCode, true> = { 'period-reversed': true, 'bad-threshold': true, 'bad-region-depth': true, 'unknown-org': true, 'unknown-proposal': true, 'bad-options': true };

const ts = {} as Record<Language, TFunction>;
const instance = i18next.createInstance();

beforeAll(async () => {
  await instance.init({
    resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } },
    lng: 'en',
    fallbackLng: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  for (const language of languages) ts[language] = instance.getFixedT(language);
});

const hasKey = (language: Language, key: string) => instance.exists(key, { lng: language, fallbackLng: false });

describe('refusalText', () => {
  it("says a local rules refusal in the user's language, naming who may run proposals", () => {
    const entryRefusal = new PermissionError('entry', 'edit', 'member', 'other');
    const proposalRefusal = new PermissionError('proposal', 'manage', 'steward', 'other');
    expect(refusalText(ts.en, entryRefusal)).toBe('Your organization may not change this.');
    expect(refusalText(ts['zh-CN'], entryRefusal)).toBe('你们机构不能修改这项内容。');
    expect(refusalText(ts.en, proposalRefusal)).toBe('Only the secretariat and authorized stewards can do this.');
    expect(refusalText(ts['zh-CN'], proposalRefusal)).not.toBe(refusalText(ts.en, proposalRefusal));
  });

  it("says a record's input refusal with its reason, and the missing consent in words of its own", () => {
    expect(refusalText(ts.en, new RecordInputError('title', 'too long'))).toBe('Not saved: too long');
    expect(refusalText(ts['zh-CN'], new RecordInputError('title', 'too long'))).toBe('未保存：too long');
    const consent = new RecordInputError('sharing', 'the knowledge holder has not given consent yet; keep it a private draft');
    expect(refusalText(ts.en, consent)).toBe("Record the knowledge holder's consent before sharing beyond your organization.");
    expect(refusalText(ts['zh-CN'], consent)).toBe('在机构外共享之前，请先记录知识持有者的同意。');
  });

  it('says every report input refusal in both languages', () => {
    for (const code of Object.keys(reportInputCodes) as ReportInputCode[]) {
      for (const language of languages) {
        expect(hasKey(language, `reports.screen.errors.${code}`), `${language}: ${code}`).toBe(true);
        const text = refusalText(ts[language], new ReportInputError(code, 'english detail'));
        expect(text, `${language}: ${code}`).not.toContain('english detail');
        expect(text, `${language}: ${code}`).not.toContain('reports.screen');
      }
    }
    expect(refusalText(ts.en, new ReportInputError('period-reversed', 'x'))).toBe('The period must end after it starts.');
  });

  it('says every hub refusal code in both languages, governance codes from the governance catalog', () => {
    for (const code of errorCodes) {
      const key = hubRefusalKey(code);
      expect(key, code).not.toBeNull();
      for (const language of languages) {
        expect(hasKey(language, key!), `${language}: ${key}`).toBe(true);
        const text = refusalText(ts[language], { code, message: 'the hub said so in English' });
        expect(text, `${language}: ${code}`).not.toBe('the hub said so in English');
        expect(text, `${language}: ${code}`).not.toBe(key);
      }
    }
    for (const code of governanceErrorCodes) expect(hubRefusalKey(code)).toBe(`governance.refusal.${code}`);
    expect(refusalText(ts.en, { code: 'forbidden', message: 'x' })).toBe('the hub does not let your organization change this record');
    expect(refusalText(ts['zh-CN'], { code: 'grace-expired', message: 'x' })).toBe('选票在宽限期之后才到达');
  });

  it("falls back to the hub's message for a code this app does not know, and to an error's message", () => {
    expect(refusalText(ts.en, { code: 'http-502', message: 'Bad Gateway' })).toBe('Bad Gateway');
    expect(refusalText(ts['zh-CN'], { code: 'from-a-newer-hub', message: 'new words' })).toBe('new words');
    // An Error that carries a code of its own is not a hub refusal: its message is what there is.
    expect(refusalText(ts.en, new BundleError('tampered', 'the bundle was changed'))).toBe('the bundle was changed');
    expect(refusalText(ts.en, 'plain')).toBe('plain');
  });
});
