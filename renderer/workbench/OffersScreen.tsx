import { Badge, Button, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { matchOffer } from '../../shared/matching/matchOffer';
import { isOfferOpen, offersFor } from '../../shared/matching/offersFor';
import { interestId } from '../../shared/records/interest';
import { hrefOf } from '../app/route';
import { useSession } from '../session/SessionContext';
import { OfferForm } from './OfferForm';
import { eligibilityText, formatDate } from './reasonText';
import { useNetwork } from '../data/useNetwork';
import { useOrgs } from '../data/useOrgs';
import { canRunOffers, stageIds, toCandidates, useInterests, useOffers } from './useWorkbenchData';

/**
 * The offers. The secretariat (and a steward it authorized) sees every offer with how many
 * organizations are eligible; a member sees the open offers that fit it and those it asked for.
 */
export function OffersScreen({ isCreating }: { isCreating: boolean }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const network = useNetwork(client);
  const offers = useOffers(client);
  const orgs = useOrgs(client);
  const interests = useInterests(client);
  const isRunner = canRunOffers(identity, network);
  const candidates = useMemo(() => toCandidates(orgs), [orgs]);
  const stageOrder = stageIds(network);
  const now = Date.now();
  // The other direction of matching: the open offers one organization may take up, with reasons.
  const [forOrg, setForOrg] = useState<string | null>(null);
  const forOrgOffers = useMemo(() => {
    const candidate = forOrg ? candidates.find((c) => c.id === forOrg) : undefined;
    if (!candidate) return null;
    return offersFor(candidate, offers.map((o) => ({ id: o.header.id, projection: o.projection })), now, { includeIneligible: true });
    // `now` is left out on purpose, as below.
  }, [forOrg, candidates, offers]);

  const rows = useMemo(() => {
    if (isRunner) {
      return [...offers]
        .sort((a, b) => b.projection.closesAt - a.projection.closesAt || (a.header.id < b.header.id ? -1 : 1))
        .map((o) => ({ view: o, eligible: matchOffer(o.projection, candidates, { stageOrder }).length, isFit: true }));
    }
    const own = candidates.find((c) => c.id === identity.orgId);
    const fitting = own ? new Set(offersFor(own, offers.map((o) => ({ id: o.header.id, projection: o.projection })), now).map((o) => o.id)) : new Set<string>();
    const asked = new Set(interests.filter((i) => i.header.ownerOrg === identity.orgId).map((i) => i.projection.offerId));
    return offers
      .filter((o) => fitting.has(o.header.id) || asked.has(o.header.id))
      .sort((a, b) => a.projection.closesAt - b.projection.closesAt || (a.header.id < b.header.id ? -1 : 1))
      .map((o) => ({ view: o, eligible: null, isFit: fitting.has(o.header.id) }));
    // `now` is left out on purpose: the list follows the records, not the clock.
  }, [isRunner, offers, candidates, interests, identity.orgId, stageOrder.join('|')]);
  const interestOf = new Map(interests.map((i) => [i.header.id, i.projection.stage]));

  return (
    <Stack gap="md" data-testid="offers-screen">
      <Group justify="space-between">
        <Title order={2} size="h4">
          {isRunner ? t('workbench.offers.title') : t('workbench.offers.forYou')}
        </Title>
        {isRunner && !isCreating && (
          <Button component="a" href={hrefOf({ screen: 'offer-new' })} size="xs" data-testid="offer-new">
            {t('workbench.offers.new')}
          </Button>
        )}
      </Group>
      {isCreating && isRunner && <OfferForm id={null} offer={null} network={network} />}
      {isRunner && (
        <Group gap="xs" align="flex-end">
          <Select
            size="xs"
            w={280}
            label={t('workbench.offers.forOrg')}
            placeholder={t('workbench.offers.forOrgPlaceholder')}
            data={candidates.map((c) => ({ value: c.id, label: c.projection.name }))}
            value={forOrg}
            onChange={setForOrg}
            searchable
            clearable
            data-testid="offers-for-org"
          />
        </Group>
      )}
      {forOrgOffers && (
        <div className="fw-table-scroll">
          <Table verticalSpacing={4} data-testid="offers-for-org-list">
            <Table.Tbody>
              {forOrgOffers.length === 0 && (
                <Table.Tr>
                  <Table.Td>{t('workbench.offers.noneOpen')}</Table.Td>
                </Table.Tr>
              )}
              {forOrgOffers.map((o) => (
                <Table.Tr key={o.id} data-testid="offer-for-org" data-offer-id={o.id} data-eligible={o.isEligible} className={o.isEligible ? undefined : 'fw-wb-muted'}>
                  <Table.Td>
                    <a href={hrefOf({ screen: 'offer', id: o.id })} className="fw-table-link">
                      {o.title}
                    </a>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {o.reasons.map((reason, i) => (
                        <Badge key={i} size="xs" color={reason.isMet ? 'teal' : 'red'} variant="light">
                          {eligibilityText(t, network, reason)}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      {rows.length === 0 ? (
        <Text c="dimmed" data-testid="offers-empty">
          {isRunner ? t('workbench.offers.empty') : t('workbench.offers.emptyMember')}
        </Text>
      ) : (
        <div className="fw-table-scroll">
          <Table verticalSpacing="xs" striped highlightOnHover data-testid="offer-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('workbench.offer.title')}</Table.Th>
                <Table.Th>{t('workbench.offer.kind')}</Table.Th>
                <Table.Th>{t('workbench.offer.places')}</Table.Th>
                <Table.Th>{t('workbench.offer.closes')}</Table.Th>
                <Table.Th>{isRunner ? t('workbench.offers.eligible') : t('workbench.offers.yourInterest')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map(({ view, eligible }) => {
                const p = view.projection;
                const mine = interestOf.get(interestId(view.header.id, identity.orgId));
                return (
                  <Table.Tr key={view.header.id} data-testid="offer-row" data-offer-id={view.header.id} data-state={p.state}>
                    <Table.Td>
                      <a href={hrefOf({ screen: 'offer', id: view.header.id })} className="fw-table-link" data-testid="offer-row-title">
                        {p.title || view.header.id}
                      </a>{' '}
                      <Badge size="xs" variant="light" color={p.state === 'published' ? (isOfferOpen(p, now) ? 'teal' : 'gray') : p.state === 'draft' ? 'yellow' : 'gray'}>
                        {t(`workbench.offerState.${p.state}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{t(`workbench.kind.${p.kind}`)}</Table.Td>
                    <Table.Td>{p.places}</Table.Td>
                    <Table.Td>{p.closesAt > 0 ? formatDate(i18n.language, p.closesAt - 1) : ''}</Table.Td>
                    <Table.Td>
                      {eligible !== null ? (
                        eligible
                      ) : mine ? (
                        <Badge size="sm" data-testid="offer-row-interest" data-stage={mine}>
                          {t(`workbench.stage.${mine}`)}
                        </Badge>
                      ) : (
                        ''
                      )}
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
