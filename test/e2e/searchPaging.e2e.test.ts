import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * Search results are read a page at a time as the list scrolls (renderer/library/useEntryRows.ts),
 * not all at once: every hit must still be reachable by scrolling, each once, and the count says
 * how many there are.
 */

describe('a search with more hits than one page', { timeout: 180_000 }, () => {
  let server: StaticServer;
  const profile = new BrowserProfile('search-paging');

  beforeAll(async () => {
    server = await serveStatic();
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
  });

  it('shows every hit once as the list scrolls to its end', async () => {
    const app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(`${server.url}?demo-entries=300`);
    await app.byTestId('demo-button').click();
    await app.byTestId('entry-row').first().waitFor();
    // The generated English entries are "Field note N: word"; 150 of the 300.
    await app.byTestId('search-input').fill('Field note');
    // The generated entries land in the background; the results follow the store.
    await app.page.waitForFunction(() => Number(document.querySelector('[data-testid="result-count"]')?.textContent?.match(/(\d+) entries found/)?.[1] ?? 0) >= 150, undefined, { timeout: 120_000 });
    await app.page.waitForTimeout(1_000);
    const hitCount = Number((await app.byTestId('result-count').textContent())!.match(/\d+/)![0]);
    expect(hitCount).toBeGreaterThanOrEqual(150);

    const seen = new Map<string, string>();
    let unchanged = 0;
    let lastTop = -1;
    while (unchanged < 5) {
      const { top, rows } = await app.page.evaluate(() => {
        const list = document.querySelector<HTMLElement>('[data-testid="entry-list"]')!;
        const rows = [...list.querySelectorAll<HTMLElement>('[data-testid="entry-row"]')].map((row) => [row.dataset.entryId!, row.querySelector('[data-testid="entry-row-title"]')!.textContent!] as const);
        list.scrollTop += list.clientHeight / 2;
        return { top: list.scrollTop, rows };
      });
      for (const [id, title] of rows) seen.set(id, title);
      unchanged = top === lastTop ? unchanged + 1 : 0;
      lastTop = top;
      await app.page.waitForTimeout(150);
    }
    const generated = [...seen.values()].filter((title) => /^Field note \d+:/.test(title));
    expect(generated).toHaveLength(150);
    expect(seen.size).toBe(hitCount);
  });
});
