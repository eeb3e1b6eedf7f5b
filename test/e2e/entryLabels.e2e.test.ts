import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile, VIEWPORT } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';
import { englishProbes, untranslatedOn } from './support/untranslated';

/*
 * The label editor walked as the owner would, in Chromium against a real hub: apply TK Seasonal
 * and TK Secret/Sacred to a local-wisdom entry with the community's words in English and Chinese,
 * see the seasonal notice in the entry and on its library row, and find the labels stored at the
 * hub. Then the same screens in Chinese, with no English UI string. Screenshots go to
 * test/e2e/artifacts/labels/.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'labels');
const TITLE = '春播前看燕子';

describe('the entry label editor in English and Chinese', { timeout: 120_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const profile = new BrowserProfile('labels');
  let app: FieldwisePage;
  let page: Page;
  let entryId = '';

  const shoot = async (name: string) => {
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  };
  /** The label editor itself (below the fold of the editor's scrolling pane). */
  const shootPanel = async (name: string) => {
    await app.byTestId('labels-panel').scrollIntoViewIfNeeded();
    await app.byTestId('labels-panel').screenshot({ path: join(screenshotDir, `${name}.png`) });
  };

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    page = await profile.launch({ appUrl: server.url });
    app = new FieldwisePage(page);
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
    await hub?.close();
  });

  it('applies labels with the community words in both languages; the seasonal notice shows in the entry and the library', async () => {
    await page.setViewportSize(VIEWPORT);
    await app.open(server.url);
    await app.join({ hubUrl: hub.url, code: await hub.invite('Fengyu Farmers Cooperative'), deviceName: 'field laptop' });
    await app.waitForSyncState(['synced']);
    entryId = await app.newEntry();
    await app.byTestId('editor-title').fill(TITLE);
    await app.waitSaved();

    await app.byTestId('label-apply-tk-seasonal').check();
    await app.byTestId('label-text-en-tk-seasonal').fill('Only told before the spring sowing');
    await app.byTestId('label-text-zh-tk-seasonal').fill('只在春播前讲述');
    await app.byTestId('label-apply-tk-secret-sacred').check();
    await app.byTestId('label-text-zh-tk-secret-sacred').fill('不得外传');
    await app.byTestId('label-text-zh-tk-secret-sacred').blur();
    await app.waitSaved();
    await app.waitForText(app.byTestId('entry-seasonal-notice'), 'Seasonal knowledge: Only told before the spring sowing');
    expect(await page.locator(`${testId('entry-labels')} ${testId('entry-label')}`).evaluateAll((badges) => badges.map((badge) => badge.getAttribute('data-label-id')))).toEqual([
      'tk-seasonal',
      'tk-secret-sacred',
    ]);
    await app.waitUntilAllSent();
    await shoot('en-1-editor');
    await shootPanel('en-3-label-editor');
    expect((await hub.storage.getRecord(entryId))!.projection['labels']).toEqual([
      { id: 'tk-seasonal', texts: { en: 'Only told before the spring sowing', zh: '只在春播前讲述' } },
      { id: 'tk-secret-sacred', texts: { en: '', zh: '不得外传' } },
    ]);
    expect((await hub.storage.getRecord(entryId))!.facts).toMatchObject({ isOwnerOnly: true });

    await app.goTo('#/library');
    await app.entryRow(TITLE).waitFor();
    await app.waitForText(app.entryRow(TITLE).locator(testId('entry-seasonal-notice')), 'Only told before the spring sowing');
    await shoot('en-2-library');
  });

  it('shows the same in Chinese, with no English UI string', async () => {
    await app.goTo('#/settings');
    await app.chooseLanguage('简体中文');
    await app.goTo('#/library');
    await app.waitForText(app.entryRow(TITLE).locator(testId('entry-seasonal-notice')), '季节性知识：只在春播前讲述');
    await shoot('zh-CN-2-library');
    const untranslated = await untranslatedOn(page, englishProbes());
    await app.openEntry(entryId);
    await app.waitForText(app.byTestId('entry-seasonal-notice'), '季节性知识：只在春播前讲述');
    await app.waitForText(app.byTestId('labels-panel'), '分享与文化标签');
    await shoot('zh-CN-1-editor');
    await shootPanel('zh-CN-3-label-editor');
    untranslated.push(...(await untranslatedOn(page, englishProbes())));
    expect(untranslated).toEqual([]);

    // Taking a label off in Chinese reaches the hub too.
    await app.byTestId('label-apply-tk-secret-sacred').uncheck();
    await app.waitSaved();
    await app.waitUntilAllSent();
    expect(((await hub.storage.getRecord(entryId))!.projection['labels'] as { id: string }[]).map((label) => label.id)).toEqual(['tk-seasonal']);
  });
});
