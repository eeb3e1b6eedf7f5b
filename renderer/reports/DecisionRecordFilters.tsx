import { Select, Text } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { KindFiltersProps } from './reportFilters';

/** The decision record's one choice: which proposal, newest first. */
export function DecisionRecordFilters({ data, filters, set }: KindFiltersProps) {
  const { t } = useTranslation();
  const proposalOptions = useMemo(
    () => [...data.proposals].sort((a, b) => b.projection.opensAt - a.projection.opensAt).map((proposal) => ({ value: proposal.header.id, label: proposal.projection.title || proposal.header.id })),
    [data.proposals],
  );
  return proposalOptions.length === 0 ? (
    <Text size="sm">{t('reports.screen.noProposals')}</Text>
  ) : (
    <Select label={t('reports.screen.proposal')} data={proposalOptions} value={filters.proposalId} onChange={set('proposalId')} searchable data-testid="report-proposal" />
  );
}
