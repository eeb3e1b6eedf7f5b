import { Badge, Group, Table, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatRegion } from '../../shared/records/region';
import { hrefOf } from '../app/route';
import { useOrgs } from '../data/useOrgs';
import { useSession } from '../session/SessionContext';

/** Every organization in the network, from the org records this device has. */
export function OrgDirectory() {
  const { t } = useTranslation();
  const { session } = useSession();
  const orgs = useOrgs(session.client);
  const [filter, setFilter] = useState('');
  const ownId = session.profile.identity.orgId;
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return orgs
      .filter(({ projection: p }) => !needle || [p.name, formatRegion(p.region), ...p.capabilities, ...p.topics].some((text) => text.toLowerCase().includes(needle)))
      .sort((a, b) => (a.header.id === ownId ? -1 : b.header.id === ownId ? 1 : a.projection.name.localeCompare(b.projection.name)));
  }, [orgs, filter, ownId]);

  return (
    <section className="fw-screen" aria-labelledby="orgs-title">
      <Group justify="space-between">
        <Title order={1} size="h3" id="orgs-title">
          {t('orgs.title')}
        </Title>
        <TextInput size="xs" w={260} placeholder={t('orgs.filter')} aria-label={t('orgs.filter')} value={filter} onChange={(event) => setFilter(event.currentTarget.value)} data-testid="org-filter" />
      </Group>
      {shown.length === 0 ? (
        <Text c="dimmed" p="lg">
          {orgs.length === 0 ? t('orgs.empty') : t('orgs.noMatches')}
        </Text>
      ) : (
        <div className="fw-table-scroll">
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="org-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('orgs.name')}</Table.Th>
                <Table.Th>{t('orgs.region')}</Table.Th>
                <Table.Th>{t('orgs.stage')}</Table.Th>
                <Table.Th>{t('orgs.capabilities')}</Table.Th>
                <Table.Th ta="right">{t('orgs.staff')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map(({ header, projection: p }) => (
                <Table.Tr key={header.id} data-testid="org-row" data-org-id={header.id}>
                  <Table.Td>
                    <a href={hrefOf({ screen: 'org', id: header.id })} className="fw-table-link">
                      {p.name || header.id}
                    </a>
                    {header.id === ownId && (
                      <Badge size="xs" ml="xs" variant="light">
                        {t('orgs.yours')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{formatRegion(p.region)}</Table.Td>
                  <Table.Td>{p.stage ? t(`orgs.stages.${p.stage}`, { defaultValue: p.stage }) : ''}</Table.Td>
                  <Table.Td>
                    <Text size="xs" lineClamp={2}>
                      {p.capabilities.join(', ')}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{p.staffSize}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </section>
  );
}
