import { Group, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { KindFiltersProps } from './reportFilters';

/** From and to dates, for the kinds that cover a period. */
export function PeriodFields({ filters, set }: Pick<KindFiltersProps, 'filters' | 'set'>) {
  const { t } = useTranslation();
  return (
    <Group grow gap="xs">
      <TextInput type="date" label={t('reports.screen.from')} value={filters.from} onChange={(event) => set('from')(event.currentTarget.value)} data-testid="report-from" />
      <TextInput type="date" label={t('reports.screen.to')} value={filters.to} onChange={(event) => set('to')(event.currentTarget.value)} data-testid="report-to" />
    </Group>
  );
}
