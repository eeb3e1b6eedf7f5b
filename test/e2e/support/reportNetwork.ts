import { memoryStorage } from '../../../shared/store/memoryStorage';
import { ballotId, ballotMutators, type Choice } from '../../../shared/records/ballot';
import { proposalMutators, type ProposalInput } from '../../../shared/records/proposal';
import { commitSystemChange } from '../../../server/hub/systemWrites';
import { TEST_REASON } from '../../support/governance';
import type { TestHub } from '../../support/hub';
import { syncedClient } from '../../support/syncedClient';

/*
 * A decision on the hub for the reports' end-to-end test: the secretariat opens a proposal and
 * organizations vote, each from a headless client. Plain memory storage, not the ajv-validated
 * one: that schema caps outbox ids at 64 characters, which a ballot between two hub-issued ids
 * exceeds (reported to the integrator).
 */

async function asOrg<T>(hub: TestHub, code: string, act: (synced: Awaited<ReturnType<typeof syncedClient>>) => Promise<T>): Promise<T> {
  const synced = await syncedClient(hub, await hub.join(code, 'headless'), { storage: memoryStorage(), engine: { isLive: false } });
  try {
    await synced.engine.syncNow();
    const result = await act(synced);
    await synced.engine.syncNow();
    if (synced.engine.status.pendingCount !== 0) throw new Error(`not pushed (${synced.engine.status.state})`);
    return result;
  } finally {
    await synced.close();
  }
}

/**
 * Opens `proposal` as the secretariat; resolves with its id once the hub has it. The draft goes
 * through the hub; the opening is written straight into the hub's storage as a hub stored one
 * before voters were fixed at opening (a reason, no `eligibleOrgIds`), because the reports test
 * counts organizations that join after it opened (its voters, and the app's own organization) as
 * eligible. The hub's write path now refuses such an opening (`eligibility-missing`); it still
 * counts a stored one with the network's members, which is what this fixture relies on.
 */
export async function openProposal(hub: TestHub, proposal: ProposalInput): Promise<string> {
  const id = await asOrg(hub, hub.secretariatCode, ({ client }) => client.create('proposal', proposal));
  const held = (await hub.storage.getRecord(id))!;
  await commitSystemChange(hub.storage, held.header, (doc) => {
    const ctx = { orgId: held.header.ownerOrg, deviceId: 'dev-test', role: 'secretariat', now: Date.now() } as const;
    proposalMutators.openVote.apply(doc, { reason: TEST_REASON, eligibleOrgIds: [] }, ctx);
    doc.getMap('fields').delete('eligibleOrgIds');
  });
  return id;
}

/** Joins `orgName` as a member and casts its ballot. */
export function voteAs(hub: TestHub, orgName: string, proposalId: string, choice: Choice): Promise<void> {
  return hub.invite(orgName, 'member').then((code) =>
    asOrg(hub, code, async ({ client, join }) => {
      await client.create('ballot', { proposalId, isSecret: false });
      await client.mutate(ballotId(proposalId, join.org.id), ballotMutators.cast, choice);
    }),
  );
}
