import * as Y from 'yjs';
import type { VersionChange } from '../../shared/records/proposal';
import type { Action, RuleFacts } from '../../shared/records/recordModule';
import { moduleFor } from '../../shared/records/registry';
import type { RecordHeader, RecordType } from '../../shared/records/recordType';
import { canChange, type Actor } from '../../shared/rules/rules';
import { StaleWriteError, type Directory, type OrgUsage, type RecordLog, type RecordWrite, type StoredRecord } from '../storage/hubStorage';
import { assertTargetReadable } from './attachments';
import { assertTranslationOriginReadable } from './translationOrigin';
import { assertDraftOfOwnEntry } from './entryDrafts';
import { governancePolicy, type BatchProjections } from './governancePolicy';
import { HubError } from './hubError';
import { assertClaimsMatchWriter, assertOrgNameFree } from './orgNames';
import { assertInvariantsHold } from './recordInvariants';
import { defaultOrgQuotas, OrgQuotaGuard } from './quotas';
import type { ValidatedUpdate, ValidationInput } from './validateUpdate';
import { sharedValidationRunner } from './validationRunner';
import { authorizeSender, factsOfNew, type SenderAuthorization, type SenderOptions } from './writeAuthorization';

/*
 * The hub's one write path: authorize -> validate -> authorize the change -> commit ->
 * acknowledge. Pushes, bundle imports and the standard Yjs endpoint all come through here.
 * 1. authorizeSender (writeAuthorization.ts) refuses, from headers alone, a sender without any
 *    write grant on the record (and an id reserved for another type): nothing of its update is
 *    decoded.
 * 2. validateUpdate (validateUpdate.ts: stored state + update + header -> projections before and
 *    after, new state, and the actions its structure diff needs) bounds what the update holds and
 *    runs in a worker stopped at the time budget (validationRunner.ts), a whole commit's records
 *    in one round trip.
 * 3. authorizeChange checks the actions the change needs, by its projection diff and its structure
 *    diff (every part of the Yjs layout it touches), against the rules table: whole documents are
 *    authorized, parts of an update never filtered out.
 */

export interface WriteActor extends Actor {
  readonly credentialId: string | null;
}

export interface RecordChangeRequest {
  readonly id: string;
  readonly type: RecordType;
  readonly update: Uint8Array;
}

export interface PreparedWrite {
  readonly write: RecordWrite | null;
  /** Set when the update changed nothing: the record's current seq (a retried push). */
  readonly unchangedSeq: number | null;
  /** The record's projection before this change; null for a new record. */
  readonly before?: Record<string, unknown> | null;
  /** The versioned proposal terms the change alters (validateUpdate.ts). */
  readonly versionChanges?: readonly VersionChange[];
}

/** Validates a batch's updates (in order, the first refusal refusing all); the worker by default. */
export type Validator = (inputs: readonly ValidationInput[]) => Promise<ValidatedUpdate[]>;

export interface WriteOptions extends SenderOptions {
  readonly validate?: Validator;
  /**
   * Records per validation job, each job under the runner's request budget; all of them in one
   * job when absent (a push: its sender can send fewer at a time). A bundle cannot be split by
   * the one who carries it, so it is validated in parts, and still committed as one unit.
   */
  readonly recordsPerValidation?: number;
  /** The per-organization quotas (quotas.ts); the defaults when absent. */
  readonly quotas?: OrgQuotaGuard;
}

/** For callers that bring no runner of their own (the Hub brings one and closes it). */
const defaultValidator: Validator = (inputs) => sharedValidationRunner().validate(inputs);

/** The projection of a record of `type` with nothing in it (what a new record is diffed against). */
function emptyProjection(type: RecordType): unknown {
  const doc = new Y.Doc();
  try {
    return moduleFor(type).read(doc);
  } finally {
    doc.destroy();
  }
}

/** Refuses a change whose projection diff needs an action the sender may not take. */
function authorizeChange(actor: WriteActor, header: RecordHeader, validated: ValidatedUpdate): void {
  const module = moduleFor(header.type);
  const { before, after } = validated;
  const derivedId = module.deriveId(after as never, header.ownerOrg);
  if (derivedId !== null && derivedId !== header.id) {
    throw new HubError('wrong-id', `this ${header.type} must have the id ${derivedId}`, header.id);
  }
  // The sender holds a write grant (authorizeSender): it may be told what the layout refuses.
  if (validated.structureError !== null) throw new HubError('bad-structure', `a ${header.type} has no room for this: ${validated.structureError}`, header.id);
  // A new record may not be born reviewed, endorsed or moderated: diff it against an empty one.
  const changed = [...module.changeActions((before ?? emptyProjection(header.type)) as never, after as never), ...validated.structureActions];
  const needed: Action[] = before ? [...new Set(changed)].sort() : ['create', ...new Set(changed.filter((action) => action !== 'edit'))];
  const verdict = canChange(actor, header, needed, before ? module.facts(before as never) : {});
  if (!verdict.isAllowed) {
    const whose = actor.orgId === header.ownerOrg ? 'its own' : "another organization's";
    throw new HubError('forbidden', `a ${actor.role} may not ${verdict.action} ${whose} ${header.type}`, header.id);
  }
  // Only now, to a sender allowed the change: the state it would leave breaks an invariant.
  assertInvariantsHold(header, validated.invariantViolation);
}

/** A validated change as the write to commit (authorized), or the unchanged record's seq. */
function prepareValidated(actor: WriteActor, sender: SenderAuthorization, request: RecordChangeRequest, stored: StoredRecord | null, validated: ValidatedUpdate): PreparedWrite {
  if (stored && validated.isUnchanged) return { write: null, unchangedSeq: stored.seq };
  if (sender.refusalUnlessUnchanged) throw sender.refusalUnlessUnchanged;
  const { header } = sender;
  authorizeChange(actor, header, validated);
  const module = moduleFor(header.type);
  return {
    write: {
      header,
      update: request.update,
      state: validated.state,
      projection: { ...validated.after },
      facts: module.facts(validated.after as never),
      credentialId: actor.credentialId,
      expectedSeq: stored?.seq ?? null,
    },
    unchangedSeq: null,
    before: validated.before,
    versionChanges: validated.versionChanges,
  };
}

/** Authorizes, validates and authorizes the changes of a batch against the stored records. */
export async function prepareWrites(
  actor: WriteActor,
  requests: readonly RecordChangeRequest[],
  storedRecords: readonly (StoredRecord | null)[],
  now: number,
  options: WriteOptions = {},
  newFacts: readonly RuleFacts[] = [],
): Promise<PreparedWrite[]> {
  // Every sender check first: a batch with one record the sender may not write decodes nothing.
  const senders = requests.map((request, i) => authorizeSender(actor, request, storedRecords[i]!, now, options, newFacts[i]));
  const validate = options.validate ?? defaultValidator;
  const inputs = requests.map((request, i) => ({ header: senders[i]!.header, storedState: storedRecords[i]?.state ?? null, update: request.update }));
  const perJob = Math.max(1, options.recordsPerValidation ?? inputs.length);
  const validated: ValidatedUpdate[] = [];
  for (let start = 0; start < inputs.length; start += perJob) validated.push(...(await validate(inputs.slice(start, start + perJob))));
  return requests.map((request, i) => prepareValidated(actor, senders[i]!, request, storedRecords[i]!, validated[i]!));
}

const MAX_ATTEMPTS = 5;

const defaultQuotaGuard = new OrgQuotaGuard(defaultOrgQuotas);

/**
 * Validates and commits a batch as one unit: the first refusal refuses everything. A write that
 * raced another writer of the same record is prepared again from the new state.
 */
export async function commitChanges(
  storage: RecordLog & Pick<Directory, 'listOrgs' | 'getOrg'> & OrgUsage,
  actor: WriteActor,
  requests: readonly RecordChangeRequest[],
  now: number,
  options: WriteOptions = {},
): Promise<{ seqs: number[]; committedIds: string[] }> {
  const ids = new Set<string>();
  for (const request of requests) {
    if (ids.has(request.id)) throw new HubError('bad-request', `record ${request.id} appears twice; merge its updates`, request.id);
    ids.add(request.id);
  }
  for (let attempt = 1; ; attempt++) {
    const storedRecords = await Promise.all(requests.map((request) => storage.getRecord(request.id)));
    const newFacts = await Promise.all(requests.map((request, i) => (storedRecords[i] ? {} : factsOfNew(storage, request))));
    const prepared = await prepareWrites(actor, requests, storedRecords, now, options, newFacts);
    // Governance (voting window, eligibility, steward grants, locked terms) with the stored
    // proposal and network loaded; a refusal refuses the whole batch, like any other.
    const batch: BatchProjections = new Map(prepared.flatMap((p) => (p.write ? [[p.write.header.id, p.write]] : [])));
    const writes: RecordWrite[] = [];
    for (const p of prepared) {
      if (!p.write) continue;
      await assertOrgNameFree(storage, p.write, p.before ?? null, batch);
      await assertClaimsMatchWriter(storage, actor.orgId, p.write, p.before ?? null);
      await assertTargetReadable(storage, actor, p.write, prepared);
      await assertTranslationOriginReadable(storage, actor, p.write, p.before ?? null, prepared);
      await assertDraftOfOwnEntry(storage, p.write, p.before ?? null, prepared);
      const additions = await governancePolicy({ storage, actor, now, batch }, p.write, p.before ?? null, p.versionChanges ?? []);
      writes.push({ ...p.write, ...additions });
    }
    await (options.quotas ?? defaultQuotaGuard).check(storage, actor, writes, new Map(requests.map((request, i) => [request.id, storedRecords[i]!])), now);
    try {
      const committed = await storage.commit(writes);
      let next = 0;
      const seqs = prepared.map((p) => (p.write ? committed[next++]! : p.unchangedSeq!));
      return { seqs, committedIds: writes.map((write) => write.header.id) };
    } catch (error) {
      if (!(error instanceof StaleWriteError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
