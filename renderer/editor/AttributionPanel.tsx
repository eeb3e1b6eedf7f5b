import { Paper, Select, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consentLevels, type Attribution } from '../../shared/records/entry';
import { consentWays, type ConsentRecord } from '../../shared/records/entryConsent';
import { AutosaveTextInput } from '../forms/AutosaveTextInput';
import { consentChoice, dayInput, dayOfInput } from './attributionForm';
import type { EntryFormProps } from './entryFormProps';

/**
 * Whose knowledge it is, whether they consented to its sharing beyond the organization, and the
 * record of that consent. Credit by name needs the name, so choosing it before a name is typed
 * waits for the name and saves both together: the entry never holds credit by name without one.
 */
export function AttributionPanel({ p, canEdit, saving, setAttribution }: EntryFormProps) {
  const { t } = useTranslation();
  const [waitingConsent, setWaitingConsent] = useState<Attribution['consent'] | null>(null);
  const record = p.attribution.consentRecord;
  const setRecord = (patch: Partial<ConsentRecord>) =>
    setAttribution({ consentRecord: { givenBy: p.attribution.holderName, givenAt: Date.now(), how: 'spoken', use: '', ...record, ...patch } });
  const chooseConsent = (consent: Attribution['consent']) => {
    const choice = consentChoice(p.attribution.holderName, consent);
    setWaitingConsent(choice.waits ? consent : null);
    if (!choice.waits) setAttribution({ consent });
  };
  const commitName = (holderName: string) => {
    if (waitingConsent && holderName.trim() !== '') {
      setWaitingConsent(null);
      setAttribution({ holderName, consent: waitingConsent });
    } else setAttribution({ holderName });
  };
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
          onCommit={commitName}
          isReadOnly={!canEdit}
          error={waitingConsent ? t('editor.creditNeedsName') : undefined}
          testId="editor-holder-name"
        />
        <Select
          label={t('editor.consent')}
          description={t('editor.consentHelp')}
          data={consentLevels.map((value) => ({ value, label: t(`entry.consent.${value}`) }))}
          value={waitingConsent ?? p.attribution.consent}
          onChange={(consent) => consent && chooseConsent(consent as Attribution['consent'])}
          readOnly={!canEdit}
          allowDeselect={false}
          error={saving.fieldErrors['attribution']}
          data-testid="editor-consent"
        />
        <Title order={3} size="h6">
          {t('editor.consentRecord')}
        </Title>
        <AutosaveTextInput
          label={t('editor.consentGivenBy')}
          value={record?.givenBy ?? ''}
          onDirty={saving.dirty('attribution')}
          onCommit={(givenBy) => setRecord({ givenBy })}
          isReadOnly={!canEdit}
          testId="editor-consent-given-by"
        />
        <TextInput
          type="date"
          label={t('editor.consentGivenAt')}
          value={record ? dayInput(record.givenAt) : ''}
          onChange={(event) => {
            const givenAt = dayOfInput(event.currentTarget.value);
            if (givenAt !== null) setRecord({ givenAt });
          }}
          readOnly={!canEdit}
          data-testid="editor-consent-given-at"
        />
        <Select
          label={t('editor.consentHow')}
          data={consentWays.map((value) => ({ value, label: t(`entry.consentWay.${value}`) }))}
          value={record?.how ?? null}
          onChange={(how) => how && setRecord({ how: how as ConsentRecord['how'] })}
          readOnly={!canEdit}
          allowDeselect={false}
          data-testid="editor-consent-how"
        />
        <AutosaveTextInput
          label={t('editor.consentUse')}
          value={record?.use ?? ''}
          onDirty={saving.dirty('attribution')}
          onCommit={(use) => setRecord({ use })}
          isReadOnly={!canEdit}
          isMultiline
          testId="editor-consent-use"
        />
      </Stack>
    </Paper>
  );
}
