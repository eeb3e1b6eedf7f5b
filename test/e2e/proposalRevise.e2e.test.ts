import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ballotId } from '../../shared/records/ballot';
import { openTestProposal } from '../support/governance';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { GovernancePage } from './support/governancePage';
import { serveStatic, type StaticServer } from './support/staticServer';
import { englishProbes, untranslatedOn } from './support/untranslated';

/*
 * Issue 19, a proposal edited after people voted, in Chromium against a real hub: organization A
 * votes; the secretariat revises the open proposal from its screen (new title, a note why); A's
 * laptop, connected and with nothing pressed, shows in its inbox that the ballot needs confirming,
 * with who changed what, and the ballot on the proposal asks the same; A confirms, and the hub
 * holds the cast on version 2. Screenshots in English and Chinese in test/e2e/artifacts/revise/.
 */

const PROPOSAL_ID = 'proposal-revise';
const TIMEOUT_MS = 20_000;
const ORG_A = 'Xishan Water Users';
const NEW_TITLE = 'Pool half the seed fund now';
const NOTE = 'Two villages asked to keep half for after the harvest';
const screenshotDir = join(import.meta.dirname, 'artifacts', 'revise');

describe('revising an open proposal after a ballot', { timeout: 240_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const laptopA = new BrowserProfile('revise-org-a');
  const secretariatLaptop = new BrowserProfile('revise-secretariat');
  const probes = englishProbes();

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
  });

  afterAll(async () => {
    await Promise.all([laptopA.dispose(), secretariatLaptop.dispose()]);
    await server?.close();
    await hub?.close();
  });

  const launch = async (profile: BrowserProfile, code: string, deviceName: string): Promise<GovernancePage> => {
    const app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.join({ hubUrl: hub.url, code, deviceName });
    await app.waitForSyncState(['synced']);
    return new GovernancePage(app);
  };

  it('the secretariat revises after A voted; A’s inbox and ballot ask A to confirm, and A confirms on version 2', async () => {
    await openTestProposal(hub, PROPOSAL_ID);
    const a = await launch(laptopA, await hub.invite(ORG_A), 'A laptop');
    const sec = await launch(secretariatLaptop, hub.secretariatCode, 'Secretariat laptop');
    const orgAId = (await hub.storage.listOrgs()).find((org) => org.name === ORG_A)!.id;

    // A votes; members see no Revise button.
    await a.openProposal(PROPOSAL_ID);
    expect(await a.byTestId('proposal-revise').count()).toBe(0);
    await a.page.locator(`${testId('ballot-option')}[data-option-id="yes"]`).check();
    await a.byTestId('ballot-cast').click();
    await a.waitForDelivery('received');
    await a.app.goTo('#/inbox');
    await a.byTestId('inbox-screen').waitFor({ timeout: TIMEOUT_MS });
    expect(await a.page.locator(`${testId('inbox-item')}[data-kind="ballot-confirm"]`).count()).toBe(0);

    // The secretariat revises the open proposal from its screen, with a note.
    await sec.openProposal(PROPOSAL_ID);
    await sec.byTestId('proposal-revise').click();
    await sec.byTestId('proposal-revise-title').fill(NEW_TITLE);
    expect(await sec.byTestId('proposal-revise-save').isDisabled()).toBe(true);
    await sec.byTestId('proposal-revise-note').fill(NOTE);
    await sec.page.screenshot({ path: join(screenshotDir, 'secretariat-revise-en.png'), fullPage: true });
    await sec.byTestId('proposal-revise-save').click();
    await sec.page.waitForSelector(`${testId('proposal-version')}[data-version="2"]`, { timeout: TIMEOUT_MS });
    await sec.app.waitForText(sec.byTestId('proposal-history'), NOTE);
    await sec.app.waitUntilAllSent();
    expect((await hub.storage.getRecord(PROPOSAL_ID))?.projection).toMatchObject({ title: NEW_TITLE, version: 2 });

    // A's laptop, connected, nothing pressed: the inbox asks A to confirm, saying who changed what.
    const item = a.page.locator(`${testId('inbox-item')}[data-kind="ballot-confirm"]`);
    await item.waitFor({ timeout: TIMEOUT_MS });
    const text = await item.innerText();
    expect(text).toContain('The proposal changed after your organization voted (version 1 → 2)');
    expect(text).toContain(`changed the title: “${NOTE}”`);
    expect(await a.page.locator(`${testId('inbox-group')}[data-subject-id="${PROPOSAL_ID}"]`).getByText(NEW_TITLE).count()).toBe(1);
    await a.page.screenshot({ path: join(screenshotDir, 'member-inbox-en.png'), fullPage: true });

    // The ballot says the same; first both screens in Chinese.
    await a.page.locator(`${testId('inbox-group')}[data-subject-id="${PROPOSAL_ID}"] a`, { hasText: NEW_TITLE }).click();
    await a.page.waitForSelector(`${testId('proposal-view')}[data-proposal-id="${PROPOSAL_ID}"]`, { timeout: TIMEOUT_MS });
    await a.page.waitForSelector(`${testId('ballot-needs-confirmation')}[data-version="2"]`, { timeout: TIMEOUT_MS });
    await a.page.screenshot({ path: join(screenshotDir, 'member-ballot-en.png'), fullPage: true });
    await a.app.goTo('#/settings');
    await a.app.chooseLanguage('简体中文');
    await a.app.goTo('#/inbox');
    await a.page.locator(`${testId('inbox-item')}[data-kind="ballot-confirm"]`).waitFor({ timeout: TIMEOUT_MS });
    await a.page.screenshot({ path: join(screenshotDir, 'member-inbox-zh-CN.png'), fullPage: true });
    expect(await untranslatedOn(a.page, probes), 'inbox').toEqual([]);
    await a.openProposal(PROPOSAL_ID);
    await a.byTestId('ballot-needs-confirmation').waitFor({ timeout: TIMEOUT_MS });
    await a.page.screenshot({ path: join(screenshotDir, 'member-ballot-zh-CN.png'), fullPage: true });
    expect(await untranslatedOn(a.page, probes), 'proposal').toEqual([]);
    await sec.app.goTo('#/settings');
    await sec.app.chooseLanguage('简体中文');
    await sec.openProposal(PROPOSAL_ID);
    await sec.byTestId('proposal-revise').click();
    await sec.byTestId('proposal-revise-form').waitFor();
    await sec.page.screenshot({ path: join(screenshotDir, 'secretariat-revise-zh-CN.png'), fullPage: true });
    expect(await untranslatedOn(sec.page, probes), 'revise form').toEqual([]);
    await a.app.goTo('#/settings');
    await a.app.chooseLanguage('English');

    // A confirms: the hub holds a cast on version 2, and the inbox item goes.
    await a.openProposal(PROPOSAL_ID);
    await a.byTestId('ballot-confirm').click();
    await a.page.waitForSelector(testId('ballot-needs-confirmation'), { state: 'detached', timeout: TIMEOUT_MS });
    // A's ballot read "received" before the confirmation too: the hub gets it on its own, a moment later.
    await expect
      .poll(async () => ((await hub.storage.getRecord(ballotId(PROPOSAL_ID, orgAId)))?.projection as { revisions: { proposalVersion: number }[] } | undefined)?.revisions.map((revision) => revision.proposalVersion), { timeout: TIMEOUT_MS })
      .toEqual([1, 2]);
    await a.waitForDelivery('received');
    await a.app.goTo('#/inbox');
    await a.byTestId('inbox-screen').waitFor({ timeout: TIMEOUT_MS });
    expect(await a.page.locator(`${testId('inbox-item')}[data-kind="ballot-confirm"]`).count()).toBe(0);
  });
});
