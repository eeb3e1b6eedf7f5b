import { canRead, type Actor } from '../../shared/rules/rules';
import type { RecordLog, RecordWrite } from '../storage/hubStorage';
import { HubError } from './hubError';

/*
 * A translation's `translation.of` names the entry it translates (shared/records/entryTranslation.ts).
 * When a write sets or changes that link, the original must be an entry the writer may read, held
 * by the hub or in the same batch: linking to an id that is no entry, or to another organization's
 * private draft, is refused. Both get the same answer, so the refusal says nothing of what the id
 * holds. The original must be no translation itself: a translation is read through its original
 * (shared/rules/rules.ts, readThroughTarget), and a chain of them could loop. A link already stored
 * is not checked again; the translation's readers are its original's from then on, so the
 * original going private (its consent withdrawn, a TK Secret/Sacred label) withdraws the
 * translation from everyone but the original's owner, its translator included.
 */
const linkOf = (projection: Readonly<Record<string, unknown>> | null | undefined): string | null => {
  const translation = projection?.['translation'] as { of?: unknown } | null | undefined;
  return typeof translation?.of === 'string' ? translation.of : null;
};

export async function assertTranslationOriginReadable(
  storage: Pick<RecordLog, 'getRecord'>,
  actor: Actor,
  write: RecordWrite,
  before: Readonly<Record<string, unknown>> | null,
  batch: readonly { readonly write: RecordWrite | null }[],
): Promise<void> {
  if (write.header.type !== 'entry') return;
  const of = linkOf(write.projection);
  if (of === null || of === linkOf(before)) return;
  const original = batch.find((held) => held.write?.header.id === of)?.write ?? (await storage.getRecord(of));
  if (of === write.header.id || !original || original.header.type !== 'entry' || !canRead(actor, original.header, original.facts) || linkOf(original.projection) !== null) {
    throw new HubError('forbidden', 'a translation links to an entry its writer may read', write.header.id);
  }
}
