import { memoryStorage } from '../../../shared/store/memoryStorage';
import { ballotId, ballotMutators, type Choice } from '../../../shared/records/ballot';
import { proposalMutators, type ProposalInput } from '../../../shared/records/proposal';
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

/** Opens `proposal` as the secretariat; resolves with its id once the hub has it. */
export function openProposal(hub: TestHub, proposal: ProposalInput): Promise<string> {
  return asOrg(hub, hub.secretariatCode, async ({ client }) => {
    const id = await client.create('proposal', proposal);
    await client.mutate(id, proposalMutators.setState, 'open');
    return id;
  });
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
