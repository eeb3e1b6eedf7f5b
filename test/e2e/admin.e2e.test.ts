import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * The secretariat runs the network from the app, on a real hub: it invites an organization as a
 * steward, whose laptop joins by pasting the one invitation link; it grants the steward
 * "proposals", which the steward's screen then shows, and the steward creates and opens a
 * proposal the hub takes; it invites a second laptop of the same
 * organization and revokes it with wipe: that laptop erases its copy at its next contact and says
 * why, while the first keeps syncing; the audit log lists each act. Screens in both languages go
 * to test/e2e/artifacts/screens/.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'screens');
const ORG = '西山生态农业合作社';
const TIMEOUT_MS = 20_000;

describe('the secretariat\'s console', { timeout: 240_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const desk = new BrowserProfile('admin-desk');
  const laptopA = new BrowserProfile('admin-laptop-a');
  const laptopB = new BrowserProfile('admin-laptop-b');
  let secretariat: FieldwisePage;

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
  });

  afterAll(async () => {
    await Promise.all([desk.dispose(), laptopA.dispose(), laptopB.dispose()]);
    await server?.close();
    await hub?.close();
  });

  async function shoot(page: FieldwisePage, name: string): Promise<void> {
    await page.page.screenshot({ path: join(screenshotDir, `admin-${name}.png`), fullPage: true });
  }

  async function invite(kind: 'new' | 'device'): Promise<string> {
    await secretariat.goTo('#/admin/invite');
    await secretariat.byTestId('admin-invite').waitFor();
    if (kind === 'new') {
      await secretariat.byTestId('invite-org-name').fill(ORG);
      await secretariat.byTestId('invite-role').click();
      await secretariat.page.getByRole('option', { name: 'Steward' }).click();
    } else {
      await secretariat.page.getByText('Another device of an organization').click();
      await secretariat.byTestId('invite-org').click();
      await secretariat.page.getByRole('option', { name: new RegExp(ORG) }).click();
    }
    await secretariat.byTestId('invite-submit').click();
    await secretariat.byTestId('invitation-created').waitFor({ timeout: TIMEOUT_MS });
    const link = (await secretariat.byTestId('invitation-link').textContent())!.trim();
    expect(link).toMatch(new RegExp(`^${hub.url}/#invitation=FW-`));
    return link;
  }

  async function joinByPasting(profile: BrowserProfile, link: string, deviceName: string): Promise<FieldwisePage> {
    const page = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await page.open(server.url);
    await page.byTestId('join-code').fill(link);
    // The one invitation filled in the hub's address too.
    await page.page.waitForSelector(`${testId('join-code')}[data-recognized="true"]`);
    expect(await page.byTestId('join-hub').inputValue()).toBe(hub.url);
    await page.byTestId('join-device-name').fill(deviceName);
    await page.byTestId('join-submit').click();
    await page.byTestId('sync-bar').waitFor({ timeout: TIMEOUT_MS });
    await page.waitForSyncState(['synced']);
    return page;
  }

  it('invites, grants, revokes with wipe, and logs each act', async () => {
    secretariat = new FieldwisePage(await desk.launch({ appUrl: server.url }));
    await secretariat.open(server.url);
    await secretariat.join({ hubUrl: hub.url, code: hub.secretariatCode, deviceName: 'Secretariat desk' });
    await secretariat.waitForSyncState(['synced']);
    await secretariat.byTestId('nav-admin').waitFor();

    const linkA = await invite('new');
    await secretariat.byTestId('invitation-qr').waitFor();
    await shoot(secretariat, 'invitation-en');

    const steward = await joinByPasting(laptopA, linkA, '西山办公室笔记本');
    // Not the secretariat: no console in its navigation.
    expect(await steward.byTestId('nav-admin').count()).toBe(0);

    await secretariat.byTestId('invitation-done').click();
    await secretariat.goTo('#/admin/orgs');
    await secretariat.byTestId('admin-reload').click();
    const card = secretariat.page.locator(`${testId('org-card')}[data-org="${ORG}"]`);
    await card.locator(testId('device-row')).first().waitFor({ timeout: TIMEOUT_MS });
    await card.locator(testId('org-scope-proposals')).check();
    await card.locator(testId('org-scopes-save')).click();
    await card.locator(testId('org-saved')).waitFor({ timeout: TIMEOUT_MS });
    await shoot(secretariat, 'orgs-en');

    // The grant reaches the steward through sync and its screen says what it may run.
    await steward.goTo('#/governance');
    await steward.page.waitForSelector(`${testId('steward-scope-proposals')}[data-granted="true"]`, { timeout: TIMEOUT_MS });

    // ...and it runs a proposal: creates it, adds options, opens it; the hub takes it.
    await steward.byTestId('new-proposal').click();
    await steward.byTestId('proposal-title').fill('春季培训主题');
    await steward.byTestId('proposal-method').click();
    await steward.page.getByRole('option', { name: 'Score (0–5)' }).click();
    await steward.byTestId('proposal-create-submit').click();
    await steward.byTestId('proposal-editor').waitFor({ timeout: TIMEOUT_MS });
    const proposalId = (await steward.byTestId('proposal-editor').getAttribute('data-proposal-id'))!;
    for (const label of ['雨水收集', '堆肥']) {
      await steward.byTestId('proposal-add-option').click();
      await steward.page.locator(testId('proposal-option')).last().fill(label);
    }
    await steward.byTestId('proposal-save').click();
    await steward.byTestId('proposal-saved').waitFor();
    await steward.byTestId('proposal-open').click();
    // Opening cannot be undone: the app asks for the reason first.
    await steward.byTestId('proposal-confirm-reason').fill('Agreed at the network meeting');
    await steward.byTestId('proposal-confirm-confirm').click();
    await steward.page.waitForSelector(`${testId('proposal-view')}[data-proposal-id="${proposalId}"][data-phase="open"]`, { timeout: TIMEOUT_MS });
    await steward.waitUntilAllSent();
    expect((await hub.storage.getRecord(proposalId))?.projection).toMatchObject({ title: '春季培训主题', state: 'open' });

    const linkB = await invite('device');
    const second = await joinByPasting(laptopB, linkB, '西山第二台笔记本');
    await secretariat.byTestId('invitation-done').click();

    // Revoke the second laptop, with wipe.
    await secretariat.goTo('#/admin/orgs');
    await secretariat.byTestId('admin-reload').click();
    const rowB = secretariat.page.locator(`${testId('device-row')}[data-device="西山第二台笔记本"]`);
    await rowB.waitFor({ timeout: TIMEOUT_MS });
    await rowB.locator(testId('device-revoke')).click();
    await secretariat.byTestId('revoke-reason').fill('笔记本在车上丢失');
    await secretariat.byTestId('revoke-wipe').check();
    await shoot(secretariat, 'revoke-dialog-en');
    await secretariat.byTestId('revoke-confirm').click();
    await secretariat.page.waitForSelector(`${testId('device-row')}[data-device="西山第二台笔记本"][data-revoked="true"]`, { timeout: TIMEOUT_MS });

    // At its next contact the second laptop erases its copy and says why.
    await second.byTestId('wipe-notice').waitFor({ timeout: 30_000 });
    expect(await second.byTestId('wipe-notice').textContent()).toContain('笔记本在车上丢失');
    expect(await second.page.evaluate(() => localStorage.getItem('fieldwise.profile'))).toBeNull();
    expect(await second.page.evaluate(() => localStorage.getItem('fieldwise.secret.hub-token'))).toBeNull();
    await shoot(second, 'wiped-zh');

    // The first laptop keeps working.
    await steward.goTo('#/library');
    const entryId = await steward.newEntry();
    await steward.byTestId('editor-title').fill('春季水窖清洗');
    await steward.waitSaved();
    await steward.waitUntilAllSent();
    expect(entryId).toBeTruthy();

    await secretariat.goTo('#/admin/audit');
    await secretariat.byTestId('audit-row').first().waitFor({ timeout: TIMEOUT_MS });
    const actions = await secretariat.page.locator(testId('audit-row')).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
    for (const action of ['invite', 'join', 'set-steward-scopes', 'revoke-device']) expect(actions).toContain(action);
    await shoot(secretariat, 'audit-en');

    // The console's screens in Chinese too.
    await secretariat.goTo('#/settings');
    await secretariat.chooseLanguage('简体中文');
    for (const section of ['invite', 'invitations', 'orgs', 'settings', 'audit']) {
      await secretariat.goTo(`#/admin/${section}`);
      await secretariat.page.waitForSelector(`${testId('admin-screen')}[data-section="${section}"]`);
      await secretariat.page.waitForTimeout(500);
      await shoot(secretariat, `${section}-zh`);
    }
    await secretariat.goTo('#/settings');
    await secretariat.chooseLanguage('English');
    for (const section of ['invitations', 'settings']) {
      await secretariat.goTo(`#/admin/${section}`);
      await secretariat.page.waitForSelector(`${testId('admin-screen')}[data-section="${section}"]`);
      await secretariat.page.waitForTimeout(500);
      await shoot(secretariat, `${section}-en`);
    }
  });
});
