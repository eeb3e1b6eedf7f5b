import { Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type * as Y from 'yjs';
import { formSectionsOf, isOptionalSection } from '../../shared/records/entryTemplates';
import { useNetwork } from '../data/useNetwork';
import { useSession } from '../session/SessionContext';
import { AutosaveTextInput } from '../forms/AutosaveTextInput';
import { RichTextField } from '../forms/RichTextField';
import type { EntryFormProps } from './entryFormProps';

/**
 * The entry's words: title and summary, its kind's template sections, the optional sections the
 * network has turned on (and any that hold text, turned on or not: nothing written is hidden), and
 * the full write-up.
 */
export function EntryTextPanel({ doc, p, canEdit, lang, saving, setFields, onRichTextChange }: EntryFormProps & { readonly doc: Y.Doc; readonly onRichTextChange: () => void }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const turnedOn = useNetwork(session.client)?.optionalSections ?? [];
  const { fieldErrors, dirty } = saving;
  const descriptionOf = (section: string): string | undefined => {
    if (!isOptionalSection(section)) return undefined;
    const help = t(`entry.sectionHelp.${section}`);
    return turnedOn.includes(section) ? help : `${help} ${t('editor.sectionTurnedOff')}`;
  };
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
          {formSectionsOf(p.kind, turnedOn, p.sections).map((section) => (
            <RichTextField
              key={section}
              doc={doc}
              field={`section.${section}`}
              label={t(`entry.section.${section}`)}
              description={descriptionOf(section)}
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
