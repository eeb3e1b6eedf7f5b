import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chineseScreensFiles } from '../../renderer/i18n/chineseScreensCatalog';
import { chineseStartupFiles } from '../../renderer/i18n/chineseStartupCatalog';
import { englishScreensFiles } from '../../renderer/i18n/englishScreensCatalog';
import { englishStartupFiles } from '../../renderer/i18n/englishStartupCatalog';

/*
 * Each language loads in two parts (renderer/i18n/i18n.ts): the first screen's strings at start,
 * the other screens' before the first of them draws. A catalog file in neither part would never
 * load, and one in both would fail the merge; the two languages split the same way.
 */

const i18nDir = join(import.meta.dirname, '../../renderer/i18n');
const filesOf = (language: string) =>
  readdirSync(i18nDir)
    .filter((name) => name === `${language}.json` || name.endsWith(`.${language}.json`))
    .sort();
const feature = (file: string) => file.replace(/(^|\.)(en|zh-CN)\.json$/, '') || 'app';

describe('i18n catalog parts', () => {
  for (const [language, startup, screens] of [
    ['en', englishStartupFiles, englishScreensFiles],
    ['zh-CN', chineseStartupFiles, chineseScreensFiles],
  ] as const) {
    it(`put every ${language} catalog file in exactly one part`, () => {
      const parts = [...Object.keys(startup), ...Object.keys(screens)].sort();
      expect(parts).toEqual(filesOf(language));
    });
  }

  it('split English and Simplified Chinese alike', () => {
    expect(Object.keys(chineseStartupFiles).map(feature).sort()).toEqual(Object.keys(englishStartupFiles).map(feature).sort());
    expect(Object.keys(chineseScreensFiles).map(feature).sort()).toEqual(Object.keys(englishScreensFiles).map(feature).sort());
  });
});
