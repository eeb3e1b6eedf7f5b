import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * The search index lives in a worker (renderer/library/searchWorker.ts). A worker that cannot
 * start (its script did not load: a damaged offline copy, a blocked request) must not leave the
 * library's search busy forever: the client starts a fresh worker, and when that fails too keeps
 * the index on the window's thread (shared/client/client.ts, newSearchBackend). The search answers
 * either way.
 */

const artifacts = join(import.meta.dirname, 'artifacts', 'search-worker-fails');

describe('search when its worker cannot start', { timeout: 180_000 }, () => {
  let server: StaticServer;
  const profile = new BrowserProfile('search-worker-fails');

  beforeAll(async () => {
    server = await serveStatic();
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
  });

  it('answers from the window’s own index, and the list does not stay busy', async () => {
    const page = await profile.launch({ appUrl: server.url });
    const refused: string[] = [];
    await page.route('**/searchWorker-*.js', async (route) => {
      refused.push(route.request().url());
      await route.abort('failed');
    });
    const app = new FieldwisePage(page);
    await app.open(server.url);
    await app.byTestId('demo-button').click();
    await app.search('灌溉', ['节水灌溉：塑料瓶滴灌']);
    await app.search('water cellars', ['What we learned from three years of water cellars']);
    await expect.poll(() => page.locator(testId('entry-list')).getAttribute('aria-busy')).toBe('false');
    await expect.poll(() => page.locator(testId('result-count')).textContent()).toMatch(/^1 entr/);
    await page.screenshot({ path: join(artifacts, 'search-on-window-thread-en.png') });
    // Both workers the client may start were asked for, and neither loaded.
    expect(refused.length).toBeGreaterThanOrEqual(2);
    await profile.close();
  });

  it('says so when the search fails on the window’s thread too, shows no stale rows as hits, and answers once it can', async () => {
    const page = await profile.launch({ appUrl: server.url, locale: 'zh-CN' });
    await page.route('**/searchWorker-*.js', (route) => route.abort('failed'));
    // The window's own index then fails too: its word splitter throws while the switch is on.
    await page.addInitScript(() => {
      const segment = Intl.Segmenter.prototype.segment;
      Intl.Segmenter.prototype.segment = function (this: Intl.Segmenter, input: string) {
        if ((window as unknown as { __breakSearch?: boolean }).__breakSearch) throw new Error('word splitter broken');
        return segment.call(this, input);
      };
    });
    const app = new FieldwisePage(page);
    await app.open(server.url);
    await app.byTestId('entry-row').first().waitFor();
    await page.evaluate(() => ((window as unknown as { __breakSearch?: boolean }).__breakSearch = true));
    await app.byTestId('search-input').fill('灌溉');
    await expect.poll(() => page.locator(testId('result-count')).textContent()).toContain('word splitter broken');
    expect(await page.locator(testId('result-count')).textContent()).toMatch(/^搜索没有结果返回/);
    expect(await page.locator(testId('entry-list')).getAttribute('aria-busy')).toBe('false');
    expect(await app.rowTitles()).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'search-failed-zh.png') });

    // Mended, the next text searches again.
    await page.evaluate(() => ((window as unknown as { __breakSearch?: boolean }).__breakSearch = false));
    await app.search('塑料瓶滴灌', ['节水灌溉：塑料瓶滴灌']);
  });
});
