import { Badge, Button, Group, Paper, SegmentedControl, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecordView } from '../../shared/client/client';
import { commentMutators, type CommentProjection } from '../../shared/records/comment';
import { isAllowed, ownershipOf } from '../../shared/rules/rules';
import { useObservable } from '../app/useObservable';
import { refusalText } from '../i18n/refusalText';
import { useOrgNames } from '../data/useOrgNames';
import { useSession } from '../session/SessionContext';
import { commentTree, type CommentNode } from './commentTree';
import { screenDateFormat } from '../i18n/dateTime';
import { shownTimes } from '../../shared/reports/recordTimes';

/**
 * Threaded comments and suggestions on a proposal or an entry: one record per comment, written only
 * by its organization. The secretariat can hide one with a reason (kept, never edited); a hidden
 * comment reaches only its organization and the secretariat, who see it marked with the reason.
 * A comment is read through its target: on a private draft (only its own organization can open
 * one) the thread says that its comments stay inside the organization.
 */
export function CommentThread({ targetId, isPrivateTarget = false }: { targetId: string; isPrivateTarget?: boolean }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const comments = useObservable(() => client.observe({ type: 'comment', refId: targetId, sort: 'updatedAt-asc' }), [client, targetId], []);
  const tree = useMemo(() => commentTree(comments.map((view) => ({ id: view.header.id, parentId: view.projection.parentId, createdAt: view.header.createdAt, comment: view }))), [comments]);
  const canWrite = isAllowed({ role: identity.role, type: 'comment', ownership: 'own', action: 'create' });

  return (
    <Paper withBorder p="md" radius="md" className="fw-comments" data-testid="comment-thread" data-target-id={targetId}>
      <Stack gap="sm">
        <Title order={2} size="h5">
          {t('governance.comments.title', { count: comments.length })}
        </Title>
        {tree.length === 0 && (
          <Text size="sm" c="dimmed" data-testid="comment-empty">
            {t('governance.comments.empty')}
          </Text>
        )}
        <ul className="fw-comment-list">
          {tree.map((node) => (
            <CommentItem key={node.id} node={node} targetId={targetId} depth={0} />
          ))}
        </ul>
        {/* A comment is as private as its target (rules.ts, readThroughTarget): say who will see it. */}
        {canWrite && isPrivateTarget && (
          <Text size="sm" c="dimmed" data-testid="comment-private-audience">
            {t('governance.comments.privateAudience')}
          </Text>
        )}
        {canWrite && <CommentForm targetId={targetId} parentId={null} />}
      </Stack>
    </Paper>
  );
}

const MAX_INDENT = 4;

function CommentItem({ node, targetId, depth }: { node: CommentNode<RecordView<CommentProjection>>; targetId: string; depth: number }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const orgNames = useOrgNames(client);
  const { header, projection: c } = node.comment;
  const [isReplying, setReplying] = useState(false);
  const [isHiding, setHiding] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const canModerate = isAllowed({ role: identity.role, type: 'comment', ownership: ownershipOf(identity, header.ownerOrg), action: 'moderate' });
  const canWrite = isAllowed({ role: identity.role, type: 'comment', ownership: 'own', action: 'create' });
  const dateFormat = screenDateFormat(i18n.language, 'dateTime');

  const run = async (change: () => Promise<void>) => {
    setError(null);
    try {
      await change();
      setHiding(false);
      setReason('');
    } catch (caught) {
      setError(refusalText(t, caught));
    }
  };

  return (
    <li className={`fw-comment fw-comment-depth-${Math.min(depth, MAX_INDENT)}`} data-testid="comment" data-comment-id={header.id} data-hidden={c.hidden ? 'true' : 'false'}>
      <Stack gap={4}>
        <Group gap="xs">
          <Text size="sm" fw={600}>
            {/* The author shown is the organization that owns the comment, never its free text. */}
            {orgNames.get(header.ownerOrg) ?? header.ownerOrg}
          </Text>
          {c.kind === 'suggestion' && (
            <Badge size="xs" variant="light">
              {t('governance.comments.suggestion')}
            </Badge>
          )}
          <Text size="xs" c="dimmed">
            {dateFormat.format(shownTimes(header, c).createdAt)}
          </Text>
        </Group>
        {c.hidden && (
          <Text size="xs" c="orange.8" data-testid="comment-hidden-notice">
            {t('governance.comments.hiddenNotice', { reason: c.hidden.reason })}
          </Text>
        )}
        <Text size="sm" className={`fw-comment-text${c.hidden ? ' fw-comment-text-hidden' : ''}`} data-testid="comment-text">
          {c.text}
        </Text>
        <Group gap="xs">
          {canWrite && (
            <Button size="compact-xs" variant="subtle" onClick={() => setReplying((v) => !v)} data-testid="comment-reply">
              {t('governance.comments.reply')}
            </Button>
          )}
          {canModerate && !c.hidden && (
            <Button size="compact-xs" variant="subtle" color="orange" onClick={() => setHiding((v) => !v)} data-testid="comment-hide">
              {t('governance.comments.hide')}
            </Button>
          )}
          {canModerate && c.hidden && (
            <Button size="compact-xs" variant="subtle" onClick={() => void run(() => client.mutate(header.id, commentMutators.unhide, undefined))} data-testid="comment-unhide">
              {t('governance.comments.unhide')}
            </Button>
          )}
        </Group>
        {isHiding && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (reason.trim()) void run(() => client.mutate(header.id, commentMutators.hide, reason.trim()));
            }}
          >
            <Group gap="xs" align="flex-end">
              <TextInput size="xs" className="fw-grow" label={t('governance.comments.hideReason')} value={reason} onChange={(event) => setReason(event.currentTarget.value)} maxLength={500} data-testid="comment-hide-reason" data-autofocus />
              <Button size="xs" color="orange" type="submit" disabled={!reason.trim()} data-testid="comment-hide-submit">
                {t('governance.comments.hideConfirm')}
              </Button>
            </Group>
          </form>
        )}
        {error && (
          <Text size="xs" c="red.8" role="alert">
            {error}
          </Text>
        )}
        {isReplying && <CommentForm targetId={targetId} parentId={header.id} onDone={() => setReplying(false)} />}
      </Stack>
      {node.replies.length > 0 && (
        <ul className="fw-comment-list">
          {node.replies.map((reply) => (
            <CommentItem key={reply.id} node={reply} targetId={targetId} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}

function CommentForm({ targetId, parentId, onDone }: { targetId: string; parentId: string | null; onDone?: () => void }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const [text, setText] = useState('');
  const [kind, setKind] = useState<'comment' | 'suggestion'>('comment');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const submit = async () => {
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      // No author name: readers are shown the owning organization's name (the hub checks any that is sent).
      await session.client.create('comment', { targetId, parentId, kind, text: text.trim() });
      setText('');
      onDone?.();
    } catch (caught) {
      setError(refusalText(t, caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      data-testid={parentId ? 'comment-reply-form' : 'comment-form'}
    >
      <Stack gap="xs">
        <Textarea label={parentId ? t('governance.comments.replyLabel') : t('governance.comments.newLabel')} value={text} onChange={(event) => setText(event.currentTarget.value)} autosize minRows={2} maxLength={8000} data-testid="comment-input" />
        <Group justify="space-between">
          <SegmentedControl
            size="xs"
            data={[
              { value: 'comment', label: t('governance.comments.kindComment') },
              { value: 'suggestion', label: t('governance.comments.kindSuggestion') },
            ]}
            value={kind}
            onChange={(value) => setKind(value as 'comment' | 'suggestion')}
            data-testid="comment-kind"
          />
          <Button size="xs" type="submit" loading={isBusy} disabled={!text.trim()} data-testid="comment-submit">
            {t('governance.comments.post')}
          </Button>
        </Group>
        {error && (
          <Text size="xs" c="red.8" role="alert">
            {error}
          </Text>
        )}
      </Stack>
    </form>
  );
}
