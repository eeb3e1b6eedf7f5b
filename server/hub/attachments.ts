import { attachedTargetOf, canRead, readThroughTarget, type Actor } from '../../shared/rules/rules';
import type { RecordLog, RecordWrite } from '../storage/hubStorage';
import { HubError } from './hubError';

/*
 * A record read through its target (a comment: shared/rules/rules.ts, readThroughTarget) may only
 * be written by someone who may read that target: commenting on another organization's private
 * draft, or moderating a comment under one, is refused. A target the hub does not hold yet (an
 * entry still in the writer's outbox behind its comment) is no refusal: until it arrives the
 * comment is read by its own organization only, and it takes the target's scope when the target
 * is committed (server/storage/attachedFacts.ts). A translation's link to its original is checked
 * by translationOrigin.ts instead, which refuses an original the hub does not hold as well.
 */
export async function assertTargetReadable(storage: Pick<RecordLog, 'getRecord'>, actor: Actor, write: RecordWrite, batch: readonly { readonly write: RecordWrite | null }[]): Promise<void> {
  const targetId = attachedTargetOf(write.header.type, write.projection);
  const rule = readThroughTarget[write.header.type];
  if (targetId === null || !rule || rule.isOptional) return;
  const target = batch.find((held) => held.write?.header.id === targetId)?.write ?? (await storage.getRecord(targetId));
  if (!target) return;
  if (!rule.targetTypes.includes(target.header.type) || !canRead(actor, target.header, target.facts)) {
    // One answer for "not a valid target" and "not yours to read": the refusal says nothing of what the id holds.
    throw new HubError('forbidden', `a ${write.header.type} may only be on a ${rule.targetTypes.join(' or ')} its writer may read`, write.header.id);
  }
}
