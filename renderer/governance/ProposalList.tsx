import { Badge, Button, Group, Table, Tabs, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hasCast } from '../../shared/governance/countedCast';
import { graceEndsAt, proposalPhase, type ProposalPhase } from '../../shared/governance/proposalPhase';
import { votersOf } from '../../shared/governance/voters';
import { useObservable } from '../app/useObservable';
import { useSession } from '../session/SessionContext';
import { hrefOf, proposalHref } from '../app/route';
import { useNetwork } from '../data/useNetwork';
import { canRunProposals, useNowAt } from './useGovernance';
import { screenDateFormat } from '../i18n/dateTime';

type Tab = 'open' | 'upcoming' | 'closed' | 'drafts';
const tabOf = (phase: ProposalPhase): Tab => (phase === 'draft' ? 'drafts' : phase === 'cancelled' ? 'closed' : phase);

/** Proposals by where they stand: open, upcoming, closed (and cancelled), and drafts for those who run them. */
export function ProposalList() {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const network = useNetwork(client);
  const isRunner = canRunProposals(identity, network);
  const proposals = useObservable(() => client.observe({ type: 'proposal' }), [client], []);
  const ownBallots = useObservable(() => client.observe({ type: 'ballot', ownerOrg: identity.orgId }), [client, identity.orgId], []);
  const voted = useMemo(() => new Set(ownBallots.filter((b) => hasCast(b.projection)).map((b) => b.projection.proposalId)), [ownBallots]);
  const now = useNowAt(proposals.flatMap(({ projection: p }) => [p.opensAt, p.closesAt, graceEndsAt(p)]));
  const [tab, setTab] = useState<Tab>('open');
  const dateFormat = useMemo(() => screenDateFormat(i18n.language, 'dateTime'), [i18n.language]);

  const byTab = useMemo(() => {
    const groups: Record<Tab, typeof proposals> = { open: [], upcoming: [], closed: [], drafts: [] };
    for (const view of proposals) groups[tabOf(proposalPhase(view.projection, now))].push(view);
    groups.open.sort((a, b) => a.projection.closesAt - b.projection.closesAt);
    groups.upcoming.sort((a, b) => a.projection.opensAt - b.projection.opensAt);
    groups.closed.sort((a, b) => b.projection.closesAt - a.projection.closesAt);
    return groups;
  }, [proposals, now]);
  const tabs: Tab[] = isRunner ? ['open', 'upcoming', 'closed', 'drafts'] : ['open', 'upcoming', 'closed'];
  const shown = byTab[tab];

  return (
    <section className="fw-screen fw-governance" aria-labelledby="governance-title" data-testid="governance-screen">
      <Group justify="space-between">
        <Title order={1} size="h3" id="governance-title">
          {t('governance.title')}
        </Title>
        {isRunner && (
          <Button component="a" href={hrefOf({ screen: 'proposal-new' })} size="xs" data-testid="new-proposal">
            {t('governance.newProposal')}
          </Button>
        )}
      </Group>
      <Tabs value={tab} onChange={(value) => value && setTab(value as Tab)}>
        <Tabs.List>
          {tabs.map((key) => (
            <Tabs.Tab key={key} value={key} data-testid={`proposal-tab-${key}`}>
              {t(`governance.tabs.${key}`, { count: byTab[key].length })}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      {shown.length === 0 ? (
        <Text c="dimmed" p="lg" data-testid="proposal-list-empty">
          {t(`governance.empty.${tab}`)}
        </Text>
      ) : (
        <div className="fw-table-scroll">
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="proposal-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('governance.list.title')}</Table.Th>
                <Table.Th>{t('governance.list.method')}</Table.Th>
                <Table.Th>{tab === 'upcoming' ? t('governance.list.opens') : t('governance.list.closes')}</Table.Th>
                <Table.Th>{t('governance.list.yourVote')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map(({ header, projection: p }) => {
                const phase = proposalPhase(p, now);
                return (
                  <Table.Tr key={header.id} data-testid="proposal-row" data-proposal-id={header.id} data-phase={phase}>
                    <Table.Td>
                      <a href={proposalHref(header.id)} className="fw-table-link" data-testid="proposal-row-title">
                        {p.title || t('governance.untitled')}
                      </a>
                      {phase === 'cancelled' && (
                        <Badge size="xs" ml="xs" color="gray" variant="light">
                          {t('governance.phase.cancelled')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{t(`governance.method.${p.method}`)}</Table.Td>
                    <Table.Td>{dateFormat.format(tab === 'upcoming' ? p.opensAt : p.closesAt)}</Table.Td>
                    <Table.Td>
                      {voted.has(header.id) ? (
                        <Badge size="sm" color="teal" variant="light" data-testid="proposal-row-voted">
                          {t('governance.list.voted')}
                        </Badge>
                      ) : phase === 'draft' || phase === 'cancelled' || !votersOf(p, network?.members ?? []).includes(identity.orgId) ? null : (
                        // "Not voted" only where this organization is a voter: the secretariat is not on every proposal.
                        <Text size="xs" c="dimmed" data-testid="proposal-row-not-voted">
                          {t('governance.list.notVoted')}
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </section>
  );
}
