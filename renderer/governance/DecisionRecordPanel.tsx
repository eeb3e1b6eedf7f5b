import { Badge, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { DecisionRecordView } from '../../shared/governance/decisionRecord';
import { ResultsView } from './ResultsView';
import { screenDateFormat } from '../i18n/dateTime';

/** Exclusion reasons the catalog words; another (a newer hub's) shows as its code. */
const KNOWN_EXCLUSIONS = new Set([
  'not-eligible',
  'cast-before-opening',
  'cast-after-closing',
  'received-after-grace',
  'superseded',
  'earlier-version',
  'wrong-method',
  'unknown-option',
  'duplicate-option',
  'too-many-choices',
  'score-out-of-range',
]);

/**
 * The sealed decision record: the result as the hub signed it, whether that signature verifies
 * offline against the network's hub key, who voted (late ballots marked), every receipt, and
 * whether this organization's own receipt is among them: its ballot was counted as cast.
 */
export function DecisionRecordPanel({ record, ownOrgId, ownReceipt }: { record: DecisionRecordView; ownOrgId: string; ownReceipt: string | null }) {
  const { t, i18n } = useTranslation();
  const dateFormat = useMemo(() => screenDateFormat(i18n.language, 'dateTime'), [i18n.language]);
  const { seal, tally } = record;
  if (!seal || !tally) return null;
  const own = record.voters.find((voter) => voter.orgId === ownOrgId);
  const match = ownReceipt === null || !own?.receipt ? 'absent' : own.receipt === ownReceipt ? 'true' : 'false';

  return (
    <Paper withBorder p="md" radius="md" data-testid="decision-record" data-proposal-id={record.proposalId}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h5">
            {t('governance.decision.title')}
          </Title>
          <Badge color={seal.isValid ? 'teal' : 'red'} variant={seal.isValid ? 'light' : 'filled'} data-testid="seal-status" data-valid={seal.isValid ? 'true' : 'false'} data-reason={seal.reason ?? ''}>
            {seal.isValid ? t('governance.decision.sealValid') : t('governance.decision.sealInvalid', { reason: t(`governance.sealFailure.${seal.reason}`) })}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed" data-testid="seal-details">
          {t('governance.decision.sealedAt', { time: dateFormat.format(seal.sealedAt), key: seal.hubKey.slice(0, 16) })}
        </Text>
        <ResultsView result={tally} standing={record.standing} proposal={{ options: record.options, quorum: record.terms.quorum, threshold: record.terms.threshold }} />
        {record.tieBreakRule !== null && (
          <Text size="xs" c="dimmed" data-testid="decision-tie-break">
            {t('governance.decision.tieBreakRule')}
          </Text>
        )}
        {match !== 'absent' && (
          <Text size="sm" c={match === 'true' ? 'teal.8' : 'red.8'} fw={500} data-testid="receipt-match" data-matches={match} role={match === 'true' ? 'status' : 'alert'}>
            {match === 'true' ? t('governance.decision.receiptMatches') : t('governance.decision.receiptDiffers')}
          </Text>
        )}
        <Text size="sm" data-testid="decision-late" data-count={record.lateBallots.length}>
          {t('governance.decision.late', { count: record.lateBallots.length })}
        </Text>
        <div className="fw-table-scroll">
          <Table verticalSpacing={4} fz="xs" data-testid="decision-voters">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('governance.decision.org')}</Table.Th>
                <Table.Th>{t('governance.decision.ballot')}</Table.Th>
                <Table.Th>{t('governance.decision.receipt')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {record.voters.map((voter) => (
                <Table.Tr key={voter.orgId} data-testid="decision-voter" data-org-id={voter.orgId} data-voted={voter.hasVoted ? 'true' : 'false'} data-late={voter.isLate ? 'true' : 'false'} data-receipt={voter.receipt ?? ''}>
                  <Table.Td>
                    {voter.name}
                    {voter.orgId === ownOrgId && (
                      <Badge size="xs" ml="xs" variant="light">
                        {t('governance.decision.you')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {!voter.hasVoted ? t('governance.decision.noBallot') : voter.isLate ? t('governance.decision.countedLate') : t('governance.decision.counted')}
                    {!voter.isEligible && ` ${t('governance.decision.notEligible')}`}
                  </Table.Td>
                  <Table.Td>{voter.receipt && <Code className="fw-receipt">{voter.receipt}</Code>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
        {record.excluded.length > 0 && (
          <Stack gap={2} data-testid="decision-excluded">
            <Text size="sm" fw={500}>
              {t('governance.decision.excluded')}
            </Text>
            {record.excluded.map((excluded, index) => (
              <Text key={index} size="xs">
                {excluded.name}: {KNOWN_EXCLUSIONS.has(excluded.reason) ? t(`governance.exclusion.${excluded.reason}`) : excluded.reason}
              </Text>
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
