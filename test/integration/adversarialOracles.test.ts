import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { ballot, ballotId } from '../../shared/records/ballot';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { proposal } from '../../shared/records/proposal';
import type { InputTypes } from '../../shared/records/registry';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { editContext } from '../support/hubRequests';
import { hubMembers, openVoteIn } from '../support/governance';

/*
 * Adversarial review (issue 12, "no oracle"): docs/SECURITY.md promises that a refusal no longer
 * tells another organization whether a ballot exists or a private draft is stored. The push path
 * keeps that promise; these tests try the other entry points.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
let hub: TestHub;
let secretariatOrg: string;
let voter: JoinResponse;
let prober: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  secretariatOrg = (await hub.join(hub.secretariatCode)).org.id;
  voter = await hub.join(await hub.invite('Cangshan Seed Bank', 'member'));
  prober = await hub.join(await hub.invite('Fengyu Farmers Cooperative', 'member'));
});

afterAll(async () => {
  await hub.close();
});

async function openSecretProposal(): Promise<string> {
  const proposalId = `proposal-${randomUUID()}`;
  const ctx = editContext(secretariatOrg, 'secretariat');
  const input = {
    title: 'Pool the seed fund',
    options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }],
    method: 'single',
    opensAt: Date.now() - DAY_MS,
    closesAt: Date.now() + DAY_MS,
    eligible: { kind: 'roles', roles: ['secretariat', 'steward', 'member'] },
  } satisfies InputTypes['proposal'];
  const members = await hubMembers(hub.storage);
  await commitSystemChange(hub.storage, { id: proposalId, type: 'proposal', ownerOrg: secretariatOrg, createdAt: Date.now() }, (doc) => {
    proposal.create(doc, proposal.parseInput(input), ctx);
    openVoteIn(doc, members, ctx);
  });
  return proposalId;
}

async function seedSecretBallot(proposalId: string, orgId: string): Promise<string> {
  const id = ballotId(proposalId, orgId);
  const ctx = editContext(orgId, 'member');
  await commitSystemChange(hub.storage, { id, type: 'ballot', ownerOrg: orgId, createdAt: Date.now() }, (doc: Y.Doc) => {
    ballot.create(doc, ballot.parseInput({ proposalId, isSecret: true }), ctx);
  });
  return id;
}

/** Opens /yjs/<id> with the token in the subprotocol and returns how the hub closes it. */
function yjsCloseOf(recordId: string, token: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/yjs/${encodeURIComponent(recordId)}`, ['fieldwise', `fieldwise-token.${token}`]);
    const timer = setTimeout(() => {
      socket.terminate();
      resolve({ code: -1, reason: 'stayed open' });
    }, 3_000);
    socket.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
    socket.once('error', reject);
  });
}

describe('adversarial: /yjs/<id> as an existence oracle', () => {
  it("closes /yjs on another organization's secret ballot the same whether that organization voted or not", async () => {
    const proposalId = await openSecretProposal();
    const voted = await seedSecretBallot(proposalId, voter.org.id);
    const otherProposal = await openSecretProposal();
    const notVoted = ballotId(otherProposal, voter.org.id);
    expect(await hub.storage.getRecord(voted)).not.toBeNull();
    expect(await hub.storage.getRecord(notVoted)).toBeNull();
    const onVoted = await yjsCloseOf(voted, prober.token);
    const onNotVoted = await yjsCloseOf(notVoted, prober.token);
    // Observed: 4403 forbidden when the ballot exists, 4404 not-found when it does not.
    expect(onVoted).toEqual(onNotVoted);
  });

  it("closes /yjs on another organization's private draft as on an id that was never written", async () => {
    const draftId = `entry-${randomUUID()}`;
    const ctx = editContext(voter.org.id, 'member');
    const input: EntryInput = {
      kind: 'practice',
      title: 'Unpublished method',
      language: 'en',
      sharing: 'network',
      attribution: { holderKind: 'community', holderName: 'Hill village', consent: 'credit-by-name' },
    };
    await commitSystemChange(hub.storage, { id: draftId, type: 'entry', ownerOrg: voter.org.id, createdAt: Date.now() }, (doc: Y.Doc) => {
      entry.create(doc, entry.parseInput(input), ctx);
      entryMutators.setSharing.apply(doc, 'private', ctx);
    });
    const onDraft = await yjsCloseOf(draftId, prober.token);
    const onFree = await yjsCloseOf(`entry-${randomUUID()}`, prober.token);
    expect(onDraft).toEqual(onFree);
  });
});
