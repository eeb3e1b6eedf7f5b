import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ATTACHMENT_BYTES, NETWORK_RECORD_ID } from '../../shared/records/network';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { openHubLink, type HubLink } from './support/hubLink';
import { launchReportBrowser, printHtmlToPdf, readPdf } from './support/reportPdf';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * The secretariat's console as the last walk found it, in English on one desk and in Chinese on
 * another device of the secretariat: the invitation letter as printed (read back with pdftotext),
 * an invitation of 0 days refused at the field, long organization names inside their cards, a
 * region-list mistake named by the region, the region pickers storing one value in both
 * languages, the console opened with the hub cut off (it says so, keeps every list, and the audit
 * refreshes itself when the link returns), and the sync bar of a revoked laptop read whole.
 *
 * The browser build prints through a hidden frame and the print dialog, which a headless browser
 * cannot operate: the test keeps the HTML handed to that frame and prints it with Chromium's own
 * PDF printing, as reports.e2e.test.ts does.
 */

const artifacts = join(import.meta.dirname, 'artifacts', 'admin-walk');
const TIMEOUT_MS = 20_000;
const GENERATED_ID = /r-[0-9a-f]{8}/;

function capturePrintFrames(): void {
  const printed: string[] = [];
  (window as unknown as { __fieldwisePrinted: string[] }).__fieldwisePrinted = printed;
  new MutationObserver((mutations) => {
    for (const mutation of mutations) for (const node of mutation.addedNodes) if (node instanceof HTMLIFrameElement && node.classList.contains('fw-print-frame')) printed.push(node.srcdoc);
  }).observe(document, { childList: true, subtree: true });
}

async function printedLetters(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as { __fieldwisePrinted: string[] }).__fieldwisePrinted]);
}

async function choose(page: Page, selectTestId: string, option: string): Promise<void> {
  await page.locator(testId(selectTestId)).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** What inside the element does not fit it (text hidden behind an ellipsis or past its edge): empty when all is whole. */
function cutOff(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(selector)
    .first()
    .evaluate((element) =>
      [element, ...element.querySelectorAll('*')]
        .filter((node) => node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1)
        .filter((node) => getComputedStyle(node).overflow !== 'visible' || node === element)
        .map((node) => `${node.tagName.toLowerCase()}.${[...node.classList].join('.')} ${node.scrollWidth}x${node.scrollHeight} in ${node.clientWidth}x${node.clientHeight}: ${(node.textContent ?? '').slice(0, 60)}`),
    );
}

describe('the secretariat console, as walked', { timeout: 180_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  let link: HubLink;
  const deskProfile = new BrowserProfile('admin-walk-desk');
  const zhProfile = new BrowserProfile('admin-walk-zh');
  const laptopProfile = new BrowserProfile('admin-walk-laptop');
  let desk: FieldwisePage;
  let zhDesk: FieldwisePage;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    link = await openHubLink(hub.url);
    const deskPage = await deskProfile.launch({ appUrl: server.url });
    await deskProfile.context.addInitScript(capturePrintFrames);
    desk = new FieldwisePage(deskPage);
    await desk.open(server.url);
    await desk.join({ hubUrl: link.url, code: hub.secretariatCode, deviceName: 'Secretariat desk' });
    await desk.waitForSyncState(['synced']);
    zhDesk = new FieldwisePage(await zhProfile.launch({ appUrl: server.url, locale: 'zh-CN' }));
    await zhDesk.open(server.url);
    await zhDesk.join({ hubUrl: hub.url, code: await hub.inviteDevice((await hub.storage.getMeta('secretariatOrg'))!), deviceName: '秘书处笔记本' });
    await zhDesk.waitForSyncState(['synced']);
  });

  afterAll(async () => {
    await Promise.all([deskProfile.dispose(), zhProfile.dispose(), laptopProfile.dispose()]);
    await link?.close();
    await server?.close();
    await hub?.close();
  });

  it('prints an invitation letter whose PDF holds the code, the hub address and the organization, in English and in Chinese', async () => {
    const org = '西山用水户协会 Xishan Water Users';
    await desk.goTo('#/admin/invite');
    await desk.byTestId('invite-org-name').fill(org);
    await desk.byTestId('invite-submit').click();
    await desk.byTestId('invitation-created').waitFor({ timeout: TIMEOUT_MS });
    const code = /FW(?:-[0-9A-Z]{4}){5}/.exec((await desk.byTestId('invitation-link').textContent()) ?? '')?.[0];
    expect(code).toBeDefined();

    await choose(desk.page, 'letter-language', 'English');
    await desk.byTestId('letter-print').click();
    await desk.page.waitForFunction(() => (window as unknown as { __fieldwisePrinted: string[] }).__fieldwisePrinted.length >= 1);
    await choose(desk.page, 'letter-language', '中文');
    await desk.byTestId('letter-print').click();
    await desk.page.waitForFunction(() => (window as unknown as { __fieldwisePrinted: string[] }).__fieldwisePrinted.length >= 2);
    await desk.page.screenshot({ path: join(artifacts, 'invitation-created-en.png'), fullPage: true });

    const [english, chinese] = await printedLetters(desk.page);
    const browser = await launchReportBrowser();
    try {
      for (const [html, words] of [
        [english!, ['Test network', 'invitation']],
        [chinese!, ['邀请']],
      ] as const) {
        const { text } = readPdf(await printHtmlToPdf(browser, html));
        // pdftotext may break a long line; the code and the address are each on one.
        const flat = text.replace(/\s+/g, ' ');
        expect(flat).toContain(code);
        expect(flat).toContain(link.url);
        expect(flat).toContain('西山用水户协会');
        for (const word of words) expect(flat.toLowerCase()).toContain(word.toLowerCase());
      }
    } finally {
      await browser.close();
    }
    await desk.byTestId('invitation-done').click();
  });

  it('refuses an invitation of 0 days at the field, keeps the 0 in view, and creates nothing', async () => {
    const before = (await hub.storage.listInvitations()).length;
    for (const [app, language] of [
      [desk, 'en'],
      [zhDesk, 'zh'],
    ] as const) {
      await app.goTo('#/admin/invite');
      await app.byTestId('invite-org-name').fill('Zero Day Cooperative');
      await app.byTestId('invite-days').fill('0');
      await app.byTestId('invite-hub').click();
      // Not quietly turned into a one-day invitation.
      expect(await app.byTestId('invite-days').inputValue()).toBe('0');
      await app.byTestId('invite-submit').click();
      const error = app.page.locator(`${testId('admin-invite')} .mantine-InputWrapper-error`);
      await error.waitFor({ timeout: TIMEOUT_MS });
      expect(await error.textContent()).toMatch(language === 'en' ? /1 to 90 whole days; 0 is not allowed/ : /1 到 90 整天，不能填 0/);
      await app.page.screenshot({ path: join(artifacts, `invite-zero-days-${language}.png`), fullPage: true });
    }
    expect((await hub.storage.listInvitations()).length).toBe(before);
  });

  it('keeps long organization names inside their cards, the whole name in the title', async () => {
    // No space or hyphen to break at (as a name typed without spaces, or pasted from a web address).
    const longLatin = 'XishanWaterUsersAssociationOfFugongCountyNujiangPrefectureYunnanProvinceRuralWaterNetwork';
    const longChinese = '怒江州福贡县上帕镇老姆登村民小组山区饮水安全与生态农业互助合作社联合会筹备委员会';
    await hub.invite(longLatin);
    await hub.invite(longChinese);
    for (const [app, language] of [
      [desk, 'en'],
      [zhDesk, 'zh'],
    ] as const) {
      await app.goTo('#/admin/orgs');
      await app.byTestId('admin-reload').click();
      for (const name of [longLatin, longChinese]) {
        const card = `${testId('org-card')}[data-org="${name}"]`;
        await app.page.locator(card).waitFor({ timeout: TIMEOUT_MS });
        expect(await cutOff(app.page, card)).toEqual([]);
        expect(await app.page.locator(`${card} ${testId('org-name')}`).getAttribute('title')).toBe(name);
      }
      await app.page.locator(`${testId('org-card')}[data-org="${longLatin}"]`).scrollIntoViewIfNeeded();
      await app.page.screenshot({ path: join(artifacts, `long-org-names-${language}.png`), fullPage: true });
    }
  });

  it('names the region, never its generated id, when the region list has a mistake', async () => {
    for (const [app, language, expected] of [
      [desk, 'en', /the new Province is missing one/],
      [zhDesk, 'zh', /新添的省还缺名称/],
    ] as const) {
      await app.goTo('#/admin/settings');
      await app.byTestId('region-add-province').click();
      await app.byTestId('settings-save').click();
      const message = app.byTestId('settings-message');
      await message.waitFor({ timeout: TIMEOUT_MS });
      const text = (await message.textContent()) ?? '';
      expect(text).toMatch(expected);
      expect(text).not.toMatch(GENERATED_ID);
      await app.page.screenshot({ path: join(artifacts, `region-mistake-${language}.png`), fullPage: true });
      await app.goTo('#/admin/invite');
    }
  });

  it('lets each desk pick a region from the list in its own language and stores one value', async () => {
    // Away and back: the form starts from the settings as saved, whatever an earlier test left in it.
    await desk.goTo('#/admin/invite');
    await desk.goTo('#/admin/settings');
    await desk.byTestId('region-add-province').click();
    const province = desk.byTestId('region-node').last();
    await province.locator(testId('region-zh')).fill('云南省');
    await province.locator(testId('region-en')).fill('Yunnan');
    await province.locator(testId('region-add-child')).click();
    const prefecture = desk.byTestId('region-node').last();
    await prefecture.locator(testId('region-zh')).fill('大理州');
    await prefecture.locator(testId('region-en')).fill('Dali');
    await desk.byTestId('settings-save').click();
    await desk.page.waitForSelector(`${testId('settings-message')}[role="status"]`, { timeout: TIMEOUT_MS });

    const secretariatId = (await hub.storage.getMeta('secretariatOrg'))!;
    await desk.goTo(`#/orgs/${secretariatId}`);
    await choose(desk.page, 'org-region', 'Yunnan / Dali');
    await desk.waitUntilAllSent();
    await expect.poll(async () => ((await hub.storage.getRecord(secretariatId))?.projection as { region?: string[] }).region, { timeout: TIMEOUT_MS }).toEqual(['云南省', '大理州']);
    await zhDesk.goTo(`#/orgs/${secretariatId}`);
    await zhDesk.page.waitForFunction((selector) => (document.querySelector(selector) as HTMLInputElement | null)?.value === '云南省 / 大理州', `${testId('org-region')}`, { timeout: TIMEOUT_MS });
    await desk.page.screenshot({ path: join(artifacts, 'region-picker-en.png'), fullPage: true });
    await zhDesk.page.screenshot({ path: join(artifacts, 'region-picker-zh.png'), fullPage: true });
  });

  it('sets the largest attachment the network takes; a size it cannot take gets the reason and changes nothing', async () => {
    const limit = async () => ((await hub.storage.getRecord(NETWORK_RECORD_ID))!.projection as { maxAttachmentBytes?: number }).maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
    expect(await limit()).toBe(DEFAULT_MAX_ATTACHMENT_BYTES);
    await desk.goTo('#/admin/invite');
    await desk.goTo('#/admin/settings');
    const field = desk.byTestId('settings-max-attachment');
    expect(await field.inputValue()).toBe('50 MB');
    await field.fill('0');
    await desk.byTestId('settings-save').click();
    await desk.page.waitForSelector(`${testId('settings-message')}[role="alert"]:has-text("a whole number of MB from 1 to 2048")`, { timeout: TIMEOUT_MS });
    expect(await limit()).toBe(DEFAULT_MAX_ATTACHMENT_BYTES);
    await field.fill('20');
    await desk.byTestId('settings-save').click();
    await desk.page.waitForSelector(`${testId('settings-message')}[role="status"]`, { timeout: TIMEOUT_MS });
    expect(await limit()).toBe(20 * 1024 * 1024);
    await zhDesk.goTo('#/admin/invite');
    await zhDesk.goTo('#/admin/settings');
    await zhDesk.page.waitForFunction((selector) => (document.querySelector(selector) as HTMLInputElement | null)?.value === '20 MB', testId('settings-max-attachment'), { timeout: TIMEOUT_MS });
    await zhDesk.page.screenshot({ path: join(artifacts, 'max-attachment-zh.png'), fullPage: true });
  });

  it('opens with the hub cut off, says so, keeps every list, and refreshes the audit by itself when the link returns', async () => {
    await desk.goTo('#/admin/orgs');
    await desk.byTestId('admin-reload').click();
    await desk.byTestId('org-card').first().waitFor({ timeout: TIMEOUT_MS });
    const cards = await desk.byTestId('org-card').count();

    link.cut();
    await desk.page.reload();
    await desk.goTo('#/admin/orgs');
    await desk.byTestId('admin-offline').waitFor({ timeout: TIMEOUT_MS });
    // Nothing lost: every organization as last fetched, with when.
    expect(await desk.byTestId('org-card').count()).toBe(cards);
    await desk.page.screenshot({ path: join(artifacts, 'console-offline-orgs-en.png'), fullPage: true });

    await desk.goTo('#/admin/audit');
    const auditFailure = desk.page.locator(`${testId('admin-audit')} ${testId('audit-failure')}`);
    await auditFailure.waitFor({ timeout: TIMEOUT_MS });
    await desk.page.screenshot({ path: join(artifacts, 'console-offline-audit-en.png'), fullPage: true });

    link.restore();
    // No Refresh pressed: the console asks again once sync reaches the hub.
    await auditFailure.waitFor({ state: 'detached', timeout: TIMEOUT_MS });
    await desk.byTestId('audit-row').first().waitFor({ timeout: TIMEOUT_MS });
    await desk.byTestId('admin-offline').waitFor({ state: 'detached', timeout: TIMEOUT_MS });
    await desk.page.screenshot({ path: join(artifacts, 'console-back-audit-en.png'), fullPage: true });
  });

  it("shows a revoked laptop's sync bar whole, in Chinese", async () => {
    const laptop = new FieldwisePage(await laptopProfile.launch({ appUrl: server.url, locale: 'zh-CN' }));
    await laptop.open(server.url);
    await laptop.join({ hubUrl: hub.url, code: await hub.invite('东山妇女手工合作社'), deviceName: '东山笔记本' });
    await laptop.waitForSyncState(['synced']);
    const credentialId = (await hub.storage.listDevices()).find((device) => device.deviceName === '东山笔记本')!.id;
    await zhDesk.goTo('#/admin/orgs');
    await zhDesk.byTestId('admin-reload').click();
    const row = zhDesk.page.locator(`${testId('device-row')}[data-device="东山笔记本"]`);
    await row.locator(testId('device-revoke')).click({ timeout: TIMEOUT_MS });
    await zhDesk.byTestId('revoke-reason').fill('设备已交还');
    await zhDesk.byTestId('revoke-confirm').click();
    await expect.poll(async () => (await hub.storage.getDevice(credentialId))?.revokedAt ?? null, { timeout: TIMEOUT_MS }).not.toBeNull();

    await laptop.byTestId('device-revoked').waitFor({ timeout: TIMEOUT_MS });
    await laptop.waitForSyncState(['error']);
    expect(await cutOff(laptop.page, testId('sync-bar'))).toEqual([]);
    await laptop.page.screenshot({ path: join(artifacts, 'revoked-laptop-zh.png'), fullPage: true });
  });
});
