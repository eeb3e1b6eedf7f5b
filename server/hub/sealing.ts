import { bytesToHex } from '@noble/hashes/utils.js';
import { votersOf } from '../../shared/governance/voters';
import { isSealedResult } from '../../shared/governance/isSealedResult';
import { graceEndsAt } from '../../shared/governance/proposalPhase';
import { sealedDecision, sealPayload } from '../../shared/governance/sealedDecision';
import { sealMessage } from '../../shared/governance/verifySeal';
import { ballotId } from '../../shared/records/ballot';
import type { ProposalProjection } from '../../shared/records/proposal';
import { result, resultId } from '../../shared/records/result';
import type { Directory, GovernanceSchedule, HubMeta, RecordLog } from '../storage/hubStorage';
import { projectionOf } from '../storage/projectionOf';
import type { HubKey } from './hubKey';
import { NETWORK_RECORD_ID } from '../../shared/records/network';
import { repairSquatters } from './squatterRepair';
import { commitSystemChange } from './systemWrites';

/*
 * Sealing: once a proposal's closing plus grace period has passed on the hub's clock (and
 * SEAL_SETTLE_MS more, so a ballot accepted just before the end has committed), the hub tallies the
 * ballots it holds with its own first-receipt times, signs the sealed decision with its key and
 * writes the `result` record through the system write path. The result's id is derived from the
 * proposal and a second writer finds it already there, so sealing twice, or from two hub processes
 * at once, leaves exactly one result. After sealing the policy refuses every ballot and proposal
 * change (governancePolicy.ts), so nothing changes the result. The voters are those fixed when the
 * vote opened (governance/voters.ts), and each organization's counted cast is its latest on the
 * proposal's current version (governance/countedCast.ts).
 */

/** Margin after the grace period before sealing: longer than any push takes to commit. */
export const SEAL_SETTLE_MS = 60_000;

export type SealOutcome =
  | { readonly kind: 'sealed'; readonly resultId: string; readonly seq: number }
  | { readonly kind: 'already-sealed'; readonly resultId: string; readonly seq: number }
  | { readonly kind: 'not-due'; readonly dueAt: number }
  | { readonly kind: 'not-sealable'; readonly reason: 'unknown-proposal' | 'not-open' };

/** Sealing reads the records, the directory (who may hold a ballot) and meta, and keeps the schedule. */
export type SealingStorage = RecordLog & GovernanceSchedule & Directory & HubMeta;

export const sealDueAt = (proposal: Pick<ProposalProjection, 'closesAt' | 'graceHours'>): number => graceEndsAt(proposal) + SEAL_SETTLE_MS;

/** Seals one proposal if it is due at `now`; idempotent. */
export async function sealProposal(storage: SealingStorage, hubKey: HubKey, proposalId: string, now: number): Promise<SealOutcome> {
  const id = resultId(proposalId);
  const existing = await storage.getRecord(id);
  if (isSealedResult(existing, proposalId)) {
    await storage.clearSealDue(proposalId);
    return { kind: 'already-sealed', resultId: id, seq: existing.seq };
  }
  const stored = await storage.getRecord(proposalId);
  if (!stored || stored.header.type !== 'proposal') {
    await storage.clearSealDue(proposalId);
    return { kind: 'not-sealable', reason: 'unknown-proposal' };
  }
  const proposal = projectionOf(stored, 'proposal');
  if (proposal.state !== 'open') {
    await storage.clearSealDue(proposalId);
    return { kind: 'not-sealable', reason: 'not-open' };
  }
  const dueAt = sealDueAt(proposal);
  if (now < dueAt) return { kind: 'not-due', dueAt };
  // Another type under the result's id (data from before ids were reserved) is moved off it first.
  if (existing) await repairSquatters(storage);

  const network = projectionOf((await storage.getRecord(NETWORK_RECORD_ID))!, 'network');
  const secretariatId = (await storage.getMeta('secretariatOrg'))!;
  // Any organization the hub knows may hold a ballot (one since removed from the network too: the
  // tally excludes it as not eligible, and the decision record says so).
  const orgIds = (await storage.listOrgs()).map((org) => org.id);
  const ballotIds = orgIds.map((orgId) => ballotId(proposalId, orgId));
  const arrivals = await storage.castArrivals(ballotIds);
  const ballots = [];
  for (const [index, orgId] of orgIds.entries()) {
    const ballot = await storage.getRecord(ballotIds[index]!);
    if (!ballot || ballot.header.type !== 'ballot' || ballot.header.ownerOrg !== orgId) continue;
    ballots.push({ orgId, ballot: projectionOf(ballot, 'ballot'), arrivals: arrivals.get(ballotIds[index]!) ?? new Map<number, number>() });
  }
  const decision = sealedDecision({ proposalId, proposal, ballots, eligibleOrgIds: votersOf(proposal, network.members), sealedAt: now });
  const payload = sealPayload(decision);
  const input = result.parseInput({ payload, signature: bytesToHex(hubKey.sign(sealMessage(payload))), hubKey: hubKey.publicKey });

  let isWrittenHere = false;
  const seq = await commitSystemChange(storage, { id, type: 'result', ownerOrg: secretariatId, createdAt: now }, (doc) => {
    isWrittenHere = false;
    // Another process sealed first: its result stands, this one is dropped.
    if (result.read(doc).payload !== '') return;
    result.create(doc, input, { orgId: secretariatId, deviceId: 'hub', role: 'secretariat', now });
    isWrittenHere = true;
  });
  await storage.clearSealDue(proposalId);
  return { kind: isWrittenHere ? 'sealed' : 'already-sealed', resultId: id, seq };
}

/** Seals every proposal due at `now`; returns what it did per proposal. */
export async function sealDueProposals(storage: SealingStorage, hubKey: HubKey, now: number, limit = 100): Promise<Map<string, SealOutcome>> {
  const outcomes = new Map<string, SealOutcome>();
  // The schedule holds closing plus grace; the settle margin is applied by sealProposal.
  for (const proposalId of await storage.dueSeals(now - SEAL_SETTLE_MS, limit)) {
    outcomes.set(proposalId, await sealProposal(storage, hubKey, proposalId, now));
  }
  return outcomes;
}
