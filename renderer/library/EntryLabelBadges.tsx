import { Alert, Badge, Group, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { labelText, noticeLabels, ownerOnlyLabelIds, type EntryLabel } from '../../shared/records/entryLabels';

/*
 * An entry's sharing and cultural labels wherever the entry is shown (library list, entry view):
 * a badge per label with the community's words in the reader's language, and the notice of a
 * seasonal label spelled out, never only a badge.
 */

export function EntryLabelBadges({ labels }: { labels: readonly EntryLabel[] | undefined }) {
  const { t, i18n } = useTranslation();
  if (!labels || labels.length === 0) return null;
  return (
    <Group gap={4} wrap="wrap" data-testid="entry-labels">
      {labels.map((label) => (
        <Tooltip key={label.id} label={labelText(label, i18n.language) || t(`labels.meaning.${label.id}`)} multiline maw={320} withinPortal>
          <Badge size="sm" variant="outline" color={ownerOnlyLabelIds.includes(label.id) ? 'red' : 'grape'} data-testid="entry-label" data-label-id={label.id}>
            {t(`labels.name.${label.id}`)}
          </Badge>
        </Tooltip>
      ))}
    </Group>
  );
}

/** The seasonal notice (and any other notice label) in words, for the list row and the entry view. */
export function EntryLabelNotices({ labels, isCompact = false }: { labels: readonly EntryLabel[] | undefined; isCompact?: boolean }) {
  const { t, i18n } = useTranslation();
  const notices = noticeLabels(labels ?? []);
  if (notices.length === 0) return null;
  return (
    <>
      {notices.map((label) => {
        const text = t('labels.notice.seasonal', { text: labelText(label, i18n.language) || t(`labels.meaning.${label.id}`) });
        return isCompact ? (
          <Badge key={label.id} size="sm" variant="light" color="orange" className="fw-label-notice" data-testid="entry-seasonal-notice" style={{ textTransform: 'none', maxWidth: '100%' }}>
            {text}
          </Badge>
        ) : (
          <Alert key={label.id} color="orange" variant="light" data-testid="entry-seasonal-notice">
            {text}
          </Alert>
        );
      })}
    </>
  );
}
