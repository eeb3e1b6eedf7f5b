import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interestId } from '../../shared/records/interest';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';
import { englishProbes, untranslatedOn } from './support/untranslated';

/*
 * Issue 19, confirmation with a reason before the workbench's irreversible acts, in Chromium on a
 * real hub: the secretariat declines a member's interest and closes the offer, each only after
 * giving a reason in a dialog; the hub stores the reasons, and the member's connected laptop shows
 * them with nothing pressed. Screenshots in English and Chinese in test/e2e/artifacts/reasons/.
 */

const TIMEOUT_MS = 20_000;
const MEMBER = 'Xishan Eco-farming Cooperative';
const OFFER_TITLE = 'Compost training';
const DECLINE = '本轮只面向大理州的县';
const CLOSE = '八个名额都已报满';
/** Reads as blank: spaces and a zero-width space (shared/records/visibleText.ts). */
const INVISIBLE = ' \u200b ';
const INVISIBLE_SAYS = 'Write words a reader can see';
const screenshotDir = join(import.meta.dirname, 'artifacts', 'reasons');

describe('reasons for declining an interest and closing an offer', { timeout: 180_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const secretariatProfile = new BrowserProfile('reasons-secretariat');
  const memberProfile = new BrowserProfile('reasons-member');
  const probes = englishProbes();

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
  });

  afterAll(async () => {
    await Promise.all([secretariatProfile.dispose(), memberProfile.dispose()]);
    await server?.close();
    await hub?.close();
  });

  const launch = async (profile: BrowserProfile, code: string, deviceName: string): Promise<FieldwisePage> => {
    const app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.join({ hubUrl: hub.url, code, deviceName });
    await app.waitForSyncState(['synced']);
    return app;
  };

  /** Waits for the dialog's opening transition to end, so the screenshot shows it. */
  const dialogShown = (app: FieldwisePage) =>
    app.page.waitForFunction(() => {
      const dialog = document.querySelector('[role="dialog"]');
      return dialog !== null && getComputedStyle(dialog).opacity === '1';
    });

  const inChinese = async (app: FieldwisePage, hash: string, shot: string, ready: string): Promise<void> => {
    await app.goTo('#/settings');
    await app.chooseLanguage('简体中文');
    await app.goTo(hash);
    await app.byTestId(ready).waitFor({ timeout: TIMEOUT_MS });
    await app.page.screenshot({ path: join(screenshotDir, shot), fullPage: true });
    expect(await untranslatedOn(app.page, probes), shot).toEqual([]);
    await app.goTo('#/settings');
    await app.chooseLanguage('English');
  };

  it('declining and closing each ask for a reason; the member reads both', async () => {
    const s = await launch(secretariatProfile, hub.secretariatCode, 'Secretariat laptop');
    const m = await launch(memberProfile, await hub.invite(MEMBER), 'Member laptop');
    const memberOrgId = (await hub.storage.listOrgs()).find((org) => org.name === MEMBER)!.id;

    await s.goTo('#/workbench/offers/new');
    await s.byTestId('offer-form').waitFor();
    await s.byTestId('offer-title').fill(OFFER_TITLE);
    await s.byTestId('offer-places').fill('8');
    await s.byTestId('offer-opens').fill(new Date().toISOString().slice(0, 10));
    await s.byTestId('offer-closes').fill(new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10));
    await s.byTestId('offer-publish').click();
    const detail = s.page.locator(`${testId('offer-detail')}[data-state="published"]`);
    await detail.waitFor();
    const offerId = (await detail.getAttribute('data-offer-id'))!;
    await s.waitUntilAllSent();

    await m.goTo(`#/workbench/offers/${encodeURIComponent(offerId)}`);
    await m.page.locator(`${testId('offer-own-fit')}[data-eligible="true"]`).waitFor({ timeout: TIMEOUT_MS });
    await m.byTestId('interest-submit').click();
    await m.page.locator(`${testId('own-interest')}[data-stage="new"]`).waitFor();
    await m.waitUntilAllSent();

    // Declining: the card's button opens the dialog; nothing moves until a reason is given.
    const id = interestId(offerId, memberOrgId);
    await s.goTo('#/workbench/pipeline');
    const card = s.page.locator(`${testId('interest-card')}[data-interest-id="${id}"]`);
    await card.and(s.page.locator('[data-stage="new"]')).waitFor({ timeout: TIMEOUT_MS });
    await card.locator(testId('move-declined')).click();
    await s.byTestId('decline-dialog-reason').waitFor();
    expect(await s.byTestId('decline-dialog-confirm').isDisabled()).toBe(true);
    // A reason of spaces and a zero-width space is none: the dialog says so and sends nothing.
    await s.byTestId('decline-dialog-reason').fill(INVISIBLE);
    await s.byTestId('decline-dialog').getByText(INVISIBLE_SAYS).waitFor();
    expect(await s.byTestId('decline-dialog-confirm').isDisabled()).toBe(true);
    await s.byTestId('decline-dialog-reason').fill(DECLINE);
    expect(await s.byTestId('decline-dialog').getByText(INVISIBLE_SAYS).count()).toBe(0);
    await dialogShown(s);
    await s.page.screenshot({ path: join(screenshotDir, 'decline-dialog-en.png') });
    await s.byTestId('decline-dialog-confirm').click();
    await card.and(s.page.locator('[data-stage="declined"]')).waitFor();
    await s.waitUntilAllSent();
    expect((await hub.storage.getRecord(id))?.projection).toMatchObject({ stage: 'declined', steps: [expect.anything(), expect.objectContaining({ stage: 'declined', note: DECLINE })] });

    // The member's screen follows live and shows the reason on its step.
    await m.page.locator(`${testId('own-interest')}[data-stage="declined"]`).waitFor({ timeout: TIMEOUT_MS });
    expect(await m.page.locator(`${testId('step')}[data-stage="declined"]`).innerText()).toContain(`Reason: ${DECLINE}`);

    // Closing the offer, likewise.
    await s.goTo(`#/workbench/offers/${encodeURIComponent(offerId)}`);
    await s.byTestId('offer-close').click();
    await s.byTestId('offer-close-dialog-reason').waitFor();
    expect(await s.byTestId('offer-close-dialog-confirm').isDisabled()).toBe(true);
    await s.byTestId('offer-close-dialog-reason').fill(INVISIBLE);
    await s.byTestId('offer-close-dialog').getByText(INVISIBLE_SAYS).waitFor();
    expect(await s.byTestId('offer-close-dialog-confirm').isDisabled()).toBe(true);
    await s.byTestId('offer-close-dialog-reason').fill(CLOSE);
    await dialogShown(s);
    await s.page.screenshot({ path: join(screenshotDir, 'close-dialog-en.png') });
    await s.byTestId('offer-close-dialog-confirm').click();
    await s.page.locator(`${testId('offer-detail')}[data-state="closed"]`).waitFor();
    expect(await s.byTestId('offer-closure').innerText()).toContain(CLOSE);
    await s.waitUntilAllSent();
    expect((await hub.storage.getRecord(offerId))?.projection).toMatchObject({ state: 'closed', closure: expect.objectContaining({ reason: CLOSE }) });

    await m.page.locator(`${testId('offer-detail')}[data-state="closed"]`).waitFor({ timeout: TIMEOUT_MS });
    expect(await m.byTestId('offer-closure').innerText()).toContain(CLOSE);
    await m.page.screenshot({ path: join(screenshotDir, 'member-offer-en.png'), fullPage: true });
    await inChinese(m, `#/workbench/offers/${encodeURIComponent(offerId)}`, 'member-offer-zh-CN.png', 'offer-closure');
  });
});
