import { Paper, Select, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { licenceIds, type Licence } from '../../shared/records/entryLicence';
import { AutosaveTextInput } from '../forms/AutosaveTextInput';
import type { SaveTracking } from '../forms/useSaveTracking';

interface LicencePanelProps {
  readonly licence: Licence;
  readonly canEdit: boolean;
  readonly saving: SaveTracking;
  readonly setLicence: (licence: Licence) => void;
}

/**
 * The entry's licence or conditions of use, chosen by its owner and shown to every reader. The
 * community's own conditions need their text, so choosing them first waits for the text and saves
 * both together (the entry invariant refuses the choice alone).
 */
export function LicencePanel({ licence, canEdit, saving, setLicence }: LicencePanelProps) {
  const { t } = useTranslation();
  const [waiting, setWaiting] = useState(false);
  const choose = (id: Licence['id']) => {
    const waits = id === 'community-conditions' && licence.conditions.trim() === '';
    setWaiting(waits);
    if (!waits) setLicence({ ...licence, id });
  };
  const commitConditions = (conditions: string) => {
    const id = waiting && conditions.trim() !== '' ? 'community-conditions' : licence.id;
    if (id === 'community-conditions') setWaiting(false);
    setLicence({ id, conditions });
  };
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h5" mb="xs">
        {t('editor.licence')}
      </Title>
      <Stack gap="sm">
        <Select
          aria-label={t('editor.licence')}
          data={licenceIds.map((value) => ({ value, label: t(`entry.licence.${value}`) }))}
          value={waiting ? 'community-conditions' : licence.id}
          onChange={(id) => id && choose(id as Licence['id'])}
          readOnly={!canEdit}
          allowDeselect={false}
          error={saving.fieldErrors['licence']}
          data-testid="editor-licence"
        />
        <AutosaveTextInput
          label={t('editor.licenceConditions')}
          description={t('editor.licenceConditionsHelp')}
          value={licence.conditions}
          onDirty={saving.dirty('licence')}
          onCommit={commitConditions}
          error={waiting ? t('editor.licenceNeedsConditions') : undefined}
          isReadOnly={!canEdit}
          isMultiline
          testId="editor-licence-conditions"
        />
      </Stack>
    </Paper>
  );
}
