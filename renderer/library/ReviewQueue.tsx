import { Anchor, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecordView } from '../../shared/client/client';
import type { EntryProjection } from '../../shared/records/entry';
import { isAwaitingReview } from '../../shared/records/entryReview';
import { isStewardAuthorized } from '../../shared/records/network';
import { hrefOf } from '../app/route';
import { useNetwork } from '../data/useNetwork';
import { useSession } from '../session/SessionContext';
import { EntryLabelNotices } from './EntryLabelBadges';

/** How many recently changed entries the queue looks through: a submission changes its entry, so it is among them. */
const QUEUE_SCAN = 1000;

/**
 * The review queue, for reviewers only (the secretariat, a steward granted the review scope):
 * other organizations' shared entries whose latest submission waits for an answer. Read from the
 * local store, so it works offline; what was answered on another device leaves it once synced.
 * Each item spells out its entry's notices (seasonal, women or men restricted), as everywhere the
 * entry is shown: a reviewer is a reader too.
 */
export function ReviewQueue({ orgNames }: { orgNames: ReadonlyMap<string, string> }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const network = useNetwork(client);
  const isReviewer = identity.role === 'secretariat' || (identity.role === 'steward' && network !== null && isStewardAuthorized(network, identity.orgId, 'review'));
  const [waiting, setWaiting] = useState<readonly RecordView<EntryProjection>[]>([]);
  useEffect(() => {
    if (!isReviewer) return;
    const subscription = client.observe({ type: 'entry', sort: 'updatedAt-desc', limit: QUEUE_SCAN }).subscribe({
      next: (views) => setWaiting((views as RecordView<EntryProjection>[]).filter((view) => view.header.ownerOrg !== identity.orgId && isAwaitingReview(view.projection))),
      error: () => undefined,
    });
    return () => subscription.unsubscribe();
  }, [client, isReviewer, identity.orgId]);
  if (!isReviewer) return null;
  return (
    <Paper withBorder p="sm" radius="md" data-testid="review-queue" data-count={waiting.length}>
      <Title order={2} size="h6">
        {t('review.queue.title')} ({waiting.length})
      </Title>
      <Text size="xs" c="dimmed" mb={4}>
        {waiting.length === 0 ? t('review.queue.empty') : t('review.queue.help')}
      </Text>
      <Stack gap={2}>
        {waiting.map((view) => (
          <Stack key={view.header.id} gap={2} align="flex-start" data-testid="review-queue-row" data-entry-id={view.header.id}>
            <Anchor size="sm" href={hrefOf({ screen: 'entry', id: view.header.id })} data-testid="review-queue-item" data-entry-id={view.header.id} lang={view.projection.language === 'und' ? undefined : view.projection.language}>
              {view.projection.title || t('editor.untitled')} · {orgNames.get(view.header.ownerOrg) ?? view.header.ownerOrg}
            </Anchor>
            <EntryLabelNotices labels={view.projection.labels} isCompact />
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}
