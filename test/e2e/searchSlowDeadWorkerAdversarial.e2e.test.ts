import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * A search worker whose script takes a while to fail (a slow disk, a scanner holding the file)
 * while the person already searches: the first worker (started by the session's warm-up) fails
 * under the search, the search is asked again of a fresh worker, and that one fails too. The
 * client's contract is that the index is then kept on the window's thread (client.ts,
 * ClientOptions.startSearchWorker), so the search must be answered. Nothing else re-asks it
 * here: no entry arrives, the text does not change.
 *
 * Failed before d3cc5c1: the list says "The search gave no answer (search worker failed)" and
 * stays so.
 */

describe('a search typed while both search workers are still failing to load', { timeout: 180_000 }, () => {
  let server: StaticServer;
  const profile = new BrowserProfile('adv13-slow-dead-worker');

  beforeAll(async () => {
    server = await serveStatic();
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
  });

  it('is answered from the window’s own index', async () => {
    // A first session with the demo network (its worker fine), so the entries are on the device.
    let page = await profile.launch({ appUrl: server.url });
    let app = new FieldwisePage(page);
    await app.open(server.url);
    await app.byTestId('demo-button').click();
    await app.search('water cellars', ['What we learned from three years of water cellars']);
    await profile.close();

    page = await profile.launch({ appUrl: server.url });
    const refused: string[] = [];
    await page.route('**/searchWorker-*.js', async (route) => {
      refused.push(route.request().url());
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      await route.abort('failed');
    });
    app = new FieldwisePage(page);
    await app.open(server.url);
    await app.byTestId('entry-row').first().waitFor();
    await app.byTestId('search-input').fill('water cellars');
    // Both workers were asked for and failed (about 8 s).
    await expect.poll(() => refused.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect
      .poll(async () => ({ count: await page.locator(testId('result-count')).textContent(), titles: await app.rowTitles() }), { timeout: 30_000 })
      .toEqual({ count: expect.stringMatching(/^1 entr/), titles: ['What we learned from three years of water cellars'] });
    expect(await page.locator(testId('entry-list')).getAttribute('aria-busy')).toBe('false');
    await profile.close();
  });
});
