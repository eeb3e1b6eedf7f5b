// An opening fixes its voters from the member list on the secretariat's device. When that list is
// out of date (an organization joined at the hub since the device last synced), the hub refuses the
// opening (409 eligibility-mismatch) and the device keeps it in quarantine. The app then writes the
// voters again from the list its next sync brought (proposalMutators.refixVoters) and sends it
// again: real hub on loopback, real clients, nothing written into storage by hand.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { NETWORK_RECORD_ID } from '../../shared/records/network';
import { proposalMutators } from '../../shared/records/proposal';
import { openVoteFrom } from '../support/governance';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, type SyncedClient } from '../support/syncedClient';

const HOUR_MS = 3_600_000;
let hub: TestHub;
const open: SyncedClient[] = [];

beforeEach(async () => {
  hub = await startTestHub();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((synced) => synced.close()));
  await hub.close();
});

async function device(code: string): Promise<SyncedClient> {
  const synced = await syncedClient(hub, await hub.join(code), { engine: { isLive: false } });
  open.push(synced);
  return synced;
}

/** The voters the network record on this device makes eligible for `proposalId` now. */
async function votersOnDevice(synced: SyncedClient, proposalId: string): Promise<string[]> {
  const [held, network] = await Promise.all([synced.client.get<'proposal'>(proposalId), synced.client.get<'network'>(NETWORK_RECORD_ID)]);
  return eligibleOrgIds(network!.projection.members, held!.projection.eligible);
}

describe('an opening refused for an out-of-date member list', () => {
  it('is written again with the voters the next sync brought, and the hub takes it with the organization that joined', async () => {
    const secretariat = await device(hub.secretariatCode);
    await device(await hub.invite('Fengyu Farmers Cooperative'));
    await secretariat.engine.syncNow();
    const now = Date.now();
    const proposalId = await secretariat.client.create('proposal', {
      title: 'Pool the seed fund',
      options: [
        { id: 'yes', label: 'Yes' },
        { id: 'no', label: 'No' },
      ],
      method: 'single',
      opensAt: now - 60_000,
      closesAt: now + 24 * HOUR_MS,
    });
    await secretariat.engine.syncNow();

    // An organization joins at the hub; the secretariat's laptop opens the vote before it hears of it.
    const late = await hub.join(await hub.invite('Cangshan Seed Bank'));
    await openVoteFrom(secretariat.client, proposalId);
    expect(await votersOnDevice(secretariat, proposalId)).not.toContain(late.org.id);
    await secretariat.engine.syncNow();
    expect((await secretariat.engine.quarantined()).map((entry) => [entry.recordId, entry.code])).toEqual([[proposalId, 'eligibility-mismatch']]);
    expect((await hub.storage.getRecord(proposalId))?.projection).toMatchObject({ state: 'draft', eligibleOrgIds: null });

    // The same sync pulled the network's members: the voters are written again from them.
    const voters = await votersOnDevice(secretariat, proposalId);
    expect(voters).toContain(late.org.id);
    await secretariat.client.mutate(proposalId, proposalMutators.refixVoters, voters);
    await secretariat.engine.releaseQuarantine([proposalId]);
    await secretariat.engine.syncNow();
    expect(await secretariat.engine.quarantined()).toEqual([]);
    const held = (await hub.storage.getRecord(proposalId))?.projection as { state: string; eligibleOrgIds: string[]; stateChanges: { state: string }[] };
    expect(held.state).toBe('open');
    expect([...held.eligibleOrgIds].sort()).toEqual([...voters].sort());
    expect(held.stateChanges.map((change) => change.state)).toEqual(['open']);

    // Once the hub holds the opening, its voters are fixed: writing them again is refused.
    await secretariat.client.mutate(proposalId, proposalMutators.refixVoters, voters.filter((orgId) => orgId !== late.org.id));
    await secretariat.engine.syncNow();
    expect((await secretariat.engine.quarantined()).map((entry) => [entry.recordId, entry.code])).toEqual([[proposalId, 'terms-locked']]);
    expect(((await hub.storage.getRecord(proposalId))?.projection as { eligibleOrgIds: string[] }).eligibleOrgIds).toContain(late.org.id);
  });
});
