import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { EntryProjection } from '../../shared/records/entry';
import { isOwnerOnly } from '../../shared/records/entryLabels';
import { hasChangesSinceEndorsed, reviewStateOf, type VersionFields } from '../../shared/records/entryReview';

/**
 * An entry's status as its readers should take it. A TK Secret/Sacred entry stays with its own
 * organization whatever its sharing says (the hub serves it to no one else), so it never reads
 * "Shared": that would tell the author the knowledge left when it did not. `draft` is the author's
 * draft of an endorsed entry (entryDraft.ts), where this device holds one.
 */
export function EntryStatusBadge({ p, draft = null, size, testId }: { p: EntryProjection; draft?: VersionFields | null; size?: 'sm'; testId: string }) {
  const { t } = useTranslation();
  const isKeptHome = p.status !== 'draft' && isOwnerOnly(p.labels ?? []);
  const color = isKeptHome ? 'red' : p.status === 'endorsed' ? 'teal' : p.status === 'shared' ? 'blue' : 'gray';
  // Changes sent for review are no longer a draft: the reviewers' queue holds them.
  const changesLabel = reviewStateOf(p) === 'submitted' ? t('review.changesSubmitted') : t('review.changesInDraft');
  const label = isKeptHome ? t('entry.status.ownerOnly') : p.status === 'endorsed' && hasChangesSinceEndorsed(p, draft) ? changesLabel : t(`entry.status.${p.status}`);
  return (
    <Badge size={size} variant="dot" color={color} data-testid={testId} data-status={isKeptHome ? 'owner-only' : p.status}>
      {label}
    </Badge>
  );
}
