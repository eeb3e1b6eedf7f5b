import type { RuleFacts, TargetScope } from '../../shared/records/recordModule';
import type { RecordHeader } from '../../shared/records/recordType';
import { attachedTargetOf } from '../../shared/rules/rules';
import type { RecordWrite } from './hubStorage';

/*
 * The facts an attached record (a comment: shared/rules/rules.ts, readThroughTarget) is stored
 * with: its own, plus its target's read scope as stored at commit time. Both adapters compute them
 * here inside their commit transaction, so a concurrent change of the target cannot slip between
 * reading the target and storing the comment; and when a commit changes a record's facts, each
 * record attached to it is stored again with the new scope under a new seq, and so on down the
 * chain (a comment on a translation when the original changes), so a pull withdraws it from
 * readers who lost the target (or sends it whole to those who gained it).
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
  // The target's stored facts whole, its own target's scope included: a comment on a translation
  // is read through the translation and, through it, its original (rules.ts, readThroughTarget).
  if (!target) return { id: targetId, type: null, ownerOrg: null, facts: {} };
  return { id: targetId, type: target.header.type, ownerOrg: target.header.ownerOrg, facts: target.facts };
}

/** The facts to store for a record: its own, with its target's scope where it is attached. */
export function storedFacts(own: RuleFacts, targetId: string | null, target: TargetRow | null): RuleFacts {
  const { target: _ignored, ...ownFacts } = own;
  return targetId === null ? ownFacts : { ...ownFacts, target: scopeOf(targetId, target) };
}
