import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttableProxy';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, waitFor } from '../support/syncedClient';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { GovernancePage, localInputWithSeconds } from './support/governancePage';
import { serveStatic, type StaticServer } from './support/staticServer';
import { englishProbes, untranslatedOn } from './support/untranslated';

/*
 * Issue 19, the inbox, in Chromium against a real hub: a field worker's laptop is offline while
 * another organization comments on its entry and the secretariat, from its own screen, opens a vote
 * closing within 48 hours (confirming with its reason); when the link returns, with nothing pressed, the inbox count in the navigation rises and
 * the sync bar reminds of the vote; the worker opens the inbox (the comment's text is there),
 * marks all read, the count goes, and stays gone after a reload while the reminder stays. Then
 * the inbox as the secretariat and as an observer, in English and Chinese, with screenshots.
 */

const HOUR_MS = 3_600_000;
const TIMEOUT_MS = 20_000;
const TITLE = 'Bamboo drip lines for terraces';
const COMMENT = 'We split the bamboo lengthwise: it clogs less in the dry season.';
const screenshotDir = join(import.meta.dirname, 'artifacts', 'inbox');

describe('the inbox in the browser', { timeout: 240_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  let link: CuttableProxy;
  const laptop = new BrowserProfile('inbox-member');
  const secretariatLaptop = new BrowserProfile('inbox-secretariat');
  const observerLaptop = new BrowserProfile('inbox-observer');
  const probes = englishProbes();
  let secretariat: FieldwisePage;

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    link = await startCuttableProxy(hub.url);
  });

  afterAll(async () => {
    await Promise.all([laptop.dispose(), secretariatLaptop.dispose(), observerLaptop.dispose()]);
    await link?.close();
    await server?.close();
    await hub?.close();
  });

  const inboxCount = async (app: FieldwisePage): Promise<number> => {
    const badge = app.byTestId('inbox-count');
    return (await badge.count()) === 0 ? 0 : Number(await badge.getAttribute('data-count'));
  };

  const walk = async (app: FieldwisePage, who: string): Promise<void> => {
    await app.goTo('#/inbox');
    await app.byTestId('inbox-screen').waitFor({ timeout: TIMEOUT_MS });
    await app.page.screenshot({ path: join(screenshotDir, `${who}-en.png`), fullPage: true });
    await app.goTo('#/settings');
    await app.chooseLanguage('简体中文');
    await app.goTo('#/inbox');
    await app.byTestId('inbox-screen').waitFor({ timeout: TIMEOUT_MS });
    await app.page.screenshot({ path: join(screenshotDir, `${who}-zh-CN.png`), fullPage: true });
    expect(await untranslatedOn(app.page, probes), who).toEqual([]);
    await app.goTo('#/settings');
    await app.chooseLanguage('English');
  };

  it('raises the count when the link returns, lists the comment and the vote, and stays read after a reload', async () => {
    secretariat = new FieldwisePage(await secretariatLaptop.launch({ appUrl: server.url }));
    await secretariat.open(server.url);
    await secretariat.join({ hubUrl: hub.url, code: hub.secretariatCode, deviceName: 'Secretariat desk' });
    await secretariat.waitForSyncState(['synced']);
    const page = await laptop.launch({ appUrl: server.url });
    // The browser's Notification API as granted, recording what the page shows (kept in the
    // origin's storage, so a reload keeps the record): the web side of the bridge's `notify`.
    await page.context().addInitScript(() => {
      const KEY = 'fieldwise.test.notifications';
      class RecordingNotification {
        static readonly permission = 'granted';
        constructor(title: string, options: { body?: string } = {}) {
          const shown = JSON.parse(window.localStorage.getItem(KEY) ?? '[]') as unknown[];
          window.localStorage.setItem(KEY, JSON.stringify([...shown, { title, body: options.body ?? '' }]));
        }
      }
      Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true });
    });
    const notifications = async (): Promise<{ title: string; body: string }[]> => JSON.parse((await page.evaluate(() => window.localStorage.getItem('fieldwise.test.notifications'))) ?? '[]');
    const app = new FieldwisePage(page);
    await app.open(server.url);
    await app.join({ hubUrl: link.url, code: await hub.invite('Xishan Water Users'), deviceName: 'Field laptop' });
    await app.waitForSyncState(['synced']);
    const entryId = await app.newEntry();
    await app.byTestId('editor-title').fill(TITLE);
    await app.byTestId('editor-consent').click();
    await app.page.getByRole('option', { name: 'Approved by the community' }).click();
    await app.byTestId('editor-sharing').click();
    await app.page.getByRole('option', { name: 'Network', exact: true }).click();
    await app.page.waitForSelector(`${testId('editor-status')}:has-text("Shared")`);
    await app.waitSaved();
    await app.waitUntilAllSent();
    await app.goTo('#/inbox');
    await app.byTestId('inbox-empty').waitFor({ timeout: TIMEOUT_MS });
    expect(await inboxCount(app)).toBe(0);

    // The link goes; meanwhile another organization comments and the secretariat opens a vote.
    await laptop.context.setOffline(true);
    link.cut();
    await app.waitForSyncState(['offline', 'error']);
    const other = await syncedClient(hub, await hub.join(await hub.invite('Cangshan Seed Bank')), { engine: { isLive: false } });
    try {
      await other.engine.syncNow();
      await other.client.create('comment', { targetId: entryId, text: COMMENT, authorName: 'Cangshan Seed Bank' });
      await other.engine.syncNow();
      expect(await other.engine.quarantined()).toEqual([]);
    } finally {
      await other.close();
    }
    // The secretariat writes the vote and opens it from its screen: opening cannot be undone, so
    // the app asks for the reason first.
    const sec = new GovernancePage(secretariat);
    await sec.openList();
    await sec.byTestId('new-proposal').click();
    await sec.byTestId('proposal-title').fill('Pool the seed fund');
    await sec.choose('proposal-method', 'Single choice');
    const now = Date.now();
    await sec.byTestId('proposal-opens').fill(localInputWithSeconds(now - 60_000));
    await sec.byTestId('proposal-closes').fill(localInputWithSeconds(now + 24 * HOUR_MS));
    await sec.byTestId('proposal-create-submit').click();
    await sec.byTestId('proposal-editor').waitFor({ timeout: TIMEOUT_MS });
    const proposalId = (await sec.byTestId('proposal-editor').getAttribute('data-proposal-id'))!;
    for (const label of ['Yes', 'No', 'Later']) {
      await sec.byTestId('proposal-add-option').click();
      await sec.page.locator(testId('proposal-option')).last().fill(label);
    }
    await sec.byTestId('proposal-save').click();
    await sec.byTestId('proposal-saved').waitFor({ timeout: TIMEOUT_MS });
    await sec.byTestId('proposal-open').click();
    expect(await sec.byTestId('proposal-confirm-confirm').isDisabled()).toBe(true);
    await sec.byTestId('proposal-confirm-reason').fill('Agreed at the spring meeting');
    await sec.byTestId('proposal-confirm-confirm').click();
    await sec.page.waitForSelector(`${testId('proposal-view')}[data-proposal-id="${proposalId}"][data-phase="open"]`, { timeout: TIMEOUT_MS });
    await secretariat.waitUntilAllSent();
    expect((await hub.storage.getRecord(proposalId))?.projection).toMatchObject({
      title: 'Pool the seed fund',
      state: 'open',
      stateChanges: [expect.objectContaining({ state: 'open', reason: 'Agreed at the spring meeting' })],
    });
    expect(await inboxCount(app)).toBe(0);

    // The link returns: nothing is pressed.
    await laptop.context.setOffline(false);
    link.restore();
    await app.page.waitForSelector(`${testId('inbox-count')}[data-count="2"]`, { timeout: TIMEOUT_MS });
    await app.page.waitForSelector(`${testId('vote-reminder')}[data-count="1"]`, { timeout: TIMEOUT_MS });
    await app.page.screenshot({ path: join(screenshotDir, 'member-count.png') });
    await waitFor(async () => (await notifications()).length > 0, TIMEOUT_MS, 'the reminder as a notification');
    expect(await notifications()).toEqual([{ title: 'A vote closes soon', body: expect.stringMatching(/^“Pool the seed fund”: 2[0-9] hours left\. Your organization has not voted yet\.$/) }]);

    await app.byTestId('nav-inbox').click();
    await app.page.waitForSelector(`${testId('inbox-vote')}[data-proposal-id="${proposalId}"][data-closing-soon="true"]`, { timeout: TIMEOUT_MS });
    const group = app.page.locator(`${testId('inbox-group')}[data-subject-id="${entryId}"]`);
    await app.waitForText(group.locator(testId('inbox-item-text')), COMMENT);
    expect(await group.getByText(TITLE).count()).toBe(1);
    await app.page.screenshot({ path: join(screenshotDir, 'member-inbox.png'), fullPage: true });

    // Read one, then the rest: the count falls each time.
    await group.locator(testId('inbox-mark-read')).click();
    await app.page.waitForSelector(`${testId('inbox-count')}[data-count="1"]`, { timeout: TIMEOUT_MS });
    await app.byTestId('inbox-mark-all').click();
    await app.byTestId('inbox-empty').waitFor({ timeout: TIMEOUT_MS });
    await waitFor(async () => (await inboxCount(app)) === 0, TIMEOUT_MS, 'the count to clear');

    await app.page.reload();
    await app.byTestId('inbox-empty').waitFor({ timeout: TIMEOUT_MS });
    await app.page.waitForSelector(`${testId('vote-reminder')}[data-count="1"]`, { timeout: TIMEOUT_MS });
    expect(await inboxCount(app)).toBe(0);
    // One notification per reminder, not one per start of the page.
    expect(await notifications()).toHaveLength(1);
    await walk(app, 'member');
  });

  it('shows the secretariat and an observer their inbox, in English and Chinese', async () => {
    await walk(secretariat, 'secretariat');
    const observer = new FieldwisePage(await observerLaptop.launch({ appUrl: server.url }));
    await observer.open(server.url);
    await observer.join({ hubUrl: hub.url, code: await hub.invite('Provincial Water Bureau', 'observer'), deviceName: 'Observer laptop' });
    await observer.waitForSyncState(['synced']);
    await observer.goTo('#/inbox');
    await observer.byTestId('inbox-empty').waitFor({ timeout: TIMEOUT_MS });
    expect(await observer.byTestId('vote-reminder').count()).toBe(0);
    await walk(observer, 'observer');
  });
});
