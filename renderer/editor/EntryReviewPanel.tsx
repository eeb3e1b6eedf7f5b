import { Alert, Badge, Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldwiseClient } from '../../shared/client/client';
import { entry, type EntryProjection } from '../../shared/records/entry';
import { submitAuthorText } from '../../shared/client/authorText';
import { entryReviewMutators, hasChangesSinceEndorsed, isSameText, latestSubmission, reviewStateOf, versionOf, type ReviewState, type VersionFields } from '../../shared/records/entryReview';
import type { AuthorStep, ReviewStep } from '../../shared/records/entryReviewSchema';
import { isStewardAuthorized } from '../../shared/records/network';
import type { Mutator } from '../../shared/records/recordModule';
import type { RecordHeader } from '../../shared/records/recordType';
import { isAllowed, ownershipOf } from '../../shared/rules/rules';
import { useNetwork } from '../data/useNetwork';
import { screenDateFormat } from '../i18n/dateTime';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';
import { VersionText } from './EntryVersionsPanel';

/*
 * The review of an entry, on the entry: where it stands, the thread of steps (who, when, the note),
 * and what this person may do next — the author submits or replies; a reviewer (the secretariat,
 * a steward the secretariat granted the review scope, never of the entry's own organization)
 * comments, requests changes with a note, or endorses the submitted version. Every step is a local
 * write that syncs when it can. Once the entry is endorsed the author writes in its draft
 * (entryDraft.ts): submitting copies the draft into the entry, in the same change.
 */

export const reviewStateColor: Record<ReviewState, string> = { none: 'gray', submitted: 'yellow', 'changes-requested': 'orange', endorsed: 'teal' };

type ThreadStep = (AuthorStep | ReviewStep) & { readonly side: 'author' | 'reviewer' };

export function threadOf(p: EntryProjection): ThreadStep[] {
  return [...p.authorSteps.map((step) => ({ ...step, side: 'author' as const })), ...p.reviewSteps.map((step) => ({ ...step, side: 'reviewer' as const }))].sort((a, b) => a.at - b.at);
}

/** Whether this person may review `header`'s entry now, and if not, why (null: not a reviewer at all). */
export function useReviewerStanding(header: RecordHeader, p: EntryProjection): 'reviewer' | 'own' | 'no-scope' | null {
  const { session } = useSession();
  const network = useNetwork(session.client);
  const { identity } = session.profile;
  if (identity.role !== 'secretariat' && identity.role !== 'steward') return null;
  if (identity.orgId === header.ownerOrg) return 'own';
  if (!isAllowed({ role: identity.role, type: 'entry', ownership: ownershipOf(identity, header.ownerOrg), action: 'review' }, entry.facts(p))) return null;
  if (identity.role === 'steward' && !(network && isStewardAuthorized(network, identity.orgId, 'review'))) return 'no-scope';
  return 'reviewer';
}

export function EntryReviewPanel({ header, p, draft, canEdit, orgNames, client }: { header: RecordHeader; p: EntryProjection; draft: VersionFields | null; canEdit: boolean; orgNames: ReadonlyMap<string, string>; client: FieldwiseClient }) {
  const { t, i18n } = useTranslation();
  const [note, setNote] = useState('');
  const [isBusy, setBusy] = useState(false);
  const standing = useReviewerStanding(header, p);
  const state = reviewStateOf(p);
  const isChanged = hasChangesSinceEndorsed(p, draft);
  const dateFormat = screenDateFormat(i18n.language, 'dateTime');
  const thread = threadOf(p);

  const run = async (mutator: Mutator<string>, arg: string) => step(() => client.mutate(header.id, mutator, arg));
  const step = async (change: () => Promise<void>) => {
    setBusy(true);
    try {
      await change();
      setNote('');
    } catch (error) {
      notifications.show({ color: 'red', title: t('review.failed'), message: refusalText(t, error) });
    } finally {
      setBusy(false);
    }
  };

  const canSubmit = canEdit && p.sharing !== 'private' && (state === 'none' || state === 'changes-requested' || (state === 'endorsed' && isChanged));
  const isReviewer = standing === 'reviewer';
  // Endorse pins the submission's copy: where the author has typed on since, the reviewer reads
  // what it would endorse, not only the live text beside the panel.
  const submission = state === 'submitted' ? latestSubmission(p) : null;
  const isChangedSinceSubmitted = submission !== null && !isSameText(versionOf(p), submission.version);
  return (
    <Paper withBorder p="md" radius="md" data-testid="entry-review" data-review-state={state} data-changes-in-draft={isChanged ? 'true' : 'false'}>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5">
          {t('review.title')}
        </Title>
        <Badge color={reviewStateColor[state]} variant="light" data-testid="review-state">
          {isChanged && state === 'endorsed' ? t('review.changesInDraft') : t(`review.state.${state}`)}
        </Badge>
      </Group>
      <Stack gap="xs">
        <Text size="xs" fw={600}>
          {t('review.thread')}
        </Text>
        {thread.length === 0 && (
          <Text size="xs" c="dimmed">
            {t('review.empty')}
          </Text>
        )}
        {thread.map((step) => (
          <div key={`${step.side}-${step.id}`} className="fw-review-step" data-testid="review-step" data-kind={step.kind}>
            <Text size="xs" fw={500}>
              {t(`review.step.${step.kind}`, { org: orgNames.get(step.byOrg) ?? step.byOrg })} · {dateFormat.format(step.at)}
            </Text>
            {step.note && (
              <Text size="xs" c="dimmed" className="fw-review-note" lang={p.language === 'und' ? undefined : p.language}>
                {step.note}
              </Text>
            )}
          </div>
        ))}

        {canEdit && p.sharing === 'private' && (
          <Text size="xs" c="dimmed" data-testid="review-share-first">
            {t('review.shareFirst')}
          </Text>
        )}
        {canEdit && state === 'submitted' && (
          <Text size="xs" c="dimmed">
            {t('review.waiting')}
          </Text>
        )}
        {standing === 'own' && (
          <Text size="xs" c="dimmed">
            {t('review.ownEntry')}
          </Text>
        )}
        {standing === 'no-scope' && (
          <Text size="xs" c="dimmed" data-testid="review-no-scope">
            {t('review.noScope')}
          </Text>
        )}
        {isReviewer && (
          <Text size="xs" c="dimmed">
            {t('review.reviewerHelp')}
          </Text>
        )}
        {isReviewer && submission && isChangedSinceSubmitted && (
          <Alert color="orange" p="xs" data-testid="review-submitted-changed">
            <Stack gap="xs">
              <Text size="xs">{t('review.submittedChanged')}</Text>
              <VersionText version={submission.version} lang={p.language === 'und' ? undefined : p.language} testId="review-submitted-version" />
            </Stack>
          </Alert>
        )}
        {(canEdit || isReviewer) && p.sharing !== 'private' && (
          <>
            <Textarea size="xs" label={t('review.note')} placeholder={isReviewer ? t('review.reviewerPlaceholder') : t('review.notePlaceholder')} value={note} onChange={(event) => setNote(event.currentTarget.value)} autosize minRows={2} data-testid="review-note" />
            <Group gap="xs">
              {canSubmit && (
                <Button size="xs" disabled={isBusy} onClick={() => void step(() => submitAuthorText(client, header.id, note))} data-testid="review-submit">
                  {state === 'none' ? t('review.submit') : t('review.resubmit')}
                </Button>
              )}
              {canEdit && state !== 'none' && (
                <Button size="xs" variant="light" disabled={isBusy || note.trim() === ''} onClick={() => void run(entryReviewMutators.replyInReview, note)} data-testid="review-reply">
                  {t('review.reply')}
                </Button>
              )}
              {isReviewer && (
                <>
                  <Button size="xs" variant="light" disabled={isBusy || note.trim() === ''} onClick={() => void run(entryReviewMutators.commentOnReview, note)} data-testid="review-comment">
                    {t('review.comment')}
                  </Button>
                  {state === 'submitted' && (
                    <>
                      <Button size="xs" color="orange" variant="light" disabled={isBusy || note.trim() === ''} title={note.trim() === '' ? t('review.needsNote') : undefined} onClick={() => void run(entryReviewMutators.requestChanges, note)} data-testid="review-request-changes">
                        {t('review.requestChanges')}
                      </Button>
                      <Button size="xs" color="teal" disabled={isBusy} onClick={() => void run(entryReviewMutators.endorseSubmission, note)} data-testid="review-endorse">
                        {t('review.endorse')}
                      </Button>
                    </>
                  )}
                </>
              )}
            </Group>
          </>
        )}
      </Stack>
    </Paper>
  );
}
