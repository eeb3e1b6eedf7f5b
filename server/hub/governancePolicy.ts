import { ballotTermsOf, type BallotProjection } from '../../shared/records/ballot';
import { canonicalJson } from '../../shared/governance/canonicalJson';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { positionReasonProblem } from '../../shared/governance/positionReason';
import { hasVisibleText } from '../../shared/records/visibleText';
import { isSameVoterList, votersOf } from '../../shared/governance/voters';
import { invalidChoiceReason } from '../../shared/governance/invalidChoiceReason';
import { isSealedResult } from '../../shared/governance/isSealedResult';
import { graceEndsAt } from '../../shared/governance/proposalPhase';
import { isStewardAuthorized, type NetworkProjection, type StewardScope } from '../../shared/records/network';
import { versionedFields, type ProposalProjection, type ProposalStateChange, type VersionChange } from '../../shared/records/proposal';
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
 * a valid choice, at a time of its own on the ballot; no revision ever removed. The hub records
 * when it first received each cast.
 * Proposals, offers and reviews of other organizations' entries: a steward needs the secretariat's grant for the scope; once a proposal is
 * no longer a draft its terms are locked (only open -> cancelled, before closing); nothing changes
 * after sealing but the outcome statement, which only sealing allows. The network's hub key is the
 * hub's alone.
 *
 * Decisions people can trust (docs/PROTOCOL.md, Governance): a block needs its reason; a cast names
 * the proposal version it was made on, no later than the current one; an open proposal's versioned
 * terms change only with a history entry by the editor for each new version; the voters written
 * when the vote opens are required and are the hub's own computation at that moment; opening and
 * cancelling each add a state-change entry with its reason; a facilitator (the secretariat,
 * or a steward with the proposals scope) writes only the `facilitated` log of another
 * organization's open ballot, in its own name, and only while that organization has cast none.
 */

/** How far ahead of the hub's clock a device's cast, version entry or state change may be dated: laptop clocks drift. */
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

/** Entries in `after` that `before` does not hold (as a multiset: two equal ones count twice). */
function revisionChanges<Revision>(before: readonly Revision[], after: readonly Revision[]): { added: Revision[]; isRemoving: boolean } {
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
  if (!votersOf(proposal, network.members).includes(write.header.ownerOrg)) {
    refuse('not-eligible', 'this organization is not eligible to vote on this proposal', id);
  }
  const terms = ballotTermsOf(proposal);
  if (after.isSecret !== terms.isSecret) refuse('secrecy-mismatch', `the proposal's ballots are ${proposal.secrecy}; the ballot must say so`, id);
  if (after.isWithheld !== terms.isWithheld) {
    refuse('secrecy-mismatch', `the proposal's results show ${proposal.resultsVisibility === 'live' ? 'live' : 'after closing'}; the ballot's isWithheld must say so`, id);
  }
  const own = revisionChanges(before?.revisions ?? [], after.revisions);
  const facilitated = revisionChanges(before?.facilitated ?? [], after.facilitated);
  if (own.isRemoving || facilitated.isRemoving) refuse('forbidden', "a ballot's revisions are kept: none may be removed", id);
  if (write.header.ownerOrg !== ctx.actor.orgId) await checkFacilitator(ctx, write, before, after, facilitated.added, proposal.secrecy);
  type NewCast = { at: number; choice: BallotProjection['revisions'][number]['choice']; reason: string; proposalVersion: number };
  const casts: NewCast[] = [...own.added, ...facilitated.added];
  const isLogged = (at: number, choice: unknown) => after.revisions.some((r) => r.at === at && canonicalJson(r.choice) === canonicalJson(choice));
  if (after.castAt !== null && after.choice !== null && (after.castAt !== before?.castAt || canonicalJson(after.choice) !== canonicalJson(before?.choice))) {
    // The plain fields of a cast whose revision is logged are checked with that revision.
    if (!isLogged(after.castAt, after.choice)) casts.push({ at: after.castAt, choice: after.choice, reason: '', proposalVersion: proposal.version });
  }
  // The grace period is for an organization's own ballot that was cast before closing and is late
  // to arrive; a facilitated cast is recorded before closing, while the organization can still
  // replace it by casting (after closing it no longer can), whatever time it claims.
  if (facilitated.added.length > 0 && ctx.now >= proposal.closesAt) {
    refuse('cast-after-closing', 'a facilitator records a ballot before closing: the grace period is for late ballots of the organizations themselves', id);
  }
  if (facilitated.added.some((cast) => !hasVisibleText(cast.witness))) refuse('witness-required', 'a facilitated cast names its witness', id);
  // Nor is it for changing a vote the hub holds: once voting has closed, a live poll's count is
  // there for every organization to read, and a recast timed before closing would turn it. A first
  // own cast still counts in the grace period (an offline laptop's, a facilitated ballot's owner).
  if (own.added.length > 0 && (before?.revisions.length ?? 0) > 0 && ctx.now >= proposal.closesAt) {
    refuse('cast-after-closing', "the hub holds this organization's cast: after closing, it stands and is not changed", id);
  }
  for (const cast of casts) {
    if (cast.at < proposal.opensAt) refuse('cast-before-opening', 'the ballot was cast before the poll opened', id);
    if (cast.at >= proposal.closesAt) refuse('cast-after-closing', 'the ballot was cast after the poll closed', id);
    if (cast.at > ctx.now + CAST_SKEW_MS) refuse('cast-in-future', "the ballot's cast time is ahead of the hub's clock; check the device clock", id);
    if (cast.proposalVersion > proposal.version) {
      refuse('version-unknown', `the ballot names proposal version ${cast.proposalVersion}; the hub holds version ${proposal.version}`, id);
    }
    // A cast on an earlier version does not count (the tally excludes it until it is confirmed),
    // so the options it names may be gone: only the current version's choices are checked.
    const invalid = cast.proposalVersion === proposal.version ? invalidChoiceReason(cast.choice, proposal) : null;
    if (invalid) refuse('invalid-choice', `the choice does not fit the proposal: ${invalid}`, id);
    if (positionReasonProblem(cast.choice, cast.reason)) refuse('reason-required', 'a block in a consent vote needs its reason', id);
  }
  // The hub keeps when it first received a ballot's casts by their times: a second cast at a time
  // the ballot already holds would take the first one's arrival, and a vote changed in the grace
  // period would be sealed as received before closing.
  const heldAts = new Set([...(before?.revisions ?? []), ...(before?.facilitated ?? [])].map((cast) => cast.at));
  const addedAts = [...own.added, ...facilitated.added].map((cast) => cast.at);
  if (addedAts.some((at, index) => heldAts.has(at) || addedAts.indexOf(at) !== index)) {
    refuse('forbidden', 'a ballot holds one cast per instant: a new cast has a time of its own', id);
  }
  return addedAts.length > 0 ? { castArrivals: addedAts.map((castAt): CastArrival => ({ castAt, receivedAt: ctx.now })) } : {};
}

/**
 * A write to another organization's ballot: the rules let only leads do it (`manage`, its
 * `facilitated` log); here it must be the secretariat or a steward with the proposals scope, on an
 * open ballot (a secret one stays its organization's alone), adding facilitated casts in the
 * writer's own name, only while the organization has cast none itself, and changing nothing else.
 */
async function checkFacilitator(
  ctx: PolicyContext,
  write: RecordWrite,
  before: BallotProjection | null,
  after: BallotProjection,
  added: readonly BallotProjection['facilitated'][number][],
  secrecy: ProposalProjection['secrecy'],
): Promise<void> {
  const id = write.header.id;
  await checkSteward(ctx, 'proposals', write);
  if (secrecy === 'secret') refuse('forbidden', 'a facilitator records open ballots only: a secret ballot is its organization’s alone', id);
  const isOwnPartChanged =
    canonicalJson(after.revisions) !== canonicalJson(before?.revisions ?? []) ||
    canonicalJson(after.choice) !== canonicalJson(before?.choice ?? null) ||
    after.castAt !== (before?.castAt ?? null);
  if (isOwnPartChanged) refuse('forbidden', "a facilitator writes only the ballot's facilitated casts, never the organization's own", id);
  // An organization's own vote is never replaced on another's word (countedCast: its own cast stands anyway).
  if (added.length > 0 && (before?.revisions.length ?? 0) > 0) {
    refuse('own-ballot-cast', 'the organization has cast its own ballot; a facilitator records one only for an organization that has cast none', id);
  }
  if (added.some((cast) => cast.byOrgId !== ctx.actor.orgId)) refuse('forbidden', 'a facilitated cast names its facilitator: the writer’s own organization', id);
}

/**
 * An edit of an open proposal's versioned terms is a new version, and its history tells the truth:
 * `changes` are the terms the edit alters, read from the docs with the description's whole rich
 * structure (validateUpdate.ts, shared versionChanges). Each changed term is named by a new entry
 * of the editor's; each term a new entry names did change, and the entries' before and after text
 * run from the term as it was to the term as it is (one entry, or several an offline device made
 * one after another and pushes at once). An entry that changes nothing would only void the ballots
 * cast so far (`version-unchanged`); one whose text is not the change would show voters asked to
 * confirm a diff of something else (`version-unrecorded`).
 */
function checkVersioning(ctx: PolicyContext, id: string, before: ProposalProjection, after: ProposalProjection, changes: readonly VersionChange[]): void {
  const history = revisionChanges(before.history, after.history);
  if (history.isRemoving) refuse('forbidden', "a proposal's version history is kept: no entry may be removed", id);
  const changed = changes.map((change) => change.field);
  if (changed.length === 0 && history.added.length === 0) return;
  if (before.state !== 'open' || after.state !== 'open' || ctx.now >= before.closesAt) {
    refuse('terms-locked', `a proposal's terms change only while its vote is open (${changed.join(', ') || 'history'})`, id);
  }
  const named = new Set(history.added.flatMap((entry) => entry.changes.map((change) => change.field)));
  const unnamed = changed.filter((field) => !named.has(field));
  if (unnamed.length > 0) refuse('version-unrecorded', `an open proposal's edit is a new version: name it in the history (${unnamed.join(', ')})`, id);
  if (history.added.some((entry) => entry.orgId !== ctx.actor.orgId)) refuse('version-unrecorded', 'a version entry names its editor: the writer’s own organization', id);
  if (history.added.some((entry) => entry.at > ctx.now + CAST_SKEW_MS)) refuse('cast-in-future', "a version entry is dated when it was made, not ahead of the hub's clock; check the device clock", id);
  for (const field of named) {
    const actual =
      changes.find((change) => change.field === field) ??
      refuse('version-unchanged', `a version entry names ${field}, which this edit leaves as it was: a version that changes nothing would void the ballots cast so far`, id);
    // In history order: each entry's before is the previous one's after.
    const steps = history.added.flatMap((entry) => entry.changes.filter((change) => change.field === field));
    const texts = [actual.before, ...steps.map((step) => step.after)];
    if (steps.some((step, i) => step.before !== texts[i]) || texts.at(-1) !== actual.after) {
      refuse('version-unrecorded', `a version entry's before and after must be the ${field} as it was and as this edit leaves it`, id);
    }
  }
}

/**
 * Opening and cancelling are irreversible, so each is recorded with its reason: a write that moves
 * the proposal into `open` or `cancelled` adds a `log.stateChanges` entry for that state (the
 * reason is non-empty, or the entry does not read). Every added entry names the writer's
 * organization and the state the write leaves (or `open` before a `cancelled` in the same write: a
 * device that opened and cancelled offline pushes both at once), so the record never shows an act
 * that did not happen. Entries are compared as a multiset, not a prefix: two devices appending
 * concurrently merge in clientID order, not in the order the hub saw them.
 */
function checkStateChanges(ctx: PolicyContext, id: string, before: ProposalProjection | null, after: ProposalProjection): void {
  const changes = revisionChanges(before?.stateChanges ?? [], after.stateChanges);
  if (changes.isRemoving) refuse('forbidden', "a proposal's reasons for opening and cancelling are kept: none may be removed", id);
  if (changes.added.some((entry) => entry.orgId !== ctx.actor.orgId)) {
    refuse('state-change-unrecorded', 'a state change names who made it: the writer’s own organization', id);
  }
  if (changes.added.some((entry) => entry.at > ctx.now + CAST_SKEW_MS)) refuse('cast-in-future', "a state change is dated when it was made, not ahead of the hub's clock; check the device clock", id);
  if (changes.added.some((entry) => !hasVisibleText(entry.reason))) refuse('state-change-unrecorded', 'a state change gives its reason: visible text, not only spaces or invisible characters', id);
  const fits = (entry: ProposalStateChange) => entry.state === after.state || (entry.state === 'open' && after.state === 'cancelled');
  const misfit = changes.added.find((entry) => !fits(entry));
  if (misfit) refuse('state-change-unrecorded', `a state change says ${misfit.state}, but the proposal is ${after.state}`, id);
  const isActing = after.state !== (before?.state ?? 'draft') && after.state !== 'draft';
  if (isActing && !changes.added.some((entry) => entry.state === after.state)) {
    refuse('state-change-unrecorded', `${after.state === 'open' ? 'opening' : 'cancelling'} a vote is recorded with its reason: append it to log.stateChanges`, id);
  }
}

/** The projected fields the outcome statement's revisions feed: the only ones sealing leaves open. */
const OUTCOME_FIELDS = ['outcome', 'outcomeRevisions'];

/**
 * An outcome statement is the record of what was decided, so it is kept like the votes that
 * decided it: revisions are only ever added (an amendment is a new revision, the earlier ones
 * stay), each in the writer's own name, at a time no earlier than the vote's closing and no later
 * than the hub's clock plus CAST_SKEW_MS. Closing, not the seal, bounds it from below, as it bounds
 * a cast from above: both are the proposal's own times, which a device knows whatever its clock,
 * and a statement dated before the vote closed cannot be about its result. A bundle carried for
 * days still passes.
 */
function checkOutcomeRevisions(ctx: PolicyContext, id: string, before: ProposalProjection, after: ProposalProjection): void {
  const revisions = revisionChanges(before.outcomeRevisions, after.outcomeRevisions);
  if (revisions.isRemoving) refuse('forbidden', 'an outcome statement once written is kept: amend it with a new revision, none is removed', id);
  if (revisions.added.some((revision) => revision.orgId !== ctx.actor.orgId)) {
    refuse('forbidden', "an outcome statement names its author: the writer's own organization", id);
  }
  if (revisions.added.some((revision) => revision.at < before.closesAt || revision.at > ctx.now + CAST_SKEW_MS)) {
    refuse('forbidden', "an outcome statement's time is when it was written: after the vote closed and not ahead of the hub's clock; check the device clock", id);
  }
}

/** Fields a proposal may still change once it is no longer a draft. */
const UNLOCKED_FIELDS = new Set(['state', 'createdAt', 'updatedAt', 'version', 'history', 'stateChanges', ...OUTCOME_FIELDS, ...versionedFields]);

async function checkProposal(ctx: PolicyContext, write: RecordWrite, before: ProposalProjection | null, changes: readonly VersionChange[]): Promise<PolicyAdditions> {
  const id = write.header.id;
  const after = projectionOf(write, 'proposal');
  await checkSteward(ctx, 'proposals', write);
  const isSealedNow = before !== null && (await isSealed(ctx, id));
  const isOutcomeChanged = canonicalJson(after.outcomeRevisions) !== canonicalJson(before?.outcomeRevisions ?? []);
  if (isOutcomeChanged && !isSealedNow) refuse('outcome-not-sealed', 'the outcome statement is written once the result is sealed', id);
  if (isOutcomeChanged && before) checkOutcomeRevisions(ctx, id, before, after);
  checkStateChanges(ctx, id, before, after);
  if (after.state === 'open' && before?.state !== 'open') {
    // A vote opened once its window has passed is never open on anyone's screen, yet the grace
    // period would still take casts timed inside that window from whoever was told in advance.
    if (ctx.now >= after.closesAt) refuse('terms-locked', 'a vote cannot open once its closing time has passed: give the draft a new window and open it', id);
    const written = after.eligibleOrgIds ?? refuse('eligibility-missing', 'opening a vote fixes its voters: write fields.eligibleOrgIds with the opening', id);
    const voters = eligibleOrgIds((await loadNetwork(ctx)).members, after.eligible);
    if (!isSameVoterList(written, voters)) {
      refuse('eligibility-mismatch', "the voters written at opening are not the network's eligible organizations now; recompute them and open again", id);
    }
  }
  if (before) {
    if (isSealedNow) {
      const changed = Object.keys(after).filter(
        (key) => !OUTCOME_FIELDS.includes(key) && key !== 'updatedAt' && canonicalJson(after[key as keyof ProposalProjection]) !== canonicalJson(before[key as keyof ProposalProjection]),
      );
      if (changed.length > 0 || changes.length > 0) refuse('poll-sealed', 'the result of this proposal is sealed; only its outcome statement may still be written', id);
      return { sealDueAt: null };
    }
    if (before.state !== 'draft') {
      checkVersioning(ctx, id, before, after, changes);
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

/** `versionChanges`: a stored proposal's versioned terms the write alters (validateUpdate.ts); empty for other records. */
export async function governancePolicy(ctx: PolicyContext, write: RecordWrite, before: Record<string, unknown> | null, versionChanges: readonly VersionChange[]): Promise<PolicyAdditions> {
  switch (write.header.type) {
    case 'ballot':
      return checkBallot(ctx, write, before && projectionOf({ header: write.header, projection: before }, 'ballot'));
    case 'proposal':
      return checkProposal(ctx, write, before && projectionOf({ header: write.header, projection: before }, 'proposal'), versionChanges);
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
