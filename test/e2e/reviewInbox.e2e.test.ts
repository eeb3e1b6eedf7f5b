import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * Found walking the app (adv-walk): a reviewer asks for changes on a member's entry and the
 * member's inbox stays empty ("Nothing new for your organization"), because the inbox read only
 * the older `reviewNotes` log and not the review workflow's `reviewSteps`. The member's inbox
 * count rises with nothing pressed, and the inbox quotes the reviewer's words.
 */

const TIMEOUT_MS = 20_000;
const REQUEST = 'Say which season it works best in.';

describe('a reviewer asking for changes reaches the author through the inbox', { timeout: 180_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const memberLaptop = new BrowserProfile('review-inbox-member');
  const secretariatLaptop = new BrowserProfile('review-inbox-secretariat');

  beforeAll(async () => {
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
  });

  afterAll(async () => {
    await Promise.all([memberLaptop.dispose(), secretariatLaptop.dispose()]);
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

  it('raises the count and lists the request for changes', async () => {
    const member = await launch(memberLaptop, await hub.invite('Fengyu Farmers Cooperative'), 'Field laptop');
    const entryId = await member.newEntry();
    await member.byTestId('editor-title').fill('Frogs before rain');
    await member.byTestId('editor-consent').click();
    await member.page.getByRole('option', { name: 'Approved by the community' }).click();
    await member.byTestId('editor-sharing').click();
    await member.page.getByRole('option', { name: 'Network', exact: true }).click();
    await member.page.waitForSelector(`${testId('editor-status')}:has-text("Shared")`);
    await member.waitSaved();
    await member.byTestId('review-submit').click();
    await member.page.waitForSelector(`${testId('entry-review')}[data-review-state="submitted"]`, { timeout: TIMEOUT_MS });
    await member.waitUntilAllSent();
    await member.goTo('#/inbox');
    await member.byTestId('inbox-empty').waitFor({ timeout: TIMEOUT_MS });

    const secretariat = await launch(secretariatLaptop, hub.secretariatCode, 'Secretariat desk');
    await secretariat.page.waitForSelector(`${testId('review-queue-item')}[data-entry-id="${entryId}"]`, { timeout: TIMEOUT_MS });
    await secretariat.page.locator(`${testId('review-queue-item')}[data-entry-id="${entryId}"]`).click();
    await secretariat.byTestId('review-note').fill(REQUEST);
    await secretariat.byTestId('review-request-changes').click();
    await secretariat.page.waitForSelector(`${testId('entry-review')}[data-review-state="changes-requested"]`, { timeout: TIMEOUT_MS });
    await secretariat.waitUntilAllSent();

    // Nothing pressed on the member's laptop: the live update brings the request.
    await member.page.waitForSelector(`${testId('inbox-count')}[data-count="1"]`, { timeout: TIMEOUT_MS });
    const group = member.page.locator(`${testId('inbox-group')}[data-subject-id="${entryId}"]`);
    await member.waitForText(group.locator(testId('inbox-item-text')), REQUEST);
    expect(await group.getByText('Frogs before rain').count()).toBe(1);
  });
});
