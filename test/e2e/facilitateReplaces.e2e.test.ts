import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { networkMutators } from '../../shared/records/network';
import { startTestHub, type TestHub } from '../support/hub';
import { editContext } from '../support/hubRequests';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { GovernancePage } from './support/governancePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * Found walking the app (adv-walk): a member blocks a consent proposal from its own laptop, with
 * its reason; a steward with the proposals scope, recording ballots from a field visit, picks that
 * organization in "Record a ballot for an organization" and records "agree" with no word that
 * this replaces the block (the latest cast counted): the sealed result read "passed". Now an
 * organization's own cast always stands (the hub refuses the facilitation, 409 own-ballot-cast,
 * and the tally counts the own cast first): the panel says so as soon as such an organization is
 * picked, in the reader's language, and offers no way to record one.
 */

const TIMEOUT_MS = 20_000;
const MEMBER = 'Fengyu Farmers Cooperative';

describe('recording a ballot for an organization that has voted itself', { timeout: 180_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const memberLaptop = new BrowserProfile('facilitate-member');
  const secretariatLaptop = new BrowserProfile('facilitate-secretariat');
  const stewardLaptop = new BrowserProfile('facilitate-steward');

  beforeAll(async () => {
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
  });

  afterAll(async () => {
    await Promise.all([memberLaptop.dispose(), secretariatLaptop.dispose(), stewardLaptop.dispose()]);
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

  it('says the organization has cast its own ballot and records none for it', async () => {
    const member = await launch(memberLaptop, await hub.invite(MEMBER), 'Field laptop');
    const stewardCode = await hub.invite('Erhai Basin Alliance', 'steward');
    const stewardOrg = (await hub.storage.listOrgs()).find((org) => org.name === 'Erhai Basin Alliance')!;
    const network = (await hub.storage.getRecord('network'))!;
    await commitSystemChange(hub.storage, network.header, (doc) => networkMutators.setStewardGrant.apply(doc, { orgId: stewardOrg.id, scopes: ['proposals'] }, editContext('secretariat', 'secretariat')));
    const secretariat = await launch(secretariatLaptop, hub.secretariatCode, 'Secretariat desk');

    await secretariat.openList();
    await secretariat.byTestId('new-proposal').click();
    await secretariat.byTestId('proposal-title').fill('Join the regional water alliance');
    await secretariat.choose('proposal-method', 'Consent');
    await secretariat.byTestId('proposal-create-submit').click();
    const editor = secretariat.byTestId('proposal-editor');
    await editor.waitFor();
    const proposalId = (await editor.getAttribute('data-proposal-id'))!;
    await secretariat.byTestId('proposal-open').click();
    await secretariat.byTestId('proposal-confirm-reason').fill('Agreed at the network meeting');
    await secretariat.byTestId('proposal-confirm-confirm').click();
    await secretariat.page.waitForSelector(`${testId('proposal-view')}[data-proposal-id="${proposalId}"][data-phase="open"]`);
    await secretariat.app.waitUntilAllSent();

    await member.openProposal(proposalId);
    await member.byTestId('ballot-consent-block').click();
    await member.byTestId('ballot-reason').fill('The fee takes the whole seed budget.');
    await member.byTestId('ballot-cast').click();
    await member.waitForDelivery('received');

    const steward = await launch(stewardLaptop, stewardCode, 'Alliance PC');
    await steward.openProposal(proposalId);
    await steward.byTestId('facilitate-panel').waitFor({ timeout: TIMEOUT_MS });
    await steward.choose('facilitate-org', MEMBER);
    await steward.byTestId('facilitate-witness').fill('Li Wei, village head');
    await steward.byTestId('facilitate-own-cast').waitFor({ timeout: TIMEOUT_MS });
    expect(await steward.byTestId('facilitate-own-cast').textContent()).toBe(`${MEMBER} has cast its own ballot: only ${MEMBER} can change it, so no ballot can be recorded for it.`);
    expect(await steward.byTestId('facilitate-submit').isDisabled()).toBe(true);
  });
});
