import { Radio, Stack, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { BallotFormProps } from './ballotForms';

/** Advice: an option to lean to, where the proposal has options, and a note. */
export function AdviceBallotForm({ proposal, choice, isDisabled, onChange }: BallotFormProps<'advice'>) {
  const { t } = useTranslation();
  const advice = choice ?? { method: 'advice' as const };
  return (
    <Stack gap="xs" data-testid="ballot-advice">
      {proposal.options.length > 0 && (
        <Radio.Group label={t('governance.ballot.adviceOption')} value={advice.optionId ?? null} onChange={(optionId) => onChange({ ...advice, optionId })}>
          <Stack gap="xs" mt="xs">
            {proposal.options.map((option) => (
              <Radio key={option.id} value={option.id} label={option.label} disabled={isDisabled} data-testid="ballot-option" data-option-id={option.id} />
            ))}
          </Stack>
        </Radio.Group>
      )}
      <Textarea label={t('governance.ballot.adviceNote')} value={advice.note ?? ''} maxLength={2000} autosize minRows={2} onChange={(event) => onChange({ ...advice, note: event.currentTarget.value })} disabled={isDisabled} data-testid="ballot-advice-note" />
    </Stack>
  );
}
