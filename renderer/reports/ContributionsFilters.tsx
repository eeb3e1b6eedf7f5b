import { NumberInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PeriodFields } from './PeriodFields';
import type { KindFiltersProps } from './reportFilters';

/** The network contributions report's filters: the period and the region level. */
export function ContributionsFilters({ filters, set }: KindFiltersProps) {
  const { t } = useTranslation();
  return (
    <>
      <PeriodFields filters={filters} set={set} />
      <NumberInput label={t('reports.screen.regionDepth')} value={filters.regionDepth} min={1} max={6} allowDecimal={false} onChange={(value) => typeof value === 'number' && set('regionDepth')(value)} data-testid="report-region-depth" />
    </>
  );
}
