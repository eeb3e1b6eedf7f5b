import type * as Y from 'yjs';
import { storedLabelsViolation } from '../../shared/records/entryLabels';
import { storedAttachmentsViolation } from '../../shared/records/attachments';
import { unreadableField, type InvariantViolation } from '../../shared/records/invariants';
import type { RecordModule } from '../../shared/records/recordModule';
import type { RecordHeader } from '../../shared/records/recordType';
import { HubError } from './hubError';

/*
 * The record invariants on the hub's write path: the same functions `create` and the mutators run
 * (shared/records/invariants.ts), on the whole state a push, a `/yjs` edit or a bundle would
 * leave. validateUpdate (in the worker) finds the violation; authorizeChange refuses it, after the
 * sender's right to make the change is settled, as `invariant-violated` naming the field.
 */

/** The first invariant the state in `doc` (projected as `after`) breaks: a field stored unreadable, then the type's own. */
export function recordInvariantViolation(module: RecordModule, doc: Y.Doc, after: Record<string, unknown>): InvariantViolation | null {
  return unreadableField(doc, after) ?? (module.type === 'entry' ? storedLabelsViolation(doc) : null) ?? storedAttachmentsViolation(doc) ?? module.invariants(after as never);
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
