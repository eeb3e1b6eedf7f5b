import { Checkbox, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { BallotFormProps } from './ballotForms';

/** Approval: up to the proposal's maximum of options; the rest are disabled once it is reached. */
export function MultipleBallotForm({ proposal, choice, isDisabled, onChange }: BallotFormProps<'multiple'>) {
  const { t } = useTranslation();
  const selected = choice?.optionIds ?? [];
  return (
    <Checkbox.Group
      label={t('governance.ballot.chooseUpTo', { count: proposal.maxChoices })}
      value={selected}
      onChange={(optionIds) => onChange({ method: 'multiple', optionIds: proposal.options.map((o) => o.id).filter((id) => optionIds.includes(id)) })}
      data-testid="ballot-multiple"
    >
      <Stack gap="xs" mt="xs">
        {proposal.options.map((option) => (
          <Checkbox key={option.id} value={option.id} label={option.label} disabled={isDisabled || (!selected.includes(option.id) && selected.length >= proposal.maxChoices)} data-testid="ballot-option" data-option-id={option.id} />
        ))}
      </Stack>
    </Checkbox.Group>
  );
}
