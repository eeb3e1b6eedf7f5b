import { Alert, Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { challengeCounts, challengesByTopic, orgActivity, SILENT_AFTER_MS, type HealthRecord } from '../../shared/matching/networkHealth';
import { formatRegion } from '../../shared/records/region';
import { hrefOf } from '../app/route';
import { useObservable } from '../app/useObservable';
import { useSession } from '../session/SessionContext';
import { formatDateTime } from './reasonText';
import { useOrgs } from '../data/useOrgs';
import { useOrgSyncStatus } from '../data/useOrgSyncStatus';
import { useInterests } from './useWorkbenchData';

const MONTHS = 6;

/** Contributions per month as a row of bars: one inline SVG, no styles (CSS classes only). */
function MonthBars({ counts, label }: { counts: readonly { month: string; count: number }[]; label: string }) {
  const max = Math.max(1, ...counts.map((c) => c.count));
  const barWidth = 10;
  const height = 24;
  return (
    <svg className="fw-wb-spark" width={counts.length * (barWidth + 2)} height={height} viewBox={`0 0 ${counts.length * (barWidth + 2)} ${height}`} role="img" aria-label={label}>
      {counts.map((c, i) => {
        const h = c.count === 0 ? 1 : Math.max(2, Math.round((c.count / max) * (height - 2)));
        return (
          <rect key={c.month} x={i * (barWidth + 2)} y={height - h} width={barWidth} height={h} className={c.count === 0 ? 'fw-wb-bar-empty' : 'fw-wb-bar'}>
            <title>{`${c.month}: ${c.count}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

/** Challenges per topic as a horizontal bar chart. */
function TopicChart({ topics, label, noTopic }: { topics: readonly { topic: string; count: number }[]; label: string; noTopic: string }) {
  const shown = topics.slice(0, 12);
  const max = Math.max(1, ...shown.map((t) => t.count));
  const rowHeight = 22;
  const labelWidth = 120;
  const barMax = 220;
  const width = labelWidth + barMax + 40;
  const height = shown.length * rowHeight + 4;
  return (
    <svg className="fw-wb-chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} data-testid="challenge-chart">
      {shown.map((t, i) => {
        const w = Math.max(2, Math.round((t.count / max) * barMax));
        const y = i * rowHeight + 2;
        return (
          <g key={t.topic} data-testid="challenge-bar" data-topic={t.topic} data-count={t.count}>
            <text x={labelWidth - 6} y={y + 14} textAnchor="end" className="fw-wb-chart-label">
              {t.topic || noTopic}
            </text>
            <rect x={labelWidth} y={y + 2} width={w} height={rowHeight - 6} className="fw-wb-bar" />
            <text x={labelWidth + w + 6} y={y + 14} className="fw-wb-chart-label">
              {t.count}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** For the secretariat: who is active, who went silent, and what the field reports as challenges. */
export function NetworkHealth() {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const orgs = useOrgs(client);
  const status = useOrgSyncStatus(client);
  const entries = useObservable(() => client.observe({ type: 'entry' }), [client], []);
  const comments = useObservable(() => client.observe({ type: 'comment' }), [client], []);
  const proposals = useObservable(() => client.observe({ type: 'proposal' }), [client], []);
  const ballots = useObservable(() => client.observe({ type: 'ballot' }), [client], []);
  const interests = useInterests(client);
  const now = Date.now();
  const engine = session.syncEngine;
  const isSecretariat = identity.role === 'secretariat';
  // Opening the screen asks the hub for fresh sync times; offline, the last answer shows.
  useEffect(() => {
    if (isSecretariat) void engine?.fetchNetworkStatus();
  }, [engine, isSecretariat]);

  const statusOf = useMemo(() => new Map(status.map((s) => [s.orgId, s])), [status]);
  const activity = useMemo(() => {
    const records: HealthRecord[] = [...entries, ...comments, ...proposals, ...ballots, ...interests].map((r) => ({ type: r.header.type, ownerOrg: r.header.ownerOrg, createdAt: r.header.createdAt }));
    const seen = new Map(status.map((s) => [s.orgId, s.lastSeenAt]));
    const cast = ballots.filter((b) => b.projection.castAt !== null).map((b) => ({ ownerOrg: b.header.ownerOrg, proposalId: b.projection.proposalId }));
    const ids = orgs.map((o) => o.header.id);
    return new Map(orgActivity(ids, records, cast, proposals.length, seen, { now, months: MONTHS, silentAfterMs: SILENT_AFTER_MS }).map((a) => [a.orgId, a]));
    // The clock is read once per change of the records, which is when the screen renders anew.
  }, [orgs, entries, comments, proposals, ballots, interests, status]);
  const challenges = useMemo(
    () => challengeCounts(entries.filter((e) => e.projection.kind === 'challenge').map((e) => ({ topic: e.projection.topic, tags: e.projection.tags, region: e.projection.region }))),
    [entries],
  );
  const topics = useMemo(() => challengesByTopic(challenges), [challenges]);

  if (!isSecretariat) {
    return (
      <Alert color="gray" data-testid="health-secretariat-only">
        {t('workbench.health.secretariatOnly')}
      </Alert>
    );
  }
  const asOf = status.length > 0 ? Math.max(...status.map((s) => s.asOf)) : null;
  const sorted = [...orgs].sort((a, b) => Number(activity.get(b.header.id)?.isSilent) - Number(activity.get(a.header.id)?.isSilent) || (a.projection.name < b.projection.name ? -1 : 1));

  return (
    <Stack gap="md" data-testid="network-health">
      <Group justify="space-between">
        <Title order={2} size="h4">
          {t('workbench.health.title')}
        </Title>
        <Text size="xs" c="dimmed" data-testid="health-as-of">
          {asOf !== null ? t('workbench.health.asOf', { time: formatDateTime(i18n.language, asOf) }) : t('workbench.health.noStatus')}
        </Text>
      </Group>
      <div className="fw-table-scroll">
        <Table verticalSpacing={6} data-testid="health-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('orgs.name')}</Table.Th>
              <Table.Th>{t('workbench.health.lastSynced')}</Table.Th>
              <Table.Th>{t('workbench.health.waiting')}</Table.Th>
              <Table.Th>{t('workbench.health.contributions', { months: MONTHS })}</Table.Th>
              <Table.Th>{t('workbench.health.decisions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sorted.map((o) => {
              const a = activity.get(o.header.id);
              const s = statusOf.get(o.header.id);
              return (
                <Table.Tr key={o.header.id} className={a?.isSilent ? 'fw-wb-silent' : undefined} data-testid="health-row" data-org-id={o.header.id} data-silent={a?.isSilent ?? false}>
                  <Table.Td>
                    <a href={hrefOf({ screen: 'org', id: o.header.id })} className="fw-table-link">
                      {o.projection.name || o.header.id}
                    </a>
                    {a?.isSilent && (
                      <Badge size="xs" color="orange" ml="xs" data-testid="silent-badge">
                        {t('workbench.health.silent')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td data-testid="health-last-synced">{s?.lastSeenAt ? formatDateTime(i18n.language, s.lastSeenAt) : t('workbench.health.never')}</Table.Td>
                  <Table.Td data-testid="health-waiting" data-count={s?.waitingChanges ?? ''}>
                    {s?.waitingChanges ?? '–'}
                  </Table.Td>
                  <Table.Td>
                    {a && (
                      <Group gap="xs">
                        <MonthBars counts={a.perMonth} label={a.perMonth.map((m) => `${m.month}: ${m.count}`).join(', ')} />
                        <Text size="xs">{a.total}</Text>
                      </Group>
                    )}
                  </Table.Td>
                  <Table.Td>{a ? t('workbench.health.decisionsOf', { joined: a.decisionsJoined, total: a.decisionsTotal }) : ''}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </div>

      <Title order={3} size="h5">
        {t('workbench.health.challenges')}
      </Title>
      {challenges.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="challenges-empty">
          {t('workbench.health.noChallenges')}
        </Text>
      ) : (
        <div className="fw-wb-challenges">
          <div className="fw-table-scroll">
            <Table verticalSpacing={4} data-testid="challenge-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('workbench.health.topic')}</Table.Th>
                  <Table.Th>{t('workbench.health.region')}</Table.Th>
                  <Table.Th>{t('workbench.health.count')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {challenges.map((c) => (
                  <Table.Tr key={`${c.topic}|${c.region}`} data-testid="challenge-row">
                    <Table.Td>{c.topic || t('workbench.health.noTopic')}</Table.Td>
                    <Table.Td>{c.region ? formatRegion(c.region.split(' / ')) : t('workbench.unknown')}</Table.Td>
                    <Table.Td>{c.count}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
          <TopicChart topics={topics} label={t('workbench.health.chartLabel')} noTopic={t('workbench.health.noTopic')} />
        </div>
      )}
    </Stack>
  );
}
