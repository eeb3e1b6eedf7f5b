import { Paper, Select, Stack, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { consentLevels, type Attribution } from '../../shared/records/entry';
import { AutosaveTextInput } from '../forms/AutosaveTextInput';
import type { EntryFormProps } from './entryFormProps';

/** Whose knowledge it is, and whether they consented to its sharing beyond the organization. */
export function AttributionPanel({ p, canEdit, saving, setAttribution }: EntryFormProps) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h5" mb="xs">
        {t('editor.attribution')}
      </Title>
      <Stack gap="sm">
        <Select
          label={t('editor.holderKind')}
          data={(['person', 'community'] as const).map((value) => ({ value, label: t(`entry.holderKind.${value}`) }))}
          value={p.attribution.holderKind}
          onChange={(holderKind) => holderKind && setAttribution({ holderKind: holderKind as Attribution['holderKind'] })}
          readOnly={!canEdit}
          allowDeselect={false}
          data-testid="editor-holder-kind"
        />
        <AutosaveTextInput
          label={t('editor.holderName')}
          value={p.attribution.holderName}
          onDirty={saving.dirty('attribution')}
          onCommit={(holderName) => setAttribution({ holderName })}
          isReadOnly={!canEdit}
          testId="editor-holder-name"
        />
        <Select
          label={t('editor.consent')}
          description={t('editor.consentHelp')}
          data={consentLevels.map((value) => ({ value, label: t(`entry.consent.${value}`) }))}
          value={p.attribution.consent}
          onChange={(consent) => consent && setAttribution({ consent: consent as Attribution['consent'] })}
          readOnly={!canEdit}
          allowDeselect={false}
          error={saving.fieldErrors['attribution']}
          data-testid="editor-consent"
        />
      </Stack>
    </Paper>
  );
}
