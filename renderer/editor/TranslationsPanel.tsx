import { Anchor, Badge, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldwiseClient, RecordView } from '../../shared/client/client';
import { hasChangesSinceEndorsed, pinnedForReader } from '../../shared/records/entryReview';
import type { RecordHeader } from '../../shared/records/recordType';
import type { EntryProjection } from '../../shared/records/entry';
import { hrefOf } from '../app/route';
import { navigate } from '../app/useRoute';
import { refusalText } from '../i18n/refusalText';
import { EntryLabelNotices } from '../library/EntryLabelBadges';

interface TranslationsPanelProps {
  readonly header: RecordHeader;
  readonly p: EntryProjection;
  readonly canCreate: boolean;
  readonly client: FieldwiseClient;
  /** The reader's organization: another organization translates the endorsed version, as it reads it. */
  readonly readerOrg: string;
}

/** The translations of `originalId` this device holds (an entry's index `refId` is the original it translates). */
function useTranslationsOf(client: FieldwiseClient, originalId: string): readonly RecordView<EntryProjection>[] {
  const [views, setViews] = useState<readonly RecordView<EntryProjection>[]>([]);
  useEffect(() => {
    const subscription = client.observe({ type: 'entry', refId: originalId, sort: 'updatedAt-desc', limit: 50 }).subscribe({ next: (found) => setViews(found) });
    return () => subscription.unsubscribe();
  }, [client, originalId]);
  return views;
}

/** The network's other language: entries are written in Chinese or English. */
export const otherLanguageOf = (language: string): string => (language.toLowerCase().startsWith('zh') ? 'en' : 'zh-CN');

/**
 * A translation's link to its original, or on an original the "Translate" action: a new entry of
 * one's own in the other language, linked to this one and naming the translator, a private draft
 * with its own review.
 */
export function TranslationsPanel({ header, p, canCreate, client, readerOrg }: TranslationsPanelProps) {
  const { t } = useTranslation();
  const [translator, setTranslator] = useState('');
  const translations = useTranslationsOf(client, header.id);
  if (p.translation) {
    return (
      <Paper withBorder p="md" radius="md" data-testid="entry-translation-of">
        <Text size="sm">
          {t('translation.translatedBy', { translator: p.translation.translator })}{' '}
          <Anchor href={hrefOf({ screen: 'entry', id: p.translation.of })}>{t('translation.original')}</Anchor>
        </Text>
      </Paper>
    );
  }
  if (!canCreate && translations.length === 0) return null;
  const translate = async () => {
    try {
      const id = await client.create('entry', {
        kind: p.kind,
        title: pinnedForReader(p, readerOrg, header.ownerOrg)?.version.title ?? p.title,
        language: otherLanguageOf(p.language),
        attribution: p.attribution,
        translation: { of: header.id, translator: translator.trim() },
      });
      navigate({ screen: 'entry', id });
    } catch (error) {
      notifications.show({ color: 'red', title: t('errors.createFailed'), message: refusalText(t, error) });
    }
  };
  return (
    <Paper withBorder p="md" radius="md" data-testid="entry-translations">
      <Title order={2} size="h5" mb="xs">
        {t('translation.title')}
      </Title>
      <Stack gap="sm">
        {translations.map(({ header: translated, projection: tp }) => (
          <Group key={translated.id} gap="xs" data-testid="entry-translation" data-entry-id={translated.id}>
            <Anchor href={hrefOf({ screen: 'entry', id: translated.id })} size="sm" lang={tp.language === 'und' ? undefined : tp.language}>
              {tp.title || t('editor.untitled')}
            </Anchor>
            <Badge size="sm" variant="outline">
              {tp.language}
            </Badge>
            <Text size="xs" c="dimmed">
              {t('translation.translatedBy', { translator: tp.translation?.translator ?? '' })}
            </Text>
            <Badge size="sm" variant="dot" color={tp.status === 'endorsed' ? 'teal' : tp.status === 'shared' ? 'blue' : 'gray'}>
              {tp.status === 'endorsed' && hasChangesSinceEndorsed(tp) ? t('review.changesInDraft') : t(`entry.status.${tp.status}`)}
            </Badge>
            {/* Its notices in words, as on every screen that shows an entry. */}
            <EntryLabelNotices labels={tp.labels} isCompact />
          </Group>
        ))}
        {canCreate && (
          <>
            <TextInput label={t('translation.translator')} value={translator} onChange={(event) => setTranslator(event.currentTarget.value)} data-testid="translation-translator" />
            <Button onClick={() => void translate()} disabled={translator.trim() === ''} data-testid="translate-entry">
              {t('translation.translate')}
            </Button>
          </>
        )}
      </Stack>
    </Paper>
  );
}
