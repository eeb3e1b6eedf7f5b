import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogs } from '../../renderer/i18n/catalogs';
import { runoffRoundText } from '../../renderer/governance/runoffRoundText';

// Results speak plainly (issue 19): counted words, and a tie that was broken says so and how.
describe('the wording of results', () => {
  let en: TFunction;
  let zh: TFunction;
  beforeAll(async () => {
    const instance = i18next.createInstance();
    await instance.init({ resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } }, lng: 'en', interpolation: { escapeValue: false } });
    en = instance.getFixedT('en');
    zh = instance.getFixedT('zh-CN');
  });

  it('counts one ballot as "1 ballot" in a runoff round, never "1 ballots", in both languages', () => {
    expect(runoffRoundText(en, 1, { continuing: 1, exhausted: 0 })).toBe('Round 1: 1 ballot continuing, 0 exhausted');
    expect(runoffRoundText(en, 2, { continuing: 3, exhausted: 1 })).toBe('Round 2: 3 ballots continuing, 1 exhausted');
    expect(runoffRoundText(zh, 1, { continuing: 1, exhausted: 0 })).toBe('第 1 轮：1 张有效票，0 张已用尽');
  });

  it('says "tie, broken by" for every rule that breaks a tie, on screen and in the report', () => {
    for (const rule of ['previous-round', 'total-across-rounds', 'option-id-order']) {
      expect(en(`governance.elimination.${rule}`)).toMatch(/^tie, broken by /);
      expect(zh(`governance.elimination.${rule}`)).toMatch(/^平局，按.+打破$/);
      expect(en(`reports.doc.decision.elimination.${rule}`)).toMatch(/^tie, broken by /);
      expect(zh(`reports.doc.decision.elimination.${rule}`)).toMatch(/^平局，按.+打破$/);
    }
    // Fewest votes outright is no tie.
    expect(en('governance.elimination.fewest-votes')).toBe('fewest votes');
  });
});
