import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NETWORK_RECORD_ID, type NetworkProjection } from '../../shared/records/network';
import { resultId } from '../../shared/records/result';
import type { OrgView } from '../../shared/sync/adminProtocol';
import { advanceHubClock, startTestHub, tickingClock, type ManualClock, type TestHub } from '../support/hub';
import { runHubCommandAsync } from '../support/hubProcess';
import { createUpdate, editContext, push, request } from '../support/hubRequests';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';
import { hubMembers, openVoteIn } from '../support/governance';

/*
 * What the hub itself writes (the network record's roles, steward grants and settings, a new
 * organization's profile, sealed results) reaches a device connected to /v1/live like any push:
 * the hub announces the number, the device pulls, and nobody presses "Sync now". The devices here
 * are the real client core with its sync engine over real HTTP and WebSocket; none of them is ever
 * told to sync after it started, so a change that was not announced never arrives.
 *
 * Found by the walk: a role changed with `hub role` (or `grant`, `invite`, `import-bundle`) in a
 * second process on the serving hub's data folder was never announced, so a connected laptop kept
 * its old role until something else made it sync.
 */

const HOUR_MS = 3_600_000;
/** Generous: delivery is expected within about a second; a change never announced never arrives. */
const ARRIVAL_MS = 10_000;

let clock: ManualClock;
let hub: TestHub;
let secretariatToken: string;
let laptop: SyncedClient;
let laptopOrgId: string;
const opened: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  clock = tickingClock();
  hub = await startTestHub({ now: clock.now });
  opened.push(hub);
  secretariatToken = (await hub.join(hub.secretariatCode, 'secretariat desk')).token;
  const joined = await hub.join(await hub.invite('Dongshan Women Weavers', 'member'), 'Dongshan laptop');
  laptopOrgId = joined.org.id;
  laptop = await syncedClient(hub, joined);
  opened.push(laptop);
  await laptop.engine.start();
  await waitFor(() => laptop.engine.status.isLive && laptop.engine.status.state === 'synced', ARRIVAL_MS, 'the laptop live and synced');
});

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function laptopNetwork(): Promise<NetworkProjection | null> {
  return (await laptop.client.get<'network'>(NETWORK_RECORD_ID))?.projection ?? null;
}

/** Waits until the laptop's copy of the network record satisfies `check`, with no sync asked for. */
async function laptopSees(what: string, check: (network: NetworkProjection) => boolean): Promise<void> {
  await waitFor(async () => {
    const network = await laptopNetwork();
    return network !== null && check(network);
  }, ARRIVAL_MS, what);
}

const roleOf = (network: NetworkProjection, orgId: string) => network.members.find((member) => member.orgId === orgId)?.role;
const scopesOf = (network: NetworkProjection, orgId: string) => network.stewardGrants.find((grant) => grant.orgId === orgId)?.scopes ?? [];

async function admin(method: string, path: string, body: unknown): Promise<unknown> {
  const answer = await request(hub.url, path, { method, token: secretariatToken, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function command(...args: string[]): Promise<void> {
  const result = await runHubCommandAsync([args[0]!, '--data', hub.dataDir, ...args.slice(1)]);
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
}

describe('a role or scope the secretariat changes in the console', () => {
  it('reaches a connected member laptop without a sync press: made steward with proposals, then cut back to member', async () => {
    expect(roleOf((await laptopNetwork())!, laptopOrgId)).toBe('member');
    const promoted = (await admin('PUT', `/v1/admin/orgs/${laptopOrgId}/role`, { role: 'steward' })) as { org: OrgView };
    expect(promoted.org.role).toBe('steward');
    await laptopSees('the steward role', (network) => roleOf(network, laptopOrgId) === 'steward');

    await admin('PUT', `/v1/admin/orgs/${laptopOrgId}/steward-scopes`, { scopes: ['proposals'] });
    await laptopSees('the proposals scope', (network) => scopesOf(network, laptopOrgId).includes('proposals'));

    await admin('PUT', `/v1/admin/orgs/${laptopOrgId}/role`, { role: 'member' });
    await laptopSees('the member role, scopes withdrawn', (network) => roleOf(network, laptopOrgId) === 'member' && scopesOf(network, laptopOrgId).length === 0);
  });

  it('reaches it for a settings change and a newly invited organization too', async () => {
    await admin('PUT', '/v1/admin/settings', { networkName: 'Rural Water Network', topics: ['water', 'seeds'] });
    await laptopSees('the new network name', (network) => network.name === 'Rural Water Network' && network.topics.includes('seeds'));
    await admin('POST', '/v1/admin/invitations', { orgName: 'Xishan Youth Association', role: 'observer', expiresInDays: 7 });
    await laptopSees('the new member', (network) => network.members.some((member) => member.name === 'Xishan Youth Association' && member.role === 'observer'));
  });
});

describe('a role or scope changed from the command line while the hub serves', () => {
  it('reaches a connected laptop: `hub role` and `hub grant` in another process on the same data folder', { timeout: 60_000 }, async () => {
    await command('role', '--org', laptopOrgId, '--role', 'steward');
    await laptopSees('the steward role set by `hub role`', (network) => roleOf(network, laptopOrgId) === 'steward');
    await command('grant', '--org', laptopOrgId, '--scopes', 'proposals,review');
    await laptopSees('the scopes set by `hub grant`', (network) => scopesOf(network, laptopOrgId).join(',') === 'proposals,review');
  });

  it('reaches it for `hub invite`: the new organization is on the laptop\'s member list', { timeout: 60_000 }, async () => {
    await command('invite', '--org-name', 'Cangshan Seed Bank', '--role', 'member');
    await laptopSees('the organization invited by `hub invite`', (network) => network.members.some((member) => member.name === 'Cangshan Seed Bank'));
  });
});

describe('a sealed result', () => {
  it('reaches a connected laptop once the hub seals the vote', async () => {
    const proposalId = 'proposal-seed-fund';
    const ctx = editContext((await hub.storage.getMeta('secretariatOrg'))!, 'secretariat', clock.now());
    const terms = {
      title: 'Pool the seed fund',
      options: [
        { id: 'yes', label: 'Yes' },
        { id: 'no', label: 'No' },
      ],
      method: 'single' as const,
      opensAt: clock.now(),
      closesAt: clock.now() + 2 * HOUR_MS,
      graceHours: 1,
    };
    const members = await hubMembers(hub.storage);
    const answer = await push(hub.url, secretariatToken, [{ id: proposalId, type: 'proposal', update: createUpdate('proposal', terms, ctx, (doc) => openVoteIn(doc, members, ctx)) }]);
    expect(answer.status).toBe(200);
    await waitFor(async () => (await laptop.client.get(proposalId)) !== null, ARRIVAL_MS, 'the proposal on the laptop');

    const sealed = await advanceHubClock(hub, clock, 4 * HOUR_MS);
    expect(sealed.get(proposalId)?.kind).toBe('sealed');
    await waitFor(async () => (await laptop.client.get(resultId(proposalId))) !== null, ARRIVAL_MS, 'the sealed result on the laptop');
  });
});
