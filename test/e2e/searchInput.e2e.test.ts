import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * The library's search box and an input method (renderer/library/searchTiming.ts): while pinyin
 * is being composed the box holds letters, not the query, and nothing is searched for them; the
 * committed word is searched. Chromium's own IME path is driven through DevTools
 * (Input.imeSetComposition, then Input.insertText to commit), so the page sees the real
 * composition events and input events a Chinese input method makes.
 */

describe('searching while an input method composes', { timeout: 120_000 }, () => {
  let server: StaticServer;
  const profile = new BrowserProfile('search-input');

  beforeAll(async () => {
    server = await serveStatic();
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
  });

  it('searches the committed word, never the pinyin being composed', async () => {
    const app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.byTestId('demo-button').click();
    await app.entryRow('用草木灰防治菜虫').waitFor();
    const listedCount = await app.byTestId('result-count').textContent();
    expect(listedCount).not.toMatch(/found/);

    await app.byTestId('search-input').click();
    const devtools = await app.page.context().newCDPSession(app.page);
    await devtools.send('Input.imeSetComposition', { text: 'guangai', selectionStart: 7, selectionEnd: 7 });
    await expect.poll(() => app.byTestId('search-input').inputValue()).toBe('guangai');
    // Well past the pause after a keystroke: a search for "guangai" would have found nothing by now.
    await app.page.waitForTimeout(1_000);
    expect(await app.byTestId('result-count').textContent()).toBe(listedCount);
    expect(await app.entryRow('用草木灰防治菜虫').count()).toBe(1);

    await devtools.send('Input.insertText', { text: '灌溉' });
    await expect.poll(() => app.byTestId('search-input').inputValue()).toBe('灌溉');
    await app.waitForText(app.byTestId('result-count'), 'found');
    const titles = await app.rowTitles();
    expect(titles).toContain('节水灌溉：塑料瓶滴灌');
    expect(titles).not.toContain('用草木灰防治菜虫');
  });
});
