import { Select, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { KindFiltersProps } from './reportFilters';
import { useOrgOptions } from './useOrgOptions';

/** The organization profile's one choice: which organization. */
export function OrgProfileFilters({ data, filters, set }: KindFiltersProps) {
  const { t } = useTranslation();
  const orgOptions = useOrgOptions(data);
  return orgOptions.length === 0 ? (
    <Text size="sm">{t('reports.screen.noOrgs')}</Text>
  ) : (
    <Select label={t('reports.screen.org')} data={orgOptions} value={filters.orgId} onChange={set('orgId')} searchable data-testid="report-org" />
  );
}
