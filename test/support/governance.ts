import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { sealedDecision, sealPayload } from '../../shared/governance/sealedDecision';
import { sealMessage } from '../../shared/governance/verifySeal';
import type { Choice } from '../../shared/records/ballot';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { NETWORK_RECORD_ID, type Member } from '../../shared/records/network';
import { proposal, type ProposalInput, type ProposalProjection } from '../../shared/records/proposal';
import type { EditContext } from '../../shared/records/recordModule';
import { projectionOf } from '../../server/storage/projectionOf';
import type { RecordLog } from '../../server/storage/hubStorage';
import type { ResultInput } from '../../shared/records/result';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { proposalMutators } from '../../shared/records/proposal';
import type { FieldwiseClient } from '../../shared/client/client';
import type { TestHub } from './hub';

/*
 * Governance fixtures for tests: a proposal projection from create input, and a sealed result
 * signed with a throwaway key (for tests of records and rules; the hub's own seals come from
 * server/hub/sealing.ts).
 */

const HOUR_MS = 3_600_000;

export function proposalProjection(input: ProposalInput, state: ProposalProjection['state'] = 'open'): ProposalProjection {
  const doc = new Y.Doc();
  proposal.create(doc, proposal.parseInput(input), { orgId: 'org-secretariat', deviceId: 'dev-test', role: 'secretariat', now: 0 });
  return { ...proposal.read(doc), state };
}

export interface TestSeal {
  readonly input: ResultInput;
  readonly secretKey: Uint8Array;
  readonly publicKey: string;
}

/** A result for `proposalId` with one ballot, signed with a fresh key. */
export function signedTestResult(proposalId: string, secretKey: Uint8Array = ed25519.utils.randomSecretKey()): TestSeal {
  const opensAt = Date.UTC(2025, 0, 1);
  const proposed = proposalProjection({
    title: 'Pool the seed fund',
    options: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ],
    method: 'single',
    opensAt,
    closesAt: opensAt + 24 * HOUR_MS,
    graceHours: 1,
  });
  const choice: Choice = { method: 'single', optionId: 'yes' };
  const payload = sealPayload(
    sealedDecision({
      proposalId,
      proposal: proposed,
      ballots: [{ orgId: 'org-a', ballot: { revisions: [{ deviceId: 'dev-a', at: opensAt + HOUR_MS, choice }] }, arrivals: new Map([[opensAt + HOUR_MS, opensAt + HOUR_MS]]) }],
      eligibleOrgIds: ['org-a', 'org-b'],
      sealedAt: proposed.closesAt + 2 * HOUR_MS,
    }),
  );
  const publicKey = bytesToHex(ed25519.getPublicKey(secretKey));
  return { input: { payload, signature: bytesToHex(ed25519.sign(sealMessage(payload), secretKey)), hubKey: publicKey }, secretKey, publicKey };
}

/** The reason tests give for opening or cancelling a vote (the hub refuses either without one). */
export const TEST_REASON = 'Agreed at the network meeting';

/** The network's members as the hub holds them now: the voters an opening must fix. */
export async function hubMembers(storage: Pick<RecordLog, 'getRecord'>): Promise<Member[]> {
  const held = await storage.getRecord(NETWORK_RECORD_ID);
  if (!held) throw new Error('the hub holds no network record');
  return projectionOf(held, 'network').members;
}

/**
 * Opens the vote in `doc` as the app does (proposalMutators.openVote): with a reason, and the
 * voters `members` make eligible now, which is what the hub checks the opening against.
 */
export function openVoteIn(doc: Y.Doc, members: readonly Pick<Member, 'orgId' | 'role'>[], ctx: EditContext, reason: string = TEST_REASON): void {
  proposalMutators.openVote.apply(doc, { reason, eligibleOrgIds: eligibleOrgIds(members, proposal.read(doc).eligible) }, ctx);
}

/**
 * Opens `proposalId` from a client as the app's confirmation does: its reason, and the voters the
 * network record on this device makes eligible now (sync first, so the device knows the members).
 */
export async function openVoteFrom(client: FieldwiseClient, proposalId: string, reason: string = TEST_REASON): Promise<void> {
  const [held, network] = await Promise.all([client.get<'proposal'>(proposalId), client.get<'network'>(NETWORK_RECORD_ID)]);
  if (!held || network?.header.type !== 'network') throw new Error(`this device holds no proposal ${proposalId} or no network record`);
  await client.mutate(proposalId, proposalMutators.openVote, { reason, eligibleOrgIds: eligibleOrgIds(network.projection.members, held.projection.eligible) });
}

/**
 * Seeds an open yes/no/later poll that every organization but observers may vote on, open from a
 * day ago to a day from now on the real clock: for tests whose subject is sync, not governance,
 * whose ballots must reach the hub, from organizations that may join after it is seeded. Written
 * straight into storage as a hub stored an opening before openings had to fix their voters: with
 * its reason, without `eligibleOrgIds`, so the hub counts the network's members as they are
 * (governance/voters.ts). The hub's write path refuses such an opening now (`eligibility-missing`);
 * a test of governance opens through it (openVoteIn, openVoteFrom).
 */
export async function openTestProposal(testHub: Pick<TestHub, 'storage'>, proposalId: string, now: number = Date.now()): Promise<void> {
  const secretariatId = (await testHub.storage.getMeta('secretariatOrg'))!;
  const ctx = { orgId: secretariatId, deviceId: 'dev-test', role: 'secretariat', now } as const;
  const input = proposal.parseInput({
    title: 'Pool the seed fund',
    options: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
      { id: 'later', label: 'Later' },
    ],
    method: 'single',
    opensAt: now - 24 * HOUR_MS,
    closesAt: now + 24 * HOUR_MS,
    eligible: { kind: 'roles', roles: ['secretariat', 'steward', 'member'] },
  });
  await commitSystemChange(testHub.storage, { id: proposalId, type: 'proposal', ownerOrg: secretariatId, createdAt: now }, (doc) => {
    proposal.create(doc, input, ctx);
    proposalMutators.openVote.apply(doc, { reason: TEST_REASON, eligibleOrgIds: [] }, ctx);
    doc.getMap('fields').delete('eligibleOrgIds');
  });
}
