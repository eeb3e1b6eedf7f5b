import { Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type * as Y from 'yjs';
import type { EntryProjection } from '../../shared/records/entry';
import type { RecordHeader } from '../../shared/records/recordType';
import { editSessionCount } from './editSessions';
import { screenDateFormat } from '../i18n/dateTime';

/** Who worked on the entry: its organization, when, in how many editing sessions, and its reviews. */
export function EntryHistoryPanel({ doc, header, p, orgNames }: { doc: Y.Doc; header: RecordHeader; p: EntryProjection; orgNames: ReadonlyMap<string, string> }) {
  const { t, i18n } = useTranslation();
  const dateFormat = screenDateFormat(i18n.language, 'dateTime');
  const reviewers = [...new Set(p.reviewNotes.map((note) => orgNames.get(note.byOrg) ?? note.byOrg))];
  // Read on every render: the projection changes with every update to the doc.
  const sessions = editSessionCount(doc);
  return (
    <Paper withBorder p="md" radius="md" data-testid="editor-history">
      <Title order={2} size="h5" mb="xs">
        {t('editor.history')}
      </Title>
      <Stack gap={4}>
        <Text size="xs">{t('editor.ownedBy', { org: orgNames.get(header.ownerOrg) ?? header.ownerOrg })}</Text>
        <Text size="xs">{t('editor.created', { time: dateFormat.format(p.createdAt) })}</Text>
        <Text size="xs">{t('editor.updated', { time: dateFormat.format(p.updatedAt) })}</Text>
        <Text size="xs" data-testid="edit-sessions" data-count={sessions}>
          {t('editor.sessions', { count: sessions })}
        </Text>
        {reviewers.length > 0 && <Text size="xs">{t('editor.reviewedBy', { orgs: reviewers.join(', ') })}</Text>}
        {p.reviewNotes.map((note, index) => (
          <Text key={index} size="xs" c="dimmed" className="fw-review-note">
            {t('editor.reviewNote', { org: orgNames.get(note.byOrg) ?? note.byOrg, text: note.text })}
          </Text>
        ))}
      </Stack>
    </Paper>
  );
}
