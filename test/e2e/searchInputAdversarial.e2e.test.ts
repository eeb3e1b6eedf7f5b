import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * The adversarial pass on the library's search box (renderer/library/searchTiming.ts): whatever
 * the order of keystrokes, pastes and input-method events, once they stop the list shows what the
 * box holds, never an older query's results. The input method is driven through DevTools, as
 * searchInput.e2e.test.ts does.
 */

const MULCH = 'Stone mulch keeps melon fields moist';

describe('the search box follows its text, whatever the input', { timeout: 180_000 }, () => {
  let server: StaticServer;
  const profile = new BrowserProfile('search-input-adversarial');

  beforeAll(async () => {
    server = await serveStatic();
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
  });

  it('ends on the latest query after fast typing, replacing, cancelled and blurred compositions, a huge paste and a screen switch', async () => {
    const app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.byTestId('demo-button').click();
    await app.entryRow('用草木灰防治菜虫').waitFor();
    const box = app.byTestId('search-input');
    const count = app.byTestId('result-count');
    const devtools = await app.page.context().newCDPSession(app.page);
    const showsOnly = async (titles: string[]) => {
      await expect.poll(() => app.rowTitles(), { timeout: 30_000 }).toEqual(titles);
      await expect.poll(() => count.textContent(), { timeout: 30_000 }).toMatch(/found/);
    };
    const showsAll = async () => {
      await expect.poll(() => count.textContent(), { timeout: 30_000 }).not.toMatch(/found/);
      expect(await app.entryRow('用草木灰防治菜虫').count()).toBe(1);
    };

    // Typed fast, then replaced at once by another query: the older query's answer must not land last.
    await box.click();
    await app.page.keyboard.type('water');
    await box.fill('mulch');
    await showsOnly([MULCH]);
    await app.page.waitForTimeout(1_000);
    expect(await app.rowTitles()).toEqual([MULCH]);

    // A composition replacing the whole text, then cancelled: the box is empty, so is the query.
    await box.selectText();
    await devtools.send('Input.imeSetComposition', { text: 'shui', selectionStart: 4, selectionEnd: 4 });
    await expect.poll(() => box.inputValue()).toBe('shui');
    await devtools.send('Input.imeSetComposition', { text: '', selectionStart: 0, selectionEnd: 0 });
    await expect.poll(() => box.inputValue()).toBe('');
    await showsAll();

    // A keystroke, then a composition before its pause, then blur (Chromium commits what was composed).
    await box.click();
    await app.page.keyboard.type('m');
    await devtools.send('Input.imeSetComposition', { text: 'ulch', selectionStart: 4, selectionEnd: 4 });
    await expect.poll(() => box.inputValue()).toBe('mulch');
    await app.page.locator('#library-title').click();
    await expect.poll(() => box.inputValue()).toBe('mulch');
    await showsOnly([MULCH]);

    // The box cleared while a search is pending, by keystrokes.
    await box.click();
    await app.page.keyboard.press('End');
    await app.page.keyboard.type('x');
    await box.fill('');
    await showsAll();

    // A huge paste, then the real query: the list ends on the real query.
    await box.fill('water '.repeat(20_000));
    await box.fill('mulch');
    await showsOnly([MULCH]);

    // Switching screens mid-search and back: the box and the list start afresh, together.
    await box.fill('water');
    await app.byTestId('nav-inbox').click();
    // On the inbox, so the library is gone (a click back before the inbox drew keeps the library as it was).
    await app.byTestId('inbox-screen').waitFor();
    await app.byTestId('nav-library').click();
    await expect.poll(() => box.inputValue()).toBe('');
    await showsAll();
  });
});
