import type { RuleFacts, TargetScope } from '../../shared/records/recordModule';
import type { RecordHeader } from '../../shared/records/recordType';
import { attachedTargetOf } from '../../shared/rules/rules';
import type { RecordWrite } from './hubStorage';

/*
 * The facts an attached record (a comment: shared/rules/rules.ts, readThroughTarget) is stored
 * with: its own, plus its target's read scope as stored at commit time. Both adapters compute them
 * here inside their commit transaction, so a concurrent change of the target cannot slip between
 * reading the target and storing the comment; and when a commit changes a record's facts, each
 * record attached to it is stored again with the new scope under a new seq, so a pull withdraws it
 * from readers who lost the target (or sends it whole to those who gained it).
 */

/** What an adapter knows about a target row: its header and its stored facts. */
export interface TargetRow {
  readonly header: RecordHeader;
  readonly facts: RuleFacts;
}

/** The target's id this write is attached to, or null for a record read on its own. */
export function attachedToOf(write: Pick<RecordWrite, 'header' | 'projection'>): string | null {
  return attachedTargetOf(write.header.type, write.projection);
}

function scopeOf(targetId: string, target: TargetRow | null): TargetScope {
  // A target that is itself attached is not a valid target (rules say so); its own scope is left out.
  if (!target) return { id: targetId, type: null, ownerOrg: null, facts: {} };
  const { target: _nested, ...facts } = target.facts;
  return { id: targetId, type: target.header.type, ownerOrg: target.header.ownerOrg, facts };
}

/** The facts to store for a record: its own, with its target's scope where it is attached. */
export function storedFacts(own: RuleFacts, targetId: string | null, target: TargetRow | null): RuleFacts {
  const { target: _ignored, ...ownFacts } = own;
  return targetId === null ? ownFacts : { ...ownFacts, target: scopeOf(targetId, target) };
}
