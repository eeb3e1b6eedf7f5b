import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile, VIEWPORT } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { pushEntriesAs } from './support/hubRecords';
import { serveStatic, type StaticServer } from './support/staticServer';
import { englishProbes, untranslatedOn } from './support/untranslated';

/*
 * Every main screen in both languages at 1024x768, written to test/e2e/artifacts/screens/ (kept by
 * CI, ignored by git). In Chinese, no English UI string may show on any of them.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'screens');

const ORG = '西山生态农业合作社';
const ENTRY_TITLE = '塑料瓶滴灌：旱季省水一半';

type Language = 'en' | 'zh-CN';

describe('every main screen in English and in Chinese', { timeout: 120_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const profile = new BrowserProfile('screens');
  let app: FieldwisePage;
  let page: Page;
  let entryId = '';
  let orgId = '';
  const probes = englishProbes();
  const untranslated: string[] = [];

  const shoot = async (language: Language, index: number, screen: string) => {
    // Nothing mid-animation: the sync bar settled, fonts loaded.
    await app.waitForSyncState(['synced']);
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await page.screenshot({ path: join(screenshotDir, `${language}-${index}-${screen}.png`) });
    if (language === 'zh-CN') for (const probe of await untranslatedOn(page, probes)) untranslated.push(`${screen}: "${probe}"`);
  };

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    await pushEntriesAs(hub, 'Qiandongnan School Gardens', [
      {
        kind: 'practice',
        title: 'Rainwater harvesting for school gardens',
        summary: 'Roof gutters feed two tanks that water the beds through the dry season.',
        body: 'Parents fitted gutters to the classroom roof.',
        tags: ['water', 'schools'],
        region: ['Guizhou', 'Qiandongnan'],
        language: 'en',
        author: 'Wang Jun',
        attribution: { holderKind: 'community', holderName: 'Parents committee', consent: 'community-approved' },
        sharing: 'network',
      },
    ]);
    await pushEntriesAs(hub, '怒江山区饮水安全小组', [
      {
        kind: 'local-wisdom',
        title: '山区引水管道的冬季防冻',
        summary: '把水管埋深到六十厘米以下，冬季断水天数从二十天降到两天。',
        tags: ['饮水安全'],
        region: ['云南省', '怒江州'],
        language: 'zh-CN',
        author: '和建华',
        attribution: { holderKind: 'community', holderName: '老姆登村民小组', consent: 'community-approved' },
        sharing: 'network',
      },
      {
        kind: 'challenge',
        title: '水费收缴难',
        summary: '部分农户认为山泉水不该收费，管护资金不足。',
        tags: ['治理'],
        region: ['云南省', '怒江州'],
        language: 'zh-CN',
        attribution: { holderKind: 'person', holderName: '和建华', consent: 'credit-by-name' },
        sharing: 'network',
      },
    ]);
    page = await profile.launch({ appUrl: server.url });
    app = new FieldwisePage(page);
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
    await hub?.close();
  });

  async function shootShell(language: Language): Promise<void> {
    await app.goTo('#/library');
    await app.entryRow(ENTRY_TITLE).waitFor();
    await shoot(language, 2, 'library');

    await app.search('滴灌', [ENTRY_TITLE]);
    await shoot(language, 3, 'search-results');
    await app.byTestId('search-input').fill('');

    await app.openEntry(entryId);
    await app.waitForText(app.richText('editor-section-approach'), '瓶底扎两个小孔');
    await app.waitSaved();
    await shoot(language, 4, 'editor');

    await app.goTo('#/orgs');
    await page.locator(testId('org-row')).nth(2).waitFor();
    await shoot(language, 5, 'organizations');

    await app.goTo(`#/orgs/${orgId}`);
    await app.byTestId('org-profile').waitFor();
    await shoot(language, 6, 'org-profile');

    await app.goTo('#/sync');
    await app.byTestId('sync-log-row').first().waitFor();
    await shoot(language, 7, 'sync');

    await app.goTo('#/settings');
    await app.byTestId('settings-hub').waitFor();
    await shoot(language, 8, 'settings');
  }

  it('onboarding, then every screen of a joined organization, in Chinese; no English UI string on any', async () => {
    await page.setViewportSize(VIEWPORT);
    await app.open(server.url);
    await app.byTestId('join-submit').waitFor();
    await page.screenshot({ path: join(screenshotDir, 'en-1-onboarding.png') });
    await app.chooseLanguage('简体中文');
    await page.screenshot({ path: join(screenshotDir, 'zh-CN-1-onboarding.png') });
    for (const probe of await untranslatedOn(page, probes)) untranslated.push(`onboarding: "${probe}"`);

    await app.join({ hubUrl: hub.url, code: await hub.invite(ORG), deviceName: '西山合作社笔记本' });
    await app.waitForSyncState(['synced']);
    orgId = (await hub.storage.listOrgs()).find((org) => org.name === ORG)!.id;
    entryId = await app.newEntry();
    await app.byTestId('editor-title').fill(ENTRY_TITLE);
    await app.byTestId('editor-summary').fill('把旧塑料瓶埋在每株菜旁边，三天加一次水。');
    await app.focusEndOf('editor-section-approach');
    await page.keyboard.type('瓶底扎两个小孔，埋入土中十厘米。');
    await app.focusEndOf('editor-body');
    await app.format('bold');
    await page.keyboard.type('旱季省水一半以上');
    await app.format('bold');
    await page.keyboard.press('Enter');
    await app.format('bulletList');
    await page.keyboard.type('回收的塑料瓶');
    await page.keyboard.press('Enter');
    await page.keyboard.type('锥子');
    await app.waitSaved();
    await app.waitUntilAllSent();

    await shootShell('zh-CN');
    expect(untranslated).toEqual([]);
  });

  it('every screen again in English, after switching the language in Settings', async () => {
    await app.goTo('#/settings');
    await app.chooseLanguage('English');
    await shootShell('en');
    expect(await app.byTestId('nav-library').textContent()).toBe('Library');
    // The probes do find English where there is English.
    expect(await untranslatedOn(page, probes)).toEqual(expect.arrayContaining(['Library', 'Organizations', 'Sync now', 'Hub address']));
  });
});
