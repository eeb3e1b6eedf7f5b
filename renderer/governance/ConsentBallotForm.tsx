import { Radio, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { consentPositions, type ConsentPosition } from '../../shared/governance/methods/consent';
import type { BallotFormProps } from './ballotForms';

const isPosition = (value: string): value is ConsentPosition => (consentPositions as readonly string[]).includes(value);

/** Consent: agree, abstain, disagree or block, each with what it means. */
export function ConsentBallotForm({ choice, isDisabled, onChange }: BallotFormProps<'consent'>) {
  const { t } = useTranslation();
  return (
    <Radio.Group label={t('governance.ballot.yourPosition')} value={choice?.position ?? null} onChange={(position) => isPosition(position) && onChange({ method: 'consent', position })} data-testid="ballot-consent">
      <Stack gap="xs" mt="xs">
        {consentPositions.map((position) => (
          <Radio key={position} value={position} label={t(`governance.consent.${position}`)} description={t(`governance.consentHelp.${position}`)} disabled={isDisabled} data-testid={`ballot-consent-${position}`} />
        ))}
      </Stack>
    </Radio.Group>
  );
}
