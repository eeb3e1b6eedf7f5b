import { Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type * as Y from 'yjs';
import { sectionsOf } from '../../shared/records/entryTemplates';
import { AutosaveTextInput } from '../forms/AutosaveTextInput';
import { RichTextField } from '../forms/RichTextField';
import type { EntryFormProps } from './entryFormProps';

/** The entry's words: title and summary, its kind's template sections, and the full write-up. */
export function EntryTextPanel({ doc, p, canEdit, lang, saving, setFields, onRichTextChange }: EntryFormProps & { readonly doc: Y.Doc; readonly onRichTextChange: () => void }) {
  const { t } = useTranslation();
  const { fieldErrors, dirty } = saving;
  return (
    <Stack gap="md" className="fw-editor-main">
      <Paper withBorder p="md" radius="md">
        <Stack gap="sm">
          <AutosaveTextInput
            label={t('editor.title')}
            value={p.title}
            onDirty={dirty('title')}
            onCommit={(title) => setFields('title', { title })}
            isReadOnly={!canEdit}
            error={fieldErrors['title']}
            testId="editor-title"
            lang={lang}
          />
          <AutosaveTextInput
            label={t('editor.summary')}
            value={p.summary}
            onDirty={dirty('summary')}
            onCommit={(summary) => setFields('summary', { summary })}
            isReadOnly={!canEdit}
            isMultiline
            error={fieldErrors['summary']}
            testId="editor-summary"
            lang={lang}
          />
        </Stack>
      </Paper>

      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h5" mb="xs">
          {t(`template.title.${p.kind}`)}
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          {t('editor.templateHelp')}
        </Text>
        <Stack gap="md">
          {sectionsOf(p.kind).map((section) => (
            <RichTextField
              key={section}
              doc={doc}
              field={`section.${section}`}
              label={t(`entry.section.${section}`)}
              isEditable={canEdit}
              onDidChangeLocally={onRichTextChange}
              testId={`editor-section-${section}`}
              lang={lang}
            />
          ))}
        </Stack>
      </Paper>

      <Paper withBorder p="md" radius="md">
        <RichTextField doc={doc} field="body" label={t('editor.body')} isEditable={canEdit} onDidChangeLocally={onRichTextChange} testId="editor-body" lang={lang} />
      </Paper>
    </Stack>
  );
}
