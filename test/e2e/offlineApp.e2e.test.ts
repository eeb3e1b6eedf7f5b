import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { openTestProposal } from '../support/governance';
import { contentSecurityPolicy } from '../../renderer/vite.config';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { GovernancePage } from './support/governancePage';
import { hubEntry } from './support/hubRecords';
import { openHubLink, type HubLink } from './support/hubLink';
import { rendererDist } from './support/staticServer';

/*
 * The browser app served by the hub at the hub's own address, offline after its first visit
 * (issue 16), in Chromium with its service worker (no `appUrl` routing: this is the browser app,
 * not a stand-in for Electron). The hub serves a copy of renderer/dist that the update test can
 * change; the browser reaches the hub through a link the test can cut. The device opens the hub's
 * address, joins without typing it, works, then loses the network (offline emulation and the link
 * cut, so its live connection drops too) and reloads: the library, an entry and the ballot screen
 * open from the cache; an edit made offline reaches the hub once the network is back, without
 * "Sync now".
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'screens');
const ORG = 'Qiandongnan School Gardens';
const PROPOSAL_ID = 'proposal-offline-app';
const TIMEOUT_MS = 20_000;

async function waitForServiceWorkerControl(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: TIMEOUT_MS });
}

describe('the browser app works offline after its first visit', { timeout: 180_000 }, () => {
  let hub: TestHub;
  let link: HubLink;
  let distCopy: string;
  /** The hub's address as the browser sees it. */
  let hubAddress: string;
  const profile = new BrowserProfile('offline-app');
  let app: FieldwisePage;
  let page: Page;
  let entryId = '';

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    distCopy = join(mkdtempSync(join(tmpdir(), 'fieldwise-dist-')), 'dist');
    cpSync(rendererDist, distCopy, { recursive: true });
    hub = await startTestHub({ webAppDir: distCopy });
    link = await openHubLink(hub.url);
    hubAddress = `${link.url}/`;
    await openTestProposal(hub, PROPOSAL_ID);
    page = await profile.launch();
    app = new FieldwisePage(page);
  });

  afterAll(async () => {
    await profile.dispose();
    await link?.close();
    await hub?.close();
    if (distCopy) rmSync(join(distCopy, '..'), { recursive: true, force: true });
  });

  it('opens at the hub\'s address and joins it without typing the address; works online; stores the app shell', async () => {
    await app.open(hubAddress);
    // The hub that served the page is the one to join: its address is already in the form.
    await page.waitForSelector(`${testId('join-hub')}[data-from-page="true"]`, { timeout: TIMEOUT_MS });
    expect(await app.byTestId('join-hub').inputValue()).toBe(link.url);
    expect((await fetch(hubAddress)).headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    await app.byTestId('join-code').fill(await hub.invite(ORG));
    await app.byTestId('join-device-name').fill('Field laptop');
    await app.byTestId('join-submit').click();
    await app.waitForSyncState(['synced']);
    entryId = await app.newEntry();
    await app.byTestId('editor-title').fill('Seed bank ledger');
    await app.waitSaved();
    await app.waitUntilAllSent();
    expect((await hubEntry(hub, entryId))?.title).toBe('Seed bank ledger');

    // The first visit registered the worker; once it is active, the next load is served by it.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await app.goTo('#/settings');
    await page.waitForSelector(`${testId('settings-offline-shell')}[data-state="ready"]`, { timeout: TIMEOUT_MS });
    const storage = await app.byTestId('settings-storage').getAttribute('data-state');
    expect(['persisted', 'refused', 'unsupported']).toContain(storage);
    // A refusal is also said once as a notice; a grant is not.
    expect(await app.byTestId('storage-notice').count()).toBe(storage === 'persisted' ? 0 : 1);
    await page.screenshot({ path: join(screenshotDir, 'en-30-settings-offline.png') });
  });

  it('reloaded with no connection, opens the library, an entry and the ballot screen from the cache', async () => {
    await profile.context.setOffline(true);
    link.cut();
    await app.goTo('#/library');
    await page.reload();
    await waitForServiceWorkerControl(page);
    // The page really is cut off: a file outside the app shell cannot be fetched.
    expect(await page.evaluate((url) => fetch(`${url}content-security-policy.txt`, { cache: 'no-store' }).then(() => 'reached', () => 'failed'), hubAddress)).toBe('failed');
    await app.entryRow('Seed bank ledger').waitFor({ timeout: TIMEOUT_MS });
    await app.waitForSyncState(['offline', 'connecting', 'error']);

    await app.openEntry(entryId);
    await app.byTestId('editor-title').fill('Seed bank ledger, counted offline');
    await app.waitSaved();
    expect(await app.waitForUnsent()).toBeGreaterThan(0);

    const governance = new GovernancePage(app);
    await governance.openProposal(PROPOSAL_ID);
    await app.byTestId('ballot-panel').waitFor({ timeout: TIMEOUT_MS });
    await page.locator(`${testId('ballot-option')}[data-option-id="yes"]`).click();
    await app.byTestId('ballot-cast').click();
    await governance.waitForDelivery('saved-offline');
    await page.screenshot({ path: join(screenshotDir, 'en-31-ballot-offline.png') });
  });

  it('sends what was done offline once the network is back, without Sync now', async () => {
    await profile.context.setOffline(false);
    link.restore();
    await app.waitUntilAllSent(60_000);
    expect((await hubEntry(hub, entryId))?.title).toBe('Seed bank ledger, counted offline');
  });

  it('offers a new version and switches to it only when the person reloads', async () => {
    // A new build is published: here, the same app with a changed service worker.
    const workerFile = join(distCopy, 'sw.js');
    writeFileSync(workerFile, `${readFileSync(workerFile, 'utf8')}\n// next version\n`);
    const firstWorker = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null);
    expect(firstWorker).not.toBeNull();
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration?.update()));
    await app.byTestId('app-update').waitFor({ timeout: TIMEOUT_MS });
    // Offered, not forced: the page is still the one the person works in.
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration?.waiting !== null))).toBe(true);
    await page.screenshot({ path: join(screenshotDir, 'en-32-update-ready.png') });

    const reloaded = page.waitForEvent('load', { timeout: TIMEOUT_MS });
    await app.byTestId('app-update-reload').click();
    await reloaded;
    await waitForServiceWorkerControl(page);
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration?.waiting ?? null))).toBeNull();
    await app.byTestId('sync-bar').waitFor({ timeout: TIMEOUT_MS });
    expect(await app.byTestId('app-update').count()).toBe(0);
  });
});
