import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * The Reports preview of a long digest writes a page of entries once it comes near the view
 * (issue 17): 10,000 entries in its shadow root were a hundred thousand elements that every
 * select of the screen walked. What is written is still the exported document: scrolled to its
 * end, the preview holds the digest's last entry.
 */

const ENTRIES = 400;

describe('Reports preview pages', () => {
  const profile = new BrowserProfile('report-preview-pages');
  let server: StaticServer;
  let page: Page;
  let app: FieldwisePage;

  beforeAll(async () => {
    server = await serveStatic();
    page = await profile.launch({ appUrl: server.url });
    app = new FieldwisePage(page);
    await app.open(server.url, `?demo-entries=${ENTRIES}`);
    await app.byTestId('demo-button').click();
    await app.byTestId('entry-row').first().waitFor();
  }, 180_000);

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
  });

  it('writes the entries near the view, and the rest as they are scrolled to', async () => {
    await app.goTo('#/reports');
    // The demo's entries are written in the background: wait until the digest holds most of them.
    await page.waitForFunction((least) => Number(document.querySelector('[data-testid="report-row-count"]')?.getAttribute('data-count') ?? 0) >= least, ENTRIES, { timeout: 120_000, polling: 250 });
    await page.waitForSelector(`${testId('report-preview')}[aria-busy="false"]`, { timeout: 60_000 });
    const preview = app.byTestId('report-preview');
    const counts = () => preview.evaluate((host) => ({ written: host.shadowRoot!.querySelectorAll('article.entry').length, unwritten: host.shadowRoot!.querySelectorAll('[data-fw-unwritten]').length }));
    const first = await counts();
    expect(first.written).toBeGreaterThan(0);
    expect(first.unwritten).toBeGreaterThan(0);

    // Scrolled to the end, page by page: every entry is written, in the document's order.
    for (let round = 0; round < 200; round++) {
      const { unwritten } = await counts();
      if (unwritten === 0) break;
      await preview.evaluate((host) => host.shadowRoot!.querySelector('[data-fw-unwritten]')!.scrollIntoView());
      await page.waitForTimeout(100);
    }
    await page.waitForSelector(`${testId('report-preview')}[aria-busy="false"]`);
    const last = await counts();
    expect(last.unwritten).toBe(0);
    const rows = Number(await app.byTestId('report-row-count').getAttribute('data-count'));
    expect(last.written).toBe(rows);
  });
});
