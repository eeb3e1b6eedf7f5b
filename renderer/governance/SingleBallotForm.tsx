import { Radio, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { BallotFormProps } from './ballotForms';

/** Single choice: one option. */
export function SingleBallotForm({ proposal, choice, isDisabled, onChange }: BallotFormProps<'single'>) {
  const { t } = useTranslation();
  return (
    <Radio.Group label={t('governance.ballot.chooseOne')} value={choice?.optionId ?? null} onChange={(optionId) => onChange({ method: 'single', optionId })} data-testid="ballot-single">
      <Stack gap="xs" mt="xs">
        {proposal.options.map((option) => (
          <Radio key={option.id} value={option.id} label={option.label} disabled={isDisabled} data-testid="ballot-option" data-option-id={option.id} />
        ))}
      </Stack>
    </Radio.Group>
  );
}
