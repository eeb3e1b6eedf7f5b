import { Alert, Badge, Group } from '@mantine/core';
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { usePopupComponents } from '../app/usePopupComponents';
import { labelText, noticeKeyOf, noticeLabels, ownerOnlyLabelIds, type EntryLabel } from '../../shared/records/entryLabels';

/*
 * An entry's sharing and cultural labels wherever the entry is shown (library list, entry view):
 * a badge per label with the community's words in the reader's language, and the notice of a
 * seasonal, women-restricted or men-restricted label spelled out, never only a badge.
 */

export function EntryLabelBadges({ labels }: { labels: readonly EntryLabel[] | undefined }) {
  const { t, i18n } = useTranslation();
  // Drawn in rows already on screen: the tooltips' code loads now, and the badges wait for nothing.
  const popups = usePopupComponents();
  if (!labels || labels.length === 0) return null;
  return (
    <Group gap={4} wrap="wrap" data-testid="entry-labels">
      {labels.map((label) => {
        const badge = (
          <Badge size="sm" variant="outline" color={ownerOnlyLabelIds.includes(label.id) ? 'red' : 'grape'} data-testid="entry-label" data-label-id={label.id}>
            {t(`labels.name.${label.id}`)}
          </Badge>
        );
        return popups ? (
          <popups.Tooltip key={label.id} label={labelText(label, i18n.language) || t(`labels.meaning.${label.id}`)} multiline maw={320} withinPortal>
            {badge}
          </popups.Tooltip>
        ) : (
          <Fragment key={label.id}>{badge}</Fragment>
        );
      })}
    </Group>
  );
}

/** The notice labels' notices in words (seasonal, women or men restricted), for the list row and the entry view. */
export function EntryLabelNotices({ labels, isCompact = false }: { labels: readonly EntryLabel[] | undefined; isCompact?: boolean }) {
  const { t, i18n } = useTranslation();
  const notices = noticeLabels(labels ?? []);
  if (notices.length === 0) return null;
  return (
    <>
      {notices.map((label) => {
        const text = t(`labels.notice.${noticeKeyOf(label.id)}`, { text: labelText(label, i18n.language) || t(`labels.meaning.${label.id}`) });
        const testId = label.id === 'tk-seasonal' ? 'entry-seasonal-notice' : 'entry-audience-notice';
        return isCompact ? (
          <Badge key={label.id} size="sm" variant="light" color="orange" className="fw-label-notice" data-testid={testId} data-label-id={label.id} style={{ textTransform: 'none', maxWidth: '100%' }}>
            {text}
          </Badge>
        ) : (
          <Alert key={label.id} color="orange" variant="light" data-testid={testId} data-label-id={label.id}>
            {text}
          </Alert>
        );
      })}
    </>
  );
}
