import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry } from '../../shared/records/entry';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * A translation across organizations in the browser build, on a real hub: an organization writes a
 * practice in Chinese and shares it; a reader of another organization translates it into English
 * (a new entry of its own, linked to the original and naming the translator) and shares that; the
 * author's laptop lists the translation on the original, its English library shows the English
 * version with the Chinese one named, its Chinese library the original; the author's knowledge
 * digest marks the translation and prints it after its original. Screens go to
 * test/e2e/artifacts/screens/.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'screens');
const TITLE = '屋顶集雨浇灌菜园';
const SUMMARY = '用屋顶收集雨水，旱季浇灌菜园。';
const EN_TITLE = 'Roof rainwater for the vegetable garden';
const EN_SUMMARY = 'Collect rain from the roof to water the garden in the dry season.';
const TRANSLATOR = 'Wang Fang';

describe('translating an entry of another organization', { timeout: 180_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const authorLaptop = new BrowserProfile('translation-author');
  const readerLaptop = new BrowserProfile('translation-reader');
  let author: FieldwisePage;
  let reader: FieldwisePage;
  let originalId = '';
  let translationId = '';

  const launch = async (profile: BrowserProfile, code: string, deviceName: string) => {
    const app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.join({ hubUrl: hub.url, code, deviceName });
    await app.waitForSyncState(['synced']);
    return app;
  };
  const shoot = (page: FieldwisePage, name: string) => page.page.screenshot({ path: join(screenshotDir, `translation-${name}.png`), fullPage: true });
  const stored = async (id: string) => {
    const record = await hub.storage.getRecord(id);
    if (!record) return null;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, record.state);
    return { header: record.header, p: entry.read(doc) };
  };

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
  });

  afterAll(async () => {
    await Promise.all([authorLaptop.dispose(), readerLaptop.dispose()]);
    await server?.close();
    await hub?.close();
  });

  it('the author writes a practice in Chinese and shares it with the network', async () => {
    author = await launch(authorLaptop, await hub.invite('西山生态农业合作社'), '合作社笔记本');
    originalId = await author.newEntry();
    await author.byTestId('editor-title').fill(TITLE);
    await author.byTestId('editor-summary').fill(SUMMARY);
    await author.byTestId('editor-language').click();
    await author.page.getByRole('option', { name: 'Chinese (简体中文)', exact: true }).click();
    await author.byTestId('editor-consent').click();
    await author.page.getByRole('option', { name: 'Approved by the community' }).click();
    await author.byTestId('editor-sharing').click();
    await author.page.getByRole('option', { name: 'Network', exact: true }).click();
    await author.page.waitForSelector(`${testId('editor-status')}:has-text("Shared")`);
    await author.waitSaved();
    await author.waitUntilAllSent();
    expect((await stored(originalId))?.p).toMatchObject({ title: TITLE, language: 'zh-CN', sharing: 'network' });
  });

  it('a reader of another organization translates it into English and shares the translation', async () => {
    reader = await launch(readerLaptop, await hub.invite('Nujiang Mountain Water Group'), 'Reader laptop');
    await reader.page.waitForSelector(`${testId('entry-row')}[data-entry-id="${originalId}"]`, { timeout: 30_000 });
    await reader.openEntry(originalId);
    // A reader cannot edit the original, but may translate it.
    await reader.byTestId('read-only-notice').waitFor();
    await reader.byTestId('translation-translator').fill(TRANSLATOR);
    await reader.byTestId('translate-entry').click();
    await reader.page.waitForSelector(`${testId('entry-editor')}:not([data-entry-id="${originalId}"])`);
    translationId = (await reader.byTestId('entry-editor').getAttribute('data-entry-id'))!;
    await reader.byTestId('entry-translation-of').waitFor();
    expect(await reader.byTestId('entry-translation-of').textContent()).toContain(TRANSLATOR);
    await reader.byTestId('editor-title').fill(EN_TITLE);
    await reader.byTestId('editor-summary').fill(EN_SUMMARY);
    await reader.byTestId('editor-sharing').click();
    await reader.page.getByRole('option', { name: 'Network', exact: true }).click();
    await reader.page.waitForSelector(`${testId('editor-status')}:has-text("Shared")`);
    await reader.waitSaved();
    await reader.waitUntilAllSent();
    const translation = await stored(translationId);
    expect(translation?.p).toMatchObject({ title: EN_TITLE, language: 'en', sharing: 'network', translation: { of: originalId, translator: TRANSLATOR } });
    expect(translation?.header.ownerOrg).not.toBe((await stored(originalId))?.header.ownerOrg);
    await shoot(reader, 'en-1-reader-translation');
  });

  it('the author sees it: listed on the original, and each library in its reader’s language', async () => {
    await author.openEntry(originalId);
    const listed = author.page.locator(`${testId('entry-translation')}[data-entry-id="${translationId}"]`);
    await listed.waitFor({ timeout: 30_000 });
    expect(await listed.textContent()).toContain(EN_TITLE);
    expect(await listed.textContent()).toContain(TRANSLATOR);
    await shoot(author, 'en-2-author-original-lists-translation');
    // In English the library shows the English version, naming the Chinese one.
    await author.byTestId('editor-back').click();
    const englishRow = author.page.locator(`${testId('entry-row')}[data-entry-id="${translationId}"]`);
    await englishRow.waitFor();
    expect(await englishRow.locator(testId('entry-row-title')).textContent()).toBe(EN_TITLE);
    expect(await englishRow.locator(testId('entry-row-other-languages')).textContent()).toContain('zh-CN');
    expect(await author.page.locator(`${testId('entry-row')}[data-entry-id="${originalId}"]`).count()).toBe(0);
    await shoot(author, 'en-3-author-library');
    // In Chinese, the original.
    await author.goTo('#/settings');
    await author.chooseLanguage('简体中文');
    await author.goTo('#/library');
    const chineseRow = author.page.locator(`${testId('entry-row')}[data-entry-id="${originalId}"]`);
    await chineseRow.waitFor();
    expect(await chineseRow.locator(testId('entry-row-title')).textContent()).toBe(TITLE);
    expect(await chineseRow.locator(testId('entry-row-other-languages')).textContent()).toContain('en');
    await shoot(author, 'zh-1-author-library');
  });

  it('the author’s knowledge digest marks the translation and prints it after its original', async () => {
    await author.goTo('#/reports');
    await author.byTestId('reports-screen').waitFor();
    await author.page.waitForSelector(`${testId('report-preview')}[data-kind="digest"]`, { timeout: 20_000 });
    const preview = () => author.page.evaluate(() => document.querySelector('[data-testid="report-preview"]')?.shadowRoot?.textContent ?? '');
    const marked = `译自《${TITLE}》（${originalId}），译者：${TRANSLATOR}`;
    await author.page.waitForFunction((wanted) => (document.querySelector('[data-testid="report-preview"]')?.shadowRoot?.textContent ?? '').includes(wanted), marked, { timeout: 20_000 });
    const text = await preview();
    expect(text).toContain(`已译成 en：《${EN_TITLE}》，译者：${TRANSLATOR}`);
    // Newest first would put the translation first; it follows its original.
    expect(text.indexOf(SUMMARY)).toBeGreaterThan(-1);
    expect(text.indexOf(SUMMARY)).toBeLessThan(text.indexOf(EN_SUMMARY));
    await shoot(author, 'zh-2-author-digest');
  });
});
