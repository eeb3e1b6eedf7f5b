import type { BallotProjection } from '../../shared/records/ballot';
import { canonicalJson } from '../../shared/governance/canonicalJson';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { invalidChoiceReason } from '../../shared/governance/invalidChoiceReason';
import { isSealedResult } from '../../shared/governance/isSealedResult';
import { graceEndsAt } from '../../shared/governance/proposalPhase';
import { isStewardAuthorized, type NetworkProjection, type StewardScope } from '../../shared/records/network';
import type { ProposalProjection } from '../../shared/records/proposal';
import { resultId } from '../../shared/records/result';
import { moduleFor, type ProjectionOf } from '../../shared/records/registry';
import type { RecordType } from '../../shared/records/recordType';
import type { CastArrival, RecordLog, RecordWrite } from '../storage/hubStorage';
import { projectionOf, type HeldProjection } from '../storage/projectionOf';
import { HubError } from './hubError';
import { checkEntryReview } from './entryReviewPolicy';
import { NETWORK_RECORD_ID } from '../../shared/records/network';
import type { WriteActor } from './writePath';

/*
 * The hub's governance rules, beyond the rules table: checked on the one write path after a change
 * is authorized and validated and before anything is committed, with the stored proposal and
 * network loaded. A refusal throws a HubError (4xx, a code of its own, the record id) and nothing
 * of the batch is written; docs/PROTOCOL.md lists every code. The clock is the hub's.
 *
 * Ballots: only on a proposal the hub has, that is open, not sealed, whose grace period has not
 * ended on the hub's clock; only from an eligible organization; with the proposal's secrecy; each
 * new cast at a time in [opensAt, closesAt), not later than the hub's clock plus CAST_SKEW_MS, and
 * a valid choice; no revision ever removed. The hub records when it first received each cast.
 * Proposals, offers and reviews of other organizations' entries: a steward needs the secretariat's grant for the scope; once a proposal is
 * no longer a draft its terms are locked (only open -> cancelled, before closing); nothing changes
 * after sealing. The network's hub key is the hub's alone.
 */

/** How far ahead of the hub's clock a device's cast time may be: laptop clocks drift. */
export const CAST_SKEW_MS = 5 * 60_000;

/** Projections already prepared earlier in the same push (a proposal pushed with a ballot on it). */
export type BatchProjections = ReadonlyMap<string, HeldProjection>;

export interface PolicyContext {
  readonly storage: RecordLog;
  readonly actor: WriteActor;
  readonly now: number;
  readonly batch: BatchProjections;
}

export type PolicyAdditions = Pick<RecordWrite, 'castArrivals' | 'sealDueAt'>;

const refuse = (code: ConstructorParameters<typeof HubError>[0], message: string, recordId: string): never => {
  throw new HubError(code, message, recordId);
};

async function loadProjection<T extends RecordType>(ctx: PolicyContext, id: string, type: T): Promise<ProjectionOf<T> | null> {
  const held = ctx.batch.get(id) ?? (await ctx.storage.getRecord(id));
  return held && held.header.type === type ? projectionOf(held, type) : null;
}

async function loadNetwork(ctx: PolicyContext): Promise<NetworkProjection> {
  const network = await loadProjection(ctx, NETWORK_RECORD_ID, 'network');
  if (!network) throw new Error('the hub holds no network record');
  return network;
}

async function isSealed(ctx: PolicyContext, proposalId: string): Promise<boolean> {
  return isSealedResult(await ctx.storage.getRecord(resultId(proposalId)), proposalId);
}

async function checkSteward(ctx: PolicyContext, scope: StewardScope, write: RecordWrite): Promise<void> {
  if (ctx.actor.role !== 'steward') return;
  if (!isStewardAuthorized(await loadNetwork(ctx), ctx.actor.orgId, scope)) {
    refuse('steward-not-authorized', `the secretariat has not authorized this steward to run ${scope}`, write.header.id);
  }
}

type Revision = BallotProjection['revisions'][number];

/** Revisions in `after` that `before` does not hold (as a multiset: two equal ones count twice). */
function revisionChanges(before: readonly Revision[], after: readonly Revision[]): { added: Revision[]; isRemoving: boolean } {
  const left = new Map<string, number>();
  for (const revision of before) {
    const key = canonicalJson(revision);
    left.set(key, (left.get(key) ?? 0) + 1);
  }
  const added: Revision[] = [];
  for (const revision of after) {
    const key = canonicalJson(revision);
    const count = left.get(key) ?? 0;
    if (count > 0) left.set(key, count - 1);
    else added.push(revision);
  }
  return { added, isRemoving: [...left.values()].some((count) => count > 0) };
}

async function checkBallot(ctx: PolicyContext, write: RecordWrite, before: BallotProjection | null): Promise<PolicyAdditions> {
  const id = write.header.id;
  const after = projectionOf(write, 'ballot');
  const proposal = await loadProjection(ctx, after.proposalId, 'proposal');
  if (!proposal) return refuse('proposal-unknown', `the hub has no proposal ${after.proposalId}`, id);
  // Past the grace period the answer is always grace-expired, sealed or not, so a voter's app has
  // one code to explain a ballot that came too late.
  if (proposal.state === 'open' && ctx.now > graceEndsAt(proposal)) {
    refuse('grace-expired', 'the ballot reached the hub after closing plus the grace period; it does not count', id);
  }
  if (await isSealed(ctx, after.proposalId)) refuse('poll-sealed', 'the result of this proposal is sealed; no ballot changes it', id);
  if (proposal.state !== 'open') refuse('poll-not-open', `the proposal is ${proposal.state}, not open for voting`, id);
  const network = await loadNetwork(ctx);
  if (!eligibleOrgIds(network.members, proposal.eligible).includes(write.header.ownerOrg)) {
    refuse('not-eligible', 'this organization is not eligible to vote on this proposal', id);
  }
  if (after.isSecret !== (proposal.secrecy === 'secret')) {
    refuse('secrecy-mismatch', `the proposal's ballots are ${proposal.secrecy}; the ballot must say so`, id);
  }
  const { added, isRemoving } = revisionChanges(before?.revisions ?? [], after.revisions);
  if (isRemoving) refuse('forbidden', "a ballot's revisions are kept: none may be removed", id);
  const casts = added.map((revision) => ({ at: revision.at, choice: revision.choice }));
  if (after.castAt !== null && after.choice !== null && (after.castAt !== before?.castAt || canonicalJson(after.choice) !== canonicalJson(before?.choice))) {
    casts.push({ at: after.castAt, choice: after.choice });
  }
  for (const cast of casts) {
    if (cast.at < proposal.opensAt) refuse('cast-before-opening', 'the ballot was cast before the poll opened', id);
    if (cast.at >= proposal.closesAt) refuse('cast-after-closing', 'the ballot was cast after the poll closed', id);
    if (cast.at > ctx.now + CAST_SKEW_MS) refuse('cast-in-future', "the ballot's cast time is ahead of the hub's clock; check the device clock", id);
    const invalid = invalidChoiceReason(cast.choice, proposal);
    if (invalid) refuse('invalid-choice', `the choice does not fit the proposal: ${invalid}`, id);
  }
  const castAts = [...new Set(added.map((revision) => revision.at))];
  return castAts.length > 0 ? { castArrivals: castAts.map((castAt): CastArrival => ({ castAt, receivedAt: ctx.now })) } : {};
}

/** Fields a proposal may still change once it is no longer a draft. */
const UNLOCKED_FIELDS = new Set(['state', 'createdAt', 'updatedAt']);

async function checkProposal(ctx: PolicyContext, write: RecordWrite, before: ProposalProjection | null): Promise<PolicyAdditions> {
  const id = write.header.id;
  const after = projectionOf(write, 'proposal');
  await checkSteward(ctx, 'proposals', write);
  if (before) {
    if (await isSealed(ctx, id)) refuse('poll-sealed', 'the result of this proposal is sealed; the proposal no longer changes', id);
    if (before.state !== 'draft') {
      const changed = Object.keys(after).filter(
        (key) => !UNLOCKED_FIELDS.has(key) && canonicalJson(after[key as keyof ProposalProjection]) !== canonicalJson(before[key as keyof ProposalProjection]),
      );
      if (changed.length > 0) refuse('terms-locked', `a proposal's terms cannot change once it is ${before.state} (${changed.join(', ')})`, id);
      if (after.state !== before.state) {
        const isCancelling = before.state === 'open' && after.state === 'cancelled';
        if (!isCancelling) refuse('terms-locked', `a proposal cannot go from ${before.state} to ${after.state}`, id);
        if (ctx.now >= after.closesAt) refuse('terms-locked', 'a poll cannot be cancelled once it has closed', id);
      }
    }
  }
  return { sealDueAt: after.state === 'open' ? graceEndsAt(after) : null };
}

export async function governancePolicy(ctx: PolicyContext, write: RecordWrite, before: Record<string, unknown> | null): Promise<PolicyAdditions> {
  switch (write.header.type) {
    case 'ballot':
      return checkBallot(ctx, write, before && projectionOf({ header: write.header, projection: before }, 'ballot'));
    case 'proposal':
      return checkProposal(ctx, write, before && projectionOf({ header: write.header, projection: before }, 'proposal'));
    case 'offer':
      await checkSteward(ctx, 'offers', write);
      return {};
    case 'entry':
      // Reviewing another organization's entry is a steward scope too (docs/PROTOCOL.md, Administration).
      if (before && write.header.ownerOrg !== ctx.actor.orgId && moduleFor('entry').changeActions(before as never, write.projection as never).includes('review')) {
        await checkSteward(ctx, 'review', write);
      }
      checkEntryReview(ctx.actor, write, before);
      return {};
    case 'network':
      if (before && write.projection.hubKey !== before.hubKey) {
        refuse('forbidden', "the network's hub key is written by the hub only", write.header.id);
      }
      return {};
    default:
      return {};
  }
}
