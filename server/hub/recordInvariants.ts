import type * as Y from 'yjs';
import { storedLabelsViolation } from '../../shared/records/entryLabels';
import { storedAttachmentsViolation } from '../../shared/records/attachments';
import { storedSharingOf, storedSharingViolation, type SharingFields } from '../../shared/records/entrySharing';
import { unreadableField, type InvariantViolation } from '../../shared/records/invariants';
import { storedOutcomesViolation } from '../../shared/records/proposal';
import type { RecordModule } from '../../shared/records/recordModule';
import type { RecordHeader } from '../../shared/records/recordType';
import { HubError } from './hubError';

/*
 * The record invariants on the hub's write path: the same functions `create` and the mutators run
 * (shared/records/invariants.ts), on the whole state a push, a `/yjs` edit or a bundle would
 * leave. validateUpdate (in the worker) finds the violation; authorizeChange refuses it, after the
 * sender's right to make the change is settled, as `invariant-violated` naming the field.
 */

/**
 * The first invariant the state in `doc` (projected as `after`) breaks: a field stored unreadable,
 * then the type's own. `fieldsBefore` is the stored `fields` map before the change, null for a
 * record the hub does not hold yet.
 */
export function recordInvariantViolation(module: RecordModule, doc: Y.Doc, after: Record<string, unknown>, fieldsBefore: Readonly<Record<string, unknown>> | null): InvariantViolation | null {
  return unreadableField(doc, module.type === 'entry' ? { ...after, ...storedSharingOf(doc) } : after) ?? (module.type === 'entry' ? entryStoredViolation(doc, after, fieldsBefore) : null) ?? (module.type === 'proposal' ? storedOutcomesViolation(doc) : null) ?? storedAttachmentsViolation(doc) ?? module.invariants(after as never);
}

/**
 * An entry's sharing and status are read through its consent and review (entrySharing.ts), so the
 * strict write check above compares their stored values, and entrySharing.ts judges them.
 */
function entryStoredViolation(doc: Y.Doc, after: Record<string, unknown>, fieldsBefore: Readonly<Record<string, unknown>> | null): InvariantViolation | null {
  const read = { sharing: after['sharing'], status: after['status'] } as SharingFields;
  const consent = (after['attribution'] as { consent: string }).consent;
  return storedLabelsViolation(doc) ?? storedSharingViolation(storedSharingOf(doc), read, consent, fieldsBefore === null ? null : fieldsBefore['status']);
}

/** A refusal of a state that breaks an invariant: `error.field` names the projected field. */
export class InvariantViolatedError extends HubError {
  constructor(
    readonly field: string,
    message: string,
    recordId: string,
  ) {
    super('invariant-violated', message, recordId);
  }

  override toBody(): ReturnType<HubError['toBody']> & { error: { field: string } } {
    const body = super.toBody();
    return { error: { ...body.error, field: this.field } };
  }
}

export function assertInvariantsHold(header: RecordHeader, violation: InvariantViolation | null): void {
  if (violation) throw new InvariantViolatedError(violation.field, `this ${header.type} cannot be stored: ${violation.field}: ${violation.reason}`, header.id);
}
