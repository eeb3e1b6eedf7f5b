import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * Found by the tester's walk (adv-walk): an organization that joined as a member and was then made a
 * steward with "proposals" by the secretariat never saw steward screens, because its device kept the
 * role it joined with while the hub reads the role from its credential store at every request.
 * The change reaches the open laptop the way any change does: the hub announces it on /v1/live and
 * the laptop pulls. Nobody presses "Sync now" here; a change the hub did not announce never arrives.
 */

const artifacts = join(import.meta.dirname, 'artifacts', 'role-change');
const TIMEOUT_MS = 20_000;

describe('a role the secretariat changes reaches the device', { timeout: 120_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const desk = new BrowserProfile('role-change-desk');
  const field = new BrowserProfile('role-change-field');
  const bench = new BrowserProfile('role-change-bench');
  let secretariat: FieldwisePage;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    secretariat = new FieldwisePage(await desk.launch({ appUrl: server.url }));
    await secretariat.open(server.url);
    await secretariat.join({ hubUrl: hub.url, code: hub.secretariatCode, deviceName: '秘书处办公桌' });
    await secretariat.waitForSyncState(['synced']);
  });

  afterAll(async () => {
    await Promise.all([desk.dispose(), field.dispose(), bench.dispose()]);
    await server?.close();
    await hub?.close();
  });

  it('shows a member made steward what it may now run, while it stays open, with no sync press', async () => {
    const org = '东山妇女手工合作社';
    const laptop = new FieldwisePage(await field.launch({ appUrl: server.url, locale: 'zh-CN' }));
    await laptop.open(server.url);
    await laptop.join({ hubUrl: hub.url, code: await hub.invite(org, 'member'), deviceName: '东山笔记本' });
    await laptop.waitForSyncState(['synced']);

    await secretariat.goTo('#/admin/orgs');
    await secretariat.byTestId('admin-reload').click();
    const card = secretariat.page.locator(`${testId('org-card')}[data-org="${org}"]`);
    await card.waitFor({ timeout: TIMEOUT_MS });
    await card.locator(testId('org-role')).click();
    await secretariat.page.getByRole('option', { name: 'Steward' }).click();
    await card.locator(testId('org-scope-proposals')).check({ timeout: TIMEOUT_MS });
    await card.locator(testId('org-scopes-save')).click();
    await card.locator(testId('org-saved')).waitFor({ timeout: TIMEOUT_MS });

    await laptop.goTo('#/governance');
    try {
      await laptop.page.waitForSelector(`${testId('steward-scope-proposals')}[data-granted="true"]`, { timeout: TIMEOUT_MS });
      await laptop.byTestId('new-proposal').waitFor({ timeout: TIMEOUT_MS });
    } finally {
      await laptop.page.screenshot({ path: join(artifacts, 'role-change-promoted-steward-zh.png'), fullPage: true });
    }
  });

  it('takes the steward screens away from a steward cut back to member while it stays open, and keeps the new role for the next start', async () => {
    const stewardOrg = '西山青年互助会';
    const tablet = new FieldwisePage(await bench.launch({ appUrl: server.url, locale: 'zh-CN' }));
    await tablet.open(server.url);
    await tablet.join({ hubUrl: hub.url, code: await hub.invite(stewardOrg, 'steward'), deviceName: '西山平板' });
    await tablet.waitForSyncState(['synced']);
    await tablet.goTo('#/governance');
    await tablet.byTestId('steward-scope-proposals').waitFor({ timeout: TIMEOUT_MS });

    await secretariat.goTo('#/admin/orgs');
    await secretariat.byTestId('admin-reload').click();
    const card = secretariat.page.locator(`${testId('org-card')}[data-org="${stewardOrg}"]`);
    await card.waitFor({ timeout: TIMEOUT_MS });
    await card.locator(testId('org-role')).click();
    await secretariat.page.getByRole('option', { name: 'Member' }).click();
    // The scopes panel goes once the hub's answer says member.
    await card.locator(testId('org-scopes')).waitFor({ state: 'detached', timeout: TIMEOUT_MS });

    try {
      await tablet.byTestId('steward-scope-proposals').waitFor({ state: 'detached', timeout: TIMEOUT_MS });
      // The role learned from the hub is the stored one, so the next start opens with it.
      const stored = await tablet.page.evaluate(() => localStorage.getItem('fieldwise.profile'));
      expect((JSON.parse(stored ?? '{}') as { identity?: { role?: string } }).identity?.role).toBe('member');
    } finally {
      await tablet.page.screenshot({ path: join(artifacts, 'role-change-back-to-member-zh.png'), fullPage: true });
    }
  });
});
