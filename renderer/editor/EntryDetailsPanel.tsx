import { Paper, Select, Stack, TagsInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { entryKinds, entryMutators, sharingLabels } from '../../shared/records/entry';
import { AutosaveTextInput } from '../forms/AutosaveTextInput';
import { formatRegion, parseRegion } from '../../shared/records/region';
import { RegionPicker, useRegionOptions } from '../admin/RegionPicker';
import { useSession } from '../session/SessionContext';
import type { EntryFormProps } from './entryFormProps';

const languageOptions = ['zh-CN', 'en', 'bo', 'ug', 'ii', 'za'] as const;

/** Kind, sharing, tags, region, language and author: what the library filters and sorts by. */
export function EntryDetailsPanel({ id, p, canEdit, saving, setFields }: EntryFormProps & { readonly id: string }) {
  const { t } = useTranslation();
  const { client } = useSession().session;
  const { fieldErrors, save, dirty } = saving;
  const regions = useRegionOptions(client);
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Select
          label={t('editor.kind')}
          data={entryKinds.map((value) => ({ value, label: t(`entry.kind.${value}`) }))}
          value={p.kind}
          onChange={(kind) => kind && setFields('kind', { kind: kind as (typeof entryKinds)[number] })}
          readOnly={!canEdit}
          allowDeselect={false}
          data-testid="editor-kind"
        />
        <Select
          label={t('editor.sharing')}
          description={t(`entry.sharingHelp.${p.sharing}`)}
          data={sharingLabels.map((value) => ({ value, label: t(`entry.sharing.${value}`) }))}
          value={p.sharing}
          onChange={(sharing) => {
            if (!sharing) return;
            // The record refuses this too; saying so first keeps the doc untouched.
            if (sharing !== 'private' && p.attribution.consent === 'pending') {
              saving.refuse('sharing', t('refusals.consentNeeded'));
              return;
            }
            save('sharing', () => client.mutate(id, entryMutators.setSharing, sharing as (typeof sharingLabels)[number]));
          }}
          readOnly={!canEdit}
          allowDeselect={false}
          error={fieldErrors['sharing']}
          data-testid="editor-sharing"
        />
        <TagsInput
          label={t('editor.tags')}
          description={t('editor.tagsHelp')}
          value={p.tags}
          onChange={(tags) => save('tags', () => client.mutate(id, entryMutators.setTags, tags))}
          readOnly={!canEdit}
          error={fieldErrors['tags']}
          data-testid="editor-tags"
        />
        {regions.options.length > 0 ? (
          <RegionPicker label={t('editor.region')} options={regions.options} tree={regions.tree} value={p.region} onChange={(region) => setFields('region', { region })} readOnly={!canEdit} error={fieldErrors['region']} testId="editor-region" />
        ) : (
          <AutosaveTextInput
            label={t('editor.region')}
            description={t('editor.regionHelp')}
            value={formatRegion(p.region)}
            onDirty={dirty('region')}
            onCommit={(text) => setFields('region', { region: parseRegion(text) })}
            isReadOnly={!canEdit}
            error={fieldErrors['region']}
            testId="editor-region"
          />
        )}
        <Select
          label={t('editor.language')}
          data={[...new Set([...languageOptions, ...(p.language === 'und' ? [] : [p.language])])].map((value) => ({ value, label: t(`languages.${value}`, { defaultValue: value }) }))}
          value={p.language === 'und' ? null : p.language}
          onChange={(language) => language && setFields('language', { language })}
          readOnly={!canEdit}
          allowDeselect={false}
          data-testid="editor-language"
        />
        <AutosaveTextInput
          label={t('editor.author')}
          description={t('editor.authorHelp')}
          value={p.author}
          onDirty={dirty('author')}
          onCommit={(author) => setFields('author', { author })}
          isReadOnly={!canEdit}
          error={fieldErrors['author']}
          testId="editor-author"
        />
      </Stack>
    </Paper>
  );
}
