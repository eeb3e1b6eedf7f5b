import { Badge, Checkbox, Group, MultiSelect, NumberInput, Paper, Select, Slider, Stack, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultMatchWeights, rankPartners, type MatchWeights, type PartnerNeed } from '../../shared/matching/rankPartners';
import { sizeBands, type SizeBandId } from '../../shared/matching/sizeBands';
import { formatRegion, parseRegion } from '../../shared/records/region';
import { hrefOf } from '../app/route';
import { RegionPicker, useRegionOptions } from '../admin/RegionPicker';
import { useSession } from '../session/SessionContext';
import { partnerReasonText, stageLabel } from './reasonText';
import { useNetwork } from '../data/useNetwork';
import { useOrgs } from '../data/useOrgs';
import { stageIds, toCandidates } from './useWorkbenchData';

const weightKeys = ['region', 'distance', 'capabilities', 'size', 'stage'] as const;

/** Organizations ranked for a need; every score is shown as the reasons and weights behind it. */
export function PartnerFinder() {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const network = useNetwork(client);
  const regionChoices = useRegionOptions(client);
  const orgs = useOrgs(client);
  const [region, setRegion] = useState('');
  const [capabilities, setCapabilities] = useState<string[]>([]);
  const [size, setSize] = useState<string | null>(null);
  const [stages, setStages] = useState<string[]>([]);
  const [filters, setFilters] = useState({ isWithinRegion: false, hasAllCapabilities: false, isStageWanted: false, isSizeInRange: false });
  const [weights, setWeights] = useState<MatchWeights>(defaultMatchWeights);
  // Distance is measured from an organization's recorded position (a venue, a lead partner).
  const [nearOrg, setNearOrg] = useState<string | null>(null);
  const [maxKm, setMaxKm] = useState<number | null>(null);
  const located = useMemo(() => orgs.filter((o) => o.projection.coordinates !== null), [orgs]);
  const coordinates = located.find((o) => o.header.id === nearOrg)?.projection.coordinates ?? null;

  const allCapabilities = useMemo(() => [...new Set(orgs.flatMap((o) => o.projection.capabilities))].sort(), [orgs]);
  const stageOrder = stageIds(network);
  const need: PartnerNeed = useMemo(
    () => ({
      ...(parseRegion(region).length > 0 ? { region: parseRegion(region) } : {}),
      ...(capabilities.length > 0 ? { capabilities } : {}),
      ...(size ? { staffSize: size as SizeBandId } : {}),
      ...(stages.length > 0 ? { stages } : {}),
      ...(coordinates ? { coordinates } : {}),
      filters: { ...filters, ...(coordinates && maxKm !== null ? { maxDistanceKm: maxKm } : {}) },
    }),
    [region, capabilities, size, stages, filters, coordinates, maxKm],
  );
  const ranked = useMemo(() => rankPartners(need, toCandidates(orgs), weights, { stageOrder }), [need, orgs, weights, stageOrder]);
  const names = useMemo(() => new Map(orgs.map((o) => [o.header.id, o.projection])), [orgs]);

  return (
    <Stack gap="md" data-testid="partner-finder">
      <Title order={2} size="h4">
        {t('workbench.finder.title')}
      </Title>
      <Paper withBorder p="md" radius="md">
        <div className="fw-wb-need">
          {regionChoices.options.length > 0 ? (
            <RegionPicker label={t('workbench.finder.region')} options={regionChoices.options} tree={regionChoices.tree} value={parseRegion(region)} onChange={(path) => setRegion(formatRegion(path))} testId="finder-region" />
          ) : (
            <TextInput label={t('workbench.finder.region')} description={t('editor.regionHelp')} value={region} onChange={(e) => setRegion(e.currentTarget.value)} data-testid="finder-region" />
          )}
          <TagsInput label={t('workbench.finder.capabilities')} data={allCapabilities} value={capabilities} onChange={setCapabilities} data-testid="finder-capabilities" />
          <Select
            label={t('workbench.finder.size')}
            data={sizeBands.map((b) => ({ value: b.id, label: t('workbench.sizeBand', { band: b.id }) }))}
            value={size}
            onChange={setSize}
            clearable
            data-testid="finder-size"
          />
          <Select
            label={t('workbench.finder.near')}
            data={located.map((o) => ({ value: o.header.id, label: o.projection.name || o.header.id }))}
            value={nearOrg}
            onChange={setNearOrg}
            clearable
            searchable
            disabled={located.length === 0}
            placeholder={located.length === 0 ? t('workbench.finder.noPositions') : undefined}
            data-testid="finder-near"
          />
          <NumberInput label={t('workbench.finder.maxKm')} value={maxKm ?? ''} min={0} allowDecimal={false} disabled={!coordinates} onChange={(v) => setMaxKm(v === '' ? null : Number(v))} data-testid="finder-max-km" />
          <MultiSelect label={t('workbench.finder.stages')} data={stageOrder.map((id) => ({ value: id, label: stageLabel(t, network, id) }))} value={stages} onChange={setStages} data-testid="finder-stages" />
        </div>
        <Group gap="lg" mt="sm">
          {(['isWithinRegion', 'hasAllCapabilities', 'isStageWanted', 'isSizeInRange'] as const).map((key) => (
            <Checkbox
              key={key}
              size="xs"
              label={t(`workbench.finder.filter.${key}`)}
              checked={filters[key]}
              onChange={(e) => {
                const checked = e.currentTarget.checked;
                setFilters((f) => ({ ...f, [key]: checked }));
              }}
              data-testid={`finder-filter-${key}`}
            />
          ))}
        </Group>
        <Text size="sm" fw={600} mt="md">
          {t('workbench.finder.weights')}
        </Text>
        <div className="fw-wb-weights">
          {weightKeys.map((key) => (
            <div key={key}>
              <Text size="xs">
                {t(`workbench.weight.${key}`)}: {weights[key].toFixed(2)}
              </Text>
              <Slider
                min={0}
                max={1}
                step={0.05}
                value={weights[key]}
                onChange={(value) => setWeights((w) => ({ ...w, [key]: value }))}
                label={(value) => value.toFixed(2)}
                aria-label={t(`workbench.weight.${key}`)}
                data-testid={`finder-weight-${key}`}
              />
            </div>
          ))}
        </div>
      </Paper>
      <Text size="sm" c="dimmed" data-testid="finder-count" data-count={ranked.length}>
        {t('workbench.finder.count', { count: ranked.length })}
      </Text>
      {ranked.length > 0 && (
        <div className="fw-table-scroll">
          <Table verticalSpacing="xs" striped data-testid="finder-results">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('workbench.finder.rank')}</Table.Th>
                <Table.Th>{t('orgs.name')}</Table.Th>
                <Table.Th>{t('workbench.finder.score')}</Table.Th>
                <Table.Th>{t('workbench.finder.reasons')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {ranked.map((match, index) => {
                const p = names.get(match.id);
                return (
                  <Table.Tr key={match.id} data-testid="finder-row" data-org-id={match.id} data-score={match.score}>
                    <Table.Td>{index + 1}</Table.Td>
                    <Table.Td>
                      <a href={hrefOf({ screen: 'org', id: match.id })} className="fw-table-link">
                        {match.name}
                      </a>
                      <Text size="xs" c="dimmed">
                        {[formatRegion(p?.region ?? []), p?.stage ? stageLabel(t, network, p.stage) : ''].filter(Boolean).join(' · ')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text fw={700}>{match.score.toFixed(2)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {match.reasons.map((reason, i) => (
                          <Badge key={i} size="sm" variant={reason.points > 0 ? 'light' : 'outline'} color={reason.points > 0 ? 'teal' : 'gray'} data-testid="finder-reason" data-reason={reason.key}>
                            {partnerReasonText(t, network, reason)} {t('workbench.finder.points', { points: reason.points.toFixed(2), weight: reason.weight.toFixed(2) })}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Stack>
  );
}
