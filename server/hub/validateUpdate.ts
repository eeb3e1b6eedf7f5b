import * as Y from 'yjs';
import type { Action } from '../../shared/records/recordModule';
import { moduleFor } from '../../shared/records/registry';
import type { RecordHeader } from '../../shared/records/recordType';
import { RecordStructureError, structureActions, summarizeStructure } from '../../shared/records/structureActions';
import { areBytesEqual } from '../../shared/records/yjsUpdates';
import { fields } from '../../shared/records/layout';
import { versionChanges, versionedStateOf, type VersionChange } from '../../shared/records/proposal';
import { limits } from '../../shared/sync/protocol';
import { NestingTooDeepError } from '../../shared/records/recordError';
import { recordInvariantViolation } from './recordInvariants';
import type { InvariantViolation } from '../../shared/records/invariants';
import { HubError } from './hubError';
import { checkUpdateComplexity } from './updateComplexity';

/*
 * The validate step of the write path as one pure function: a record's stored state, an update
 * and the record's header in; the projections before and after and the new state out. It runs
 * in a worker thread that is stopped at the time budget (validationRunner.ts), so it may take no
 * callbacks and return only what a structured clone carries. Authorization of what the change
 * needs happens afterwards, on the main thread, from what this returns.
 *
 * A stored state is loaded by the worker before every later change to its record, so what a
 * state costs to load is bounded too: a change is refused (413 `record-too-large`) when loading
 * the state it would leave takes more than the load budget (`MAX_STATE_LOAD_MS`), measured here. Many small pushes each within the apply budget
 * (conflicting writes to one key, say) can no longer grow a state that takes seconds to load.
 */

/** The time loading a record's state (with the change) may take, as measured here. */
export const MAX_STATE_LOAD_MS = 500;

export interface ValidationInput {
  readonly header: RecordHeader;
  /** The record's stored state; null for a new record. */
  readonly storedState: Uint8Array | null;
  readonly update: Uint8Array;
}

export interface ValidatedUpdate {
  /** True when the update adds nothing the record has not got (a retried push). */
  readonly isUnchanged: boolean;
  /** The record's projection before the change; null for a new record. */
  readonly before: Record<string, unknown> | null;
  /** The projection after (also for an unchanged record). */
  readonly after: Record<string, unknown>;
  /** The new state (empty when unchanged: the stored one stands). */
  readonly state: Uint8Array;
  /** The actions the structure diff needs (shared/records/structureActions.ts). */
  readonly structureActions: Action[];
  /** Why the layout has no room for the change, or null; told only to a sender who may write. */
  readonly structureError: string | null;
  /** The first record invariant the new state breaks (shared/records/invariants.ts), or null. */
  readonly invariantViolation: InvariantViolation | null;
  /**
   * A stored proposal's versioned terms the change alters, read from the docs with the
   * description's whole rich structure (shared/records/proposal.ts, versionChanges): what the
   * governance policy holds a new version's history entry to. Empty for other types and new records.
   */
  readonly versionChanges: VersionChange[];
}

function timeToLoad(state: Uint8Array): number {
  const doc = new Y.Doc();
  const startedAt = performance.now();
  try {
    Y.applyUpdate(doc, state);
    return performance.now() - startedAt;
  } finally {
    doc.destroy();
  }
}

/** Refuses with a HubError (code, message, record id) or returns what the change does. */
export interface ValidateOptions {
  /** Called once the stored state is loaded: the apply budget starts there. */
  readonly onStoredStateApplied?: () => void;
  readonly loadBudgetMs?: number;
}

export function validateUpdate({ header, storedState, update }: ValidationInput, options: ValidateOptions = {}): ValidatedUpdate {
  const { onStoredStateApplied, loadBudgetMs = MAX_STATE_LOAD_MS } = options;
  const recordId = header.id;
  if (update.length === 0) throw new HubError('bad-update', 'an empty update changes nothing', recordId);
  if (update.length > limits.maxUpdateBytes) throw new HubError('update-too-large', `an update may be at most ${limits.maxUpdateBytes} bytes`, recordId);
  const module = moduleFor(header.type);
  const doc = new Y.Doc();
  try {
    const loadStartedAt = performance.now();
    if (storedState) Y.applyUpdate(doc, storedState);
    const loadMs = performance.now() - loadStartedAt;
    const before = storedState ? module.read(doc) : null;
    // The stored plain fields as they were: some invariants judge what a change itself wrote.
    const fieldsBefore = storedState ? fields(doc).toJSON() : null;
    const shapeBefore = storedState ? summarizeStructure(doc, header.type) : null;
    const termsBefore = storedState && header.type === 'proposal' ? versionedStateOf(doc) : null;
    // The stored state is the hub's own, accepted within budget and re-applied in linear time:
    // the time budget is for what the sender's update costs from here.
    onStoredStateApplied?.();
    const applyStartedAt = performance.now();
    try {
      // Measuring decodes the whole update: truncated or malformed input stops here.
      checkUpdateComplexity(doc, update);
      Y.applyUpdate(doc, update);
    } catch (error) {
      if (error instanceof HubError) throw new HubError(error.code, error.message, recordId);
      throw new HubError('bad-update', 'the update is not a valid Yjs update', recordId);
    }
    if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) {
      throw new HubError('missing-dependency', 'the update builds on changes the hub does not have', recordId);
    }
    const applyMs = performance.now() - applyStartedAt;
    const state = Y.encodeStateAsUpdate(doc);
    if (storedState && areBytesEqual(state, storedState)) {
      return { isUnchanged: true, before: { ...before }, after: { ...before }, state: new Uint8Array(0), structureActions: [], structureError: null, invariantViolation: null, versionChanges: [] };
    }
    if (state.length > limits.maxRecordBytes) throw new HubError('record-too-large', `a record may be at most ${limits.maxRecordBytes} bytes`, recordId);
    // Loading the stored state and applying the change bound what loading the result costs from
    // above (applying is often the dearer: conflicts are resolved against everything there); only
    // when they come near the budget is the result itself loaded, once, to measure it.
    if (loadMs + applyMs > loadBudgetMs) {
      const resultLoadMs = timeToLoad(state);
      if (resultLoadMs > loadBudgetMs) {
        throw new HubError('record-too-large', `a record's state may take at most ${loadBudgetMs} ms to load; with this change it would take ${Math.round(resultLoadMs)} ms`, recordId);
      }
    }
    const after = module.read(doc);
    let actions: Action[] = [];
    let structureError: string | null = null;
    try {
      actions = structureActions(module, shapeBefore, summarizeStructure(doc, header.type), before ?? module.read(new Y.Doc()), after);
    } catch (error) {
      if (!(error instanceof RecordStructureError)) throw error;
      structureError = error.message;
    }
    const invariantViolation = recordInvariantViolation(module, doc, { ...after }, fieldsBefore);
    const changes = termsBefore ? versionChanges(termsBefore, versionedStateOf(doc)) : [];
    return { isUnchanged: false, before: before ? { ...before } : null, after: { ...after }, state, structureActions: actions, structureError, invariantViolation, versionChanges: changes };
  } catch (error) {
    // Too deep to read is damaged input, not a hub failure: a coded 400 naming the record, which
    // the client quarantines.
    if (error instanceof NestingTooDeepError) throw new HubError('bad-update', error.message, recordId);
    throw error;
  } finally {
    doc.destroy();
  }
}
