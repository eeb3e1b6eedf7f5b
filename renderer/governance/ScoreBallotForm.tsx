import { Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { MAX_SCORE } from '../../shared/governance/methods/score';
import type { BallotFormProps } from './ballotForms';

const scoreValues = Array.from({ length: MAX_SCORE + 1 }, (_, score) => String(score));

/** Score: 0 to MAX_SCORE for each option. */
export function ScoreBallotForm({ proposal, choice, isDisabled, onChange }: BallotFormProps<'score'>) {
  const { t } = useTranslation();
  const scores = choice?.scores ?? {};
  return (
    <Stack gap="xs" data-testid="ballot-score">
      <Text size="sm" fw={500}>
        {t('governance.ballot.scoreEach')}
      </Text>
      {proposal.options.map((option) => (
        <Group key={option.id} justify="space-between" wrap="nowrap" data-testid="ballot-option" data-option-id={option.id}>
          <Text size="sm" id={`score-${option.id}`}>
            {option.label}
          </Text>
          <SegmentedControl
            size="xs"
            aria-labelledby={`score-${option.id}`}
            data={scoreValues}
            value={String(scores[option.id] ?? 0)}
            onChange={(value) => onChange({ method: 'score', scores: { ...scores, [option.id]: Number(value) } })}
            disabled={isDisabled}
          />
        </Group>
      ))}
    </Stack>
  );
}
