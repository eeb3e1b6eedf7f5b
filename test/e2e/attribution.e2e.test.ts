import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile, VIEWPORT } from './support/browserProfile';
import { FieldwisePage } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * The attribution form walked as an owner would, in Chromium against a real hub: choosing "Credit
 * by name" before typing a name waits for the name (the form says so) and then saves both; the
 * hub holds the name with the consent, never credit by name alone.
 */

describe('the attribution form', { timeout: 120_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const profile = new BrowserProfile('attribution');
  let app: FieldwisePage;
  let page: Page;

  beforeAll(async () => {
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    page = await profile.launch({ appUrl: server.url });
    app = new FieldwisePage(page);
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
    await hub?.close();
  });

  it('saves credit by name together with the name typed after it', async () => {
    await page.setViewportSize(VIEWPORT);
    await app.open(server.url);
    await app.join({ hubUrl: hub.url, code: await hub.invite('Fengyu Farmers Cooperative'), deviceName: 'field laptop' });
    await app.waitForSyncState(['synced']);
    const entryId = await app.newEntry();
    await app.byTestId('editor-title').fill('Reading the swallows');
    await app.waitSaved();
    await app.byTestId('editor-consent').click();
    await page.getByRole('option', { name: 'Credit by name' }).click();
    await page.getByText('Enter the name first: credit by name needs it.', { exact: false }).waitFor();
    await app.byTestId('editor-holder-name').fill('Grandmother Li');
    await app.byTestId('editor-holder-name').press('Tab');
    await app.waitSaved();
    await app.waitUntilAllSent();
    expect((await hub.storage.getRecord(entryId))!.projection).toMatchObject({ attribution: { holderName: 'Grandmother Li', consent: 'credit-by-name' } });
    expect(await page.getByText('Enter the name first', { exact: false }).count()).toBe(0);
  });
});
