import { Alert, Anchor, Badge, Button, Center, Group, Loader, Paper, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { matchOffer } from '../../shared/matching/matchOffer';
import { offerEligibility } from '../../shared/matching/offerEligibility';
import { isOfferOpen } from '../../shared/matching/offersFor';
import { interestId } from '../../shared/records/interest';
import { offerMutators } from '../../shared/records/offer';
import { formatRegion } from '../../shared/records/region';
import { hrefOf } from '../app/route';
import { useObservable } from '../app/useObservable';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';
import { OfferForm } from './OfferForm';
import { ReasonDialog } from '../governance/TrustPanels';
import { useOrgNames } from '../data/useOrgNames';
import { StepLog } from './PipelineBoard';
import { eligibilityText, formatDate, partnerReasonText, stageLabel } from './reasonText';
import { useNetwork } from '../data/useNetwork';
import { useOrgs } from '../data/useOrgs';
import { canRunOffers, stageIds, toCandidates, useInterests } from './useWorkbenchData';

/** One offer: its terms, who it fits (both ways, with reasons), and interest in it. */
export function OfferDetail({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const view = useObservable(() => client.observeRecord<'offer'>(id), [client, id], undefined);
  const network = useNetwork(client);
  const orgs = useOrgs(client);
  const interests = useInterests(client);
  const candidates = useMemo(() => toCandidates(orgs), [orgs]);
  const [isEditing, setEditing] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isClosing, setClosing] = useState(false);
  const names = useOrgNames(client);
  const isRunner = canRunOffers(identity, network);
  const stageOrder = stageIds(network);
  const matches = useMemo(
    () => (view && view.header.type === 'offer' && isRunner ? matchOffer(view.projection, candidates, { stageOrder, includeIneligible: true }) : []),
    [view, isRunner, candidates, stageOrder.join('|')],
  );

  if (view === undefined) {
    return (
      <Center p="xl">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  }
  if (view === null || view.header.type !== 'offer') {
    return (
      <Stack>
        <Text role="alert">{t('workbench.offer.missing')}</Text>
        <Anchor href={hrefOf({ screen: 'workbench', section: 'offers' })}>{t('workbench.offers.back')}</Anchor>
      </Stack>
    );
  }
  const p = view.projection;
  const now = Date.now();
  const isOpen = isOfferOpen(p, now);
  const interestByOrg = new Map(interests.filter((i) => i.projection.offerId === id).map((i) => [i.header.ownerOrg, i]));
  const own = candidates.find((c) => c.id === identity.orgId);
  const ownEligibility = own ? offerEligibility(p.eligibility, own.projection) : null;
  const mine = interests.find((i) => i.header.id === interestId(id, identity.orgId)) ?? null;
  const failed = (caught: unknown) => setError(refusalText(t, caught));
  const setState = (state: 'published') => client.mutate(id, offerMutators.setState, state).catch(failed);
  const close = async (reason: string) => {
    await client.mutate(id, offerMutators.close, reason);
  };
  const expressInterest = () => client.create('interest', { offerId: id, message }).then(() => setMessage(''), failed);
  const canExpress = identity.role !== 'observer' && identity.role !== 'secretariat';
  const e = p.eligibility;

  return (
    <Stack gap="md" data-testid="offer-detail" data-offer-id={id} data-state={p.state}>
      <Group justify="space-between">
        <Group gap="xs">
          <Anchor href={hrefOf({ screen: 'workbench', section: 'offers' })} size="sm">
            {t('workbench.offers.back')}
          </Anchor>
          <Title order={2} size="h4" data-testid="offer-detail-title">
            {p.title}
          </Title>
          <Badge variant="light" data-testid="offer-state">
            {t(`workbench.offerState.${p.state}`)}
          </Badge>
        </Group>
        {isRunner && (
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={() => setEditing((v) => !v)} data-testid="offer-edit">
              {t('workbench.offer.edit')}
            </Button>
            {p.state !== 'published' && (
              <Button size="xs" onClick={() => void setState('published')} data-testid="offer-detail-publish">
                {t('workbench.offer.publish')}
              </Button>
            )}
            {p.state === 'published' && (
              <Button size="xs" color="gray" onClick={() => setClosing(true)} data-testid="offer-close">
                {t('workbench.offer.close')}
              </Button>
            )}
          </Group>
        )}
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      <ReasonDialog isOpen={isClosing} title={t('workbench.offer.closeTitle')} body={t('workbench.offer.closeBody')} confirmLabel={t('workbench.offer.closeConfirm')} onConfirm={close} onClose={() => setClosing(false)} testId="offer-close-dialog" />
      {p.state === 'closed' && p.closure && (
        <Alert color="gray" data-testid="offer-closure">
          {t('workbench.offer.closedBecause', { org: names.get(p.closure.orgId) ?? p.closure.orgId, date: formatDate(i18n.language, p.closure.at), reason: p.closure.reason })}
        </Alert>
      )}
      {isEditing && isRunner && <OfferForm id={id} offer={p} network={network} onDone={() => setEditing(false)} />}
      <Paper withBorder p="md" radius="md">
        <Stack gap={6}>
          <Text size="sm">
            {t(`workbench.kind.${p.kind}`)} · {t('workbench.offer.placesCount', { count: p.places })} · {formatDate(i18n.language, p.opensAt)} – {formatDate(i18n.language, Math.max(p.opensAt, p.closesAt - 1))}
          </Text>
          {p.description && <Text size="sm">{p.description}</Text>}
          <Text size="xs" c="dimmed" data-testid="offer-criteria">
            {[
              e.stages.length > 0 ? t('workbench.offer.criteriaStages', { stages: e.stages.map((s) => stageLabel(t, network, s)).join(', ') }) : '',
              e.regions.length > 0 ? t('workbench.offer.criteriaRegions', { regions: e.regions.map(formatRegion).join('; ') }) : '',
              e.capabilities.length > 0 ? t('workbench.offer.criteriaCapabilities', { capabilities: e.capabilities.join(', ') }) : '',
              e.minStaff !== null ? t('workbench.offer.criteriaMinStaff', { min: e.minStaff }) : '',
              e.maxStaff !== null ? t('workbench.offer.criteriaMaxStaff', { max: e.maxStaff }) : '',
            ]
              .filter(Boolean)
              .join(' · ') || t('workbench.offer.openToAll')}
          </Text>
        </Stack>
      </Paper>

      {!isRunner && ownEligibility && (
        <Paper withBorder p="md" radius="md" data-testid="offer-own-fit" data-eligible={ownEligibility.isEligible}>
          <Stack gap="xs">
            <Title order={3} size="h6">
              {ownEligibility.isEligible ? t('workbench.offer.fitsYou') : t('workbench.offer.notForYou')}
            </Title>
            <Group gap={4}>
              {ownEligibility.reasons.map((reason, i) => (
                <Badge key={i} size="sm" color={reason.isMet ? 'teal' : 'red'} variant="light">
                  {eligibilityText(t, network, reason)}
                </Badge>
              ))}
            </Group>
            {mine ? (
              <Stack gap={4} data-testid="own-interest" data-stage={mine.projection.stage}>
                <Text size="sm">
                  {t('workbench.offer.yourInterest')}{' '}
                  <Badge data-testid="own-interest-stage">{t(`workbench.stage.${mine.projection.stage}`)}</Badge>
                </Text>
                <StepLog steps={mine.projection.steps} />
              </Stack>
            ) : (
              canExpress &&
              isOpen &&
              ownEligibility.isEligible && (
                <Stack gap="xs">
                  <Textarea label={t('workbench.offer.message')} value={message} onChange={(ev) => setMessage(ev.currentTarget.value)} autosize minRows={2} data-testid="interest-message" />
                  <Group>
                    <Button onClick={() => void expressInterest()} data-testid="interest-submit">
                      {t('workbench.offer.expressInterest')}
                    </Button>
                  </Group>
                </Stack>
              )
            )}
          </Stack>
        </Paper>
      )}

      {isRunner && (
        <Stack gap="xs">
          <Title order={3} size="h6">
            {t('workbench.offer.matches', { count: matches.filter((m) => m.isEligible).length })}
          </Title>
          <div className="fw-table-scroll">
            <Table verticalSpacing="xs" striped data-testid="offer-matches">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('orgs.name')}</Table.Th>
                  <Table.Th>{t('workbench.offer.eligibility')}</Table.Th>
                  <Table.Th>{t('workbench.finder.score')}</Table.Th>
                  <Table.Th>{t('workbench.offers.yourInterest')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {matches.map((m) => {
                  const interest = interestByOrg.get(m.id);
                  return (
                    <Table.Tr key={m.id} data-testid="offer-match" data-org-id={m.id} data-eligible={m.isEligible} className={m.isEligible ? undefined : 'fw-wb-muted'}>
                      <Table.Td>{m.name}</Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {m.eligibility.length === 0 && (
                            <Badge size="xs" variant="light">
                              {t('workbench.offer.openToAll')}
                            </Badge>
                          )}
                          {m.eligibility.map((reason, i) => (
                            <Badge key={i} size="xs" color={reason.isMet ? 'teal' : 'red'} variant="light">
                              {eligibilityText(t, network, reason)}
                            </Badge>
                          ))}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {m.score.toFixed(2)}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {m.fit.map((r) => partnerReasonText(t, network, r)).join(' · ')}
                        </Text>
                      </Table.Td>
                      <Table.Td>{interest ? <Badge size="sm">{t(`workbench.stage.${interest.projection.stage}`)}</Badge> : ''}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
        </Stack>
      )}
    </Stack>
  );
}
