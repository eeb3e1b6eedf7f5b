import { Group, MultiSelect, Select, TagsInput, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { entryKinds, entryStatuses } from '../../shared/records/entry';
import { digestGroupings, digestOrders, type DigestGrouping, type DigestOrder } from '../../shared/reports/knowledgeDigest';
import { InTurn } from '../app/InTurn';
import { PeriodFields } from './PeriodFields';
import type { EntryKind, EntryStatus, KindFiltersProps } from './reportFilters';
import { useOrgOptions } from './useOrgOptions';

/** The knowledge digest's filters: topics, region, entry kinds, organizations, statuses, period, grouping and order. */
export function DigestFilters({ data, filters, set }: KindFiltersProps) {
  const { t } = useTranslation();
  const orgOptions = useOrgOptions(data);
  return (
    // A field a turn (InTurn, as the rest of the Reports form).
    <>
      <InTurn>
        <TagsInput label={t('reports.screen.topics')} placeholder={t('reports.screen.topicsPlaceholder')} value={filters.topics} onChange={set('topics')} data-testid="report-topics" />
        <TextInput label={t('reports.screen.region')} placeholder={t('reports.screen.regionPlaceholder')} value={filters.region} onChange={(event) => set('region')(event.currentTarget.value)} data-testid="report-region" />
      </InTurn>
      <InTurn>
        <MultiSelect
          label={t('reports.screen.entryKinds')}
          placeholder={t('reports.screen.entryKindsPlaceholder')}
          data={entryKinds.map((value) => ({ value, label: t(`entry.kind.${value}`) }))}
          value={filters.kinds}
          onChange={(values) => set('kinds')(values as EntryKind[])}
          data-testid="report-entry-kinds"
        />
      </InTurn>
      <InTurn>
        <MultiSelect label={t('reports.screen.orgs')} placeholder={t('reports.screen.orgsPlaceholder')} data={orgOptions} value={filters.orgIds} onChange={set('orgIds')} searchable data-testid="report-orgs" />
      </InTurn>
      <InTurn>
        <MultiSelect
          label={t('reports.screen.statuses')}
          data={entryStatuses.map((value) => ({ value, label: t(`entry.status.${value}`) }))}
          value={filters.statuses}
          onChange={(values) => set('statuses')(values as EntryStatus[])}
          data-testid="report-statuses"
        />
      </InTurn>
      <InTurn>
        <PeriodFields filters={filters} set={set} />
      </InTurn>
      <Group grow gap="xs">
        <InTurn>
          <Select
            label={t('reports.screen.groupBy')}
            data={digestGroupings.map((value) => ({ value, label: t(`reports.doc.grouping.${value}`) }))}
            value={filters.groupBy}
            onChange={(value) => value && set('groupBy')(value as DigestGrouping)}
            allowDeselect={false}
            data-testid="report-group-by"
          />
        </InTurn>
        <InTurn>
          <Select
            label={t('reports.screen.orderBy')}
            data={digestOrders.map((value) => ({ value, label: t(`reports.doc.order.${value}`) }))}
            value={filters.orderBy}
            onChange={(value) => value && set('orderBy')(value as DigestOrder)}
            allowDeselect={false}
            data-testid="report-order-by"
          />
        </InTurn>
      </Group>
    </>
  );
}
