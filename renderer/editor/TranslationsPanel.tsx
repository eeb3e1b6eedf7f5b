import { Anchor, Button, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldwiseClient } from '../../shared/client/client';
import type { RecordHeader } from '../../shared/records/recordType';
import type { EntryProjection } from '../../shared/records/entry';
import { hrefOf } from '../app/route';
import { navigate } from '../app/useRoute';
import { refusalText } from '../i18n/refusalText';

interface TranslationsPanelProps {
  readonly header: RecordHeader;
  readonly p: EntryProjection;
  readonly canCreate: boolean;
  readonly client: FieldwiseClient;
}

/** The network's other language: entries are written in Chinese or English. */
export const otherLanguageOf = (language: string): string => (language.toLowerCase().startsWith('zh') ? 'en' : 'zh-CN');

/**
 * A translation's link to its original, or on an original the "Translate" action: a new entry of
 * one's own in the other language, linked to this one and naming the translator, a private draft
 * with its own review.
 */
export function TranslationsPanel({ header, p, canCreate, client }: TranslationsPanelProps) {
  const { t } = useTranslation();
  const [translator, setTranslator] = useState('');
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
  if (!canCreate) return null;
  const translate = async () => {
    try {
      const id = await client.create('entry', {
        kind: p.kind,
        title: p.title,
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
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h5" mb="xs">
        {t('translation.title')}
      </Title>
      <Stack gap="sm">
        <TextInput label={t('translation.translator')} value={translator} onChange={(event) => setTranslator(event.currentTarget.value)} data-testid="translation-translator" />
        <Button onClick={() => void translate()} disabled={translator.trim() === ''} data-testid="translate-entry">
          {t('translation.translate')}
        </Button>
      </Stack>
    </Paper>
  );
}
