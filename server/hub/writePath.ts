import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import type { Action, Timestamps } from '../../shared/records/recordModule';
import { moduleFor } from '../../shared/records/registry';
import type { RecordHeader, RecordType } from '../../shared/records/recordType';
import { RecordStructureError, structureActions, summarizeStructure, type StructureSummary } from '../../shared/records/structureActions';
import { reservedIdRefusal } from '../../shared/records/reservedIds';
import { areBytesEqual } from '../../shared/records/yjsUpdates';
import { canChange, HUB_WRITTEN_TYPES, type Actor } from '../../shared/rules/rules';
import { limits } from '../../shared/sync/protocol';
import { StaleWriteError, type Directory, type RecordLog, type RecordWrite, type StoredRecord } from '../storage/hubStorage';
import { assertTargetReadable } from './attachments';
import { governancePolicy, type BatchProjections } from './governancePolicy';
import { HubError } from './hubError';
import { assertClaimsMatchWriter, assertOrgNameFree } from './orgNames';

/*
 * The hub's one write path: authorize -> validate -> commit -> acknowledge. Pushes and the
 * standard Yjs endpoint both come through here. Validation applies the update to the record's
 * current state in a real Y.Doc within a size and time budget, then authorizes the change by the
 * actions its projection diff and its structure diff (every part of the Yjs layout it touches)
 * need: whole documents are authorized, parts of an update never filtered out.
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
}

/** The header a new record gets: from the credential, never from the content. */
function newHeader(actor: Actor, request: RecordChangeRequest, now: number): RecordHeader {
  // A profile's owner is the organization it describes (the secretariat creates it on invite).
  const ownerOrg = request.type === 'org' ? request.id : actor.orgId;
  return { id: request.id, type: request.type, ownerOrg, createdAt: now };
}

/** Decodes and applies one update, refusing garbage, dependencies the hub lacks, and slow input. */
function applyWithinBudget(doc: Y.Doc, update: Uint8Array, recordId: string): void {
  if (update.length === 0) throw new HubError('bad-update', 'an empty update changes nothing', recordId);
  if (update.length > limits.maxUpdateBytes) throw new HubError('update-too-large', `an update may be at most ${limits.maxUpdateBytes} bytes`, recordId);
  const started = performance.now();
  try {
    // Decoding first refuses truncated and malformed input before anything touches the doc.
    Y.decodeUpdate(update);
    Y.applyUpdate(doc, update);
  } catch {
    throw new HubError('bad-update', 'the update is not a valid Yjs update', recordId);
  }
  if (performance.now() - started > limits.maxApplyMs) throw new HubError('update-too-slow', 'the update took too long to apply', recordId);
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) {
    throw new HubError('missing-dependency', 'the update builds on changes the hub does not have', recordId);
  }
}

const WRITE_ACTIONS: readonly Action[] = ['edit', 'review', 'moderate', 'manage'];

/**
 * What the change touches in the doc's structure (shared/records/structureActions.ts), as actions.
 * Structure the layout has no room for is `bad-structure`, told only to a sender who may write.
 */
function structureActionsOrRefuse(actor: Actor, header: RecordHeader, shapeBefore: StructureSummary | null, doc: Y.Doc, before: Timestamps | null, after: Timestamps): Action[] {
  const module = moduleFor(header.type);
  try {
    return structureActions(module, shapeBefore, summarizeStructure(doc, header.type), before ?? module.read(new Y.Doc()), after);
  } catch (error) {
    if (!(error instanceof RecordStructureError)) throw error;
    const facts = before ? module.facts(before) : {};
    const mayWrite = (before ? WRITE_ACTIONS : (['create'] as const)).some((action) => canChange(actor, header, [action], facts).isAllowed);
    if (!mayWrite) throw new HubError('forbidden', `a ${actor.role} may not write this ${header.type}`, header.id);
    throw new HubError('bad-structure', `a ${header.type} has no room for this: ${error.message}`, header.id);
  }
}

export function prepareWrite(actor: WriteActor, request: RecordChangeRequest, stored: StoredRecord | null, now: number): PreparedWrite {
  // Sealed results and the like: written by the hub (systemWrites), never by a client.
  if (HUB_WRITTEN_TYPES.includes(request.type) || (stored && HUB_WRITTEN_TYPES.includes(stored.header.type))) {
    throw new HubError('forbidden', `a ${stored?.header.type ?? request.type} is written by the hub only`, request.id);
  }
  if (stored && stored.header.type !== request.type) {
    throw new HubError('header-mismatch', `record ${request.id} is a ${stored.header.type}, not a ${request.type}`, request.id);
  }
  const header = stored?.header ?? newHeader(actor, request, now);
  const idRefusal = reservedIdRefusal(header);
  if (idRefusal !== null) throw new HubError('wrong-id', idRefusal, request.id);
  const module = moduleFor(header.type);
  const doc = new Y.Doc();
  try {
    if (stored) Y.applyUpdate(doc, stored.state);
    const before = stored ? module.read(doc) : null;
    const shapeBefore = stored ? summarizeStructure(doc, header.type) : null;
    applyWithinBudget(doc, request.update, request.id);
    const state = Y.encodeStateAsUpdate(doc);
    if (stored && areBytesEqual(state, stored.state)) return { write: null, unchangedSeq: stored.seq };
    if (state.length > limits.maxRecordBytes) throw new HubError('record-too-large', `a record may be at most ${limits.maxRecordBytes} bytes`, request.id);

    const after = module.read(doc);
    const derivedId = module.deriveId(after as never, header.ownerOrg);
    if (derivedId !== null && derivedId !== header.id) {
      throw new HubError('wrong-id', `this ${header.type} must have the id ${derivedId}`, request.id);
    }
    // A new record may not be born reviewed, endorsed or moderated: diff it against an empty one.
    const changed = [...module.changeActions(before ?? module.read(new Y.Doc()), after), ...structureActionsOrRefuse(actor, header, shapeBefore, doc, before, after)];
    const needed: Action[] = before ? [...new Set(changed)].sort() : ['create', ...new Set(changed.filter((action) => action !== 'edit'))];
    const factsBefore = before ? module.facts(before) : {};
    let verdict = canChange(actor, header, needed, factsBefore);
    // A change no projected field shows (a timestamp, a key nothing reads) still writes to the
    // record and syncs to everyone: it needs some write grant, so an observer, or a member on
    // another organization's record, cannot write at all.
    if (verdict.isAllowed && needed.length === 0 && !WRITE_ACTIONS.some((action) => canChange(actor, header, [action], factsBefore).isAllowed)) {
      verdict = { isAllowed: false, action: 'edit' };
    }
    if (!verdict.isAllowed) {
      const whose = actor.orgId === header.ownerOrg ? 'its own' : "another organization's";
      throw new HubError('forbidden', `a ${actor.role} may not ${verdict.action} ${whose} ${header.type}`, request.id);
    }
    return {
      write: {
        header,
        update: request.update,
        state,
        projection: { ...after },
        facts: module.facts(after),
        credentialId: actor.credentialId,
        expectedSeq: stored?.seq ?? null,
      },
      unchangedSeq: null,
      before: before ? { ...before } : null,
    };
  } finally {
    doc.destroy();
  }
}

const MAX_ATTEMPTS = 5;

/**
 * Validates and commits a batch as one unit: the first refusal refuses everything. A write that
 * raced another writer of the same record is prepared again from the new state.
 */
export async function commitChanges(
  storage: RecordLog & Pick<Directory, 'listOrgs' | 'getOrg'>,
  actor: WriteActor,
  requests: readonly RecordChangeRequest[],
  now: number,
): Promise<{ seqs: number[]; committedIds: string[] }> {
  const ids = new Set<string>();
  for (const request of requests) {
    if (ids.has(request.id)) throw new HubError('bad-request', `record ${request.id} appears twice; merge its updates`, request.id);
    ids.add(request.id);
  }
  for (let attempt = 1; ; attempt++) {
    const prepared: PreparedWrite[] = [];
    for (const request of requests) prepared.push(prepareWrite(actor, request, await storage.getRecord(request.id), now));
    // Governance (voting window, eligibility, steward grants, locked terms) with the stored
    // proposal and network loaded; a refusal refuses the whole batch, like any other.
    const batch: BatchProjections = new Map(prepared.flatMap((p) => (p.write ? [[p.write.header.id, p.write]] : [])));
    const writes: RecordWrite[] = [];
    for (const p of prepared) {
      if (!p.write) continue;
      await assertOrgNameFree(storage, p.write, p.before ?? null, batch);
      await assertClaimsMatchWriter(storage, actor.orgId, p.write, p.before ?? null);
      await assertTargetReadable(storage, actor, p.write, prepared);
      const additions = await governancePolicy({ storage, actor, now, batch }, p.write, p.before ?? null);
      writes.push({ ...p.write, ...additions });
    }
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
