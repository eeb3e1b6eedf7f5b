import { Alert, Button, Checkbox, Code, Group, Paper, Radio, SegmentedControl, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ballotReceipt } from '../../shared/governance/ballotReceipt';
import { countedCast } from '../../shared/governance/countedCast';
import { governanceErrorCodes, type GovernanceErrorCode } from '../../shared/governance/governanceErrorCodes';
import type { ProposalPhase } from '../../shared/governance/proposalPhase';
import { ballotId, ballotMutators, type BallotProjection, type Choice } from '../../shared/records/ballot';
import type { ProposalProjection } from '../../shared/records/proposal';
import { useObservable } from '../app/useObservable';
import { useQuarantine } from '../editor/useQuarantine';
import { useSession, useSessionSync } from '../session/SessionContext';
import { ballotDelivery } from './ballotDelivery';
import { RankedBallot } from './RankedBallot';
import { initialRanking } from './rankedOrder';
import { useUnsentCount } from './useGovernance';

interface BallotPanelProps {
  readonly proposalId: string;
  readonly proposal: ProposalProjection;
  readonly phase: ProposalPhase;
  readonly isEligible: boolean;
}

const isGovernanceCode = (code: string): code is GovernanceErrorCode => (governanceErrorCodes as readonly string[]).includes(code);

/** A fresh choice for the method, shown before anything is cast. */
function emptyChoice(p: ProposalProjection): Choice | null {
  switch (p.method) {
    case 'consent':
      return null;
    case 'single':
      return null;
    case 'multiple':
      return { method: 'multiple', optionIds: [] };
    case 'ranked':
      return { method: 'ranked', ranking: p.options.map((o) => o.id) };
    case 'score':
      return { method: 'score', scores: Object.fromEntries(p.options.map((o) => [o.id, 0])) };
    case 'advice':
      return { method: 'advice' };
  }
}

/** This organization's ballot: the form for the proposal's method, where it stands on its way to the hub, its revisions and its receipt. */
export function BallotPanel({ proposalId, proposal, phase, isEligible }: BallotPanelProps) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const id = ballotId(proposalId, identity.orgId);
  const view = useObservable(() => client.observeRecord<'ballot'>(id), [client, id], null);
  const ballot: BallotProjection | null = view?.projection ?? null;
  const [draft, setDraft] = useState<Choice | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const unsent = useUnsentCount(client, id);
  const quarantined = useQuarantine(session, id);
  const sync = useSessionSync(session);
  const isConnected = sync.kind === 'engine' && (sync.status.isLive || sync.status.state === 'syncing' || sync.status.state === 'connecting');
  const dateFormat = useMemo(() => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'medium' }), [i18n.language]);

  // What the form shows: the choice being edited, else the ballot as cast, else an empty one.
  const shown: Choice | null = draft ?? (ballot?.choice?.method === proposal.method ? ballot.choice : emptyChoice(proposal));
  const isOpen = phase === 'open';
  const canVote = isOpen && isEligible && identity.role !== 'observer';
  useEffect(() => setDraft(null), [ballot?.castAt]);

  const delivery = ballotDelivery({
    isCast: ballot?.choice !== null && ballot !== null,
    pendingCount: unsent,
    refusal: quarantined[0] ? { code: quarantined[0].code, message: quarantined[0].message } : null,
    isConnected,
  });
  // The receipt is of the cast that counts (the latest revision), as the decision record lists it.
  const counted = ballot ? countedCast(ballot) : null;
  const receipt = counted ? ballotReceipt({ proposalId, orgId: identity.orgId, choice: counted.choice, castAt: counted.castAt, salt: ballot?.receiptSalt ?? '' }) : null;

  const cast = async () => {
    if (!shown) return setError(t('governance.ballot.chooseFirst'));
    setBusy(true);
    setError(null);
    try {
      await client.create('ballot', { proposalId, isSecret: proposal.secrecy === 'secret' });
      await client.mutate(id, ballotMutators.cast, shown);
      setDraft(null);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  if (!isEligible && !ballot) {
    return (
      <Paper withBorder p="md" radius="md" data-testid="ballot-panel" data-eligible="false">
        <Text size="sm" c="dimmed">
          {t('governance.ballot.notEligible')}
        </Text>
      </Paper>
    );
  }

  const labels = new Map(proposal.options.map((o) => [o.id, o.label]));
  return (
    <Paper withBorder p="md" radius="md" data-testid="ballot-panel" data-method={proposal.method}>
      <Stack gap="sm">
        <Title order={2} size="h5">
          {t('governance.ballot.title')}
        </Title>
        {phase === 'upcoming' && <Text size="sm">{t('governance.ballot.notOpenYet')}</Text>}
        {phase === 'closed' && <Text size="sm">{t('governance.ballot.closed')}</Text>}
        {shown !== null || proposal.method === 'consent' || proposal.method === 'single' ? (
          <ChoiceForm proposal={proposal} choice={shown} labels={labels} isDisabled={!canVote} onChange={(choice) => setDraft(choice)} />
        ) : null}
        {error && (
          <Text size="sm" c="red.8" role="alert" data-testid="ballot-error">
            {error}
          </Text>
        )}
        {canVote && (
          <Group>
            <Button onClick={() => void cast()} loading={isBusy} disabled={shown === null} data-testid="ballot-cast">
              {ballot?.choice ? t('governance.ballot.change') : t('governance.ballot.cast')}
            </Button>
            {draft !== null && (
              <Text size="xs" c="dimmed" data-testid="ballot-unsaved">
                {t('governance.ballot.unsaved')}
              </Text>
            )}
          </Group>
        )}
        <DeliveryNotice delivery={delivery} onRetry={() => void session.syncEngine?.releaseQuarantine([id])} />
        {receipt && (
          <Stack gap={2} data-testid="ballot-receipt" data-receipt={receipt}>
            <Text size="xs">{t('governance.ballot.receipt')}</Text>
            <Code block className="fw-receipt">
              {receipt}
            </Code>
          </Stack>
        )}
        {ballot && ballot.revisions.length > 0 && (
          <details className="fw-gov-revisions" data-testid="ballot-revisions" data-count={ballot.revisions.length}>
            <summary>{t('governance.ballot.revisions', { count: ballot.revisions.length })}</summary>
            <Table verticalSpacing={4} fz="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('governance.ballot.revisionTime')}</Table.Th>
                  <Table.Th>{t('governance.ballot.revisionDevice')}</Table.Th>
                  <Table.Th>{t('governance.ballot.revisionChoice')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {ballot.revisions.map((revision, index) => (
                  <Table.Tr key={index} data-testid="ballot-revision">
                    <Table.Td>{dateFormat.format(revision.at)}</Table.Td>
                    <Table.Td>{revision.deviceId === identity.deviceId ? t('governance.ballot.thisDevice') : revision.deviceId}</Table.Td>
                    <Table.Td>
                      <ChoiceSummary choice={revision.choice} labels={labels} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </details>
        )}
      </Stack>
    </Paper>
  );
}

function DeliveryNotice({ delivery, onRetry }: { delivery: ReturnType<typeof ballotDelivery>; onRetry: () => void }) {
  const { t } = useTranslation();
  switch (delivery.kind) {
    case 'not-cast':
      return null;
    case 'saved-offline':
      return (
        <Alert color="yellow" data-testid="ballot-delivery" data-state="saved-offline">
          {t('governance.ballot.savedOffline')}
        </Alert>
      );
    case 'sending':
      return (
        <Text size="sm" c="dimmed" data-testid="ballot-delivery" data-state="sending" role="status">
          {t('governance.ballot.sending')}
        </Text>
      );
    case 'received':
      return (
        <Text size="sm" c="teal.8" data-testid="ballot-delivery" data-state="received" role="status">
          {t('governance.ballot.received')}
        </Text>
      );
    case 'refused-late':
      return (
        <Alert color="red" role="alert" data-testid="ballot-delivery" data-state="refused-late">
          {t('governance.ballot.refusedLate')}
        </Alert>
      );
    case 'refused':
      return (
        <Alert color="red" role="alert" data-testid="ballot-delivery" data-state="refused">
          <Stack gap="xs">
            <Text size="sm">{t('governance.ballot.refused', { code: delivery.code, message: isGovernanceCode(delivery.code) ? t(`governance.refusal.${delivery.code}`) : delivery.message })}</Text>
            <Group>
              <Button size="xs" variant="light" color="red" onClick={onRetry}>
                {t('governance.ballot.retry')}
              </Button>
            </Group>
          </Stack>
        </Alert>
      );
  }
}

export function ChoiceSummary({ choice, labels }: { choice: Choice; labels: ReadonlyMap<string, string> }) {
  const { t } = useTranslation();
  const label = (id: string) => labels.get(id) ?? id;
  switch (choice.method) {
    case 'consent':
      return <>{t(`governance.consent.${choice.position}`)}</>;
    case 'single':
      return <>{label(choice.optionId)}</>;
    case 'multiple':
      return <>{choice.optionIds.map(label).join(', ')}</>;
    case 'ranked':
      return <>{choice.ranking.map((id, index) => `${index + 1}. ${label(id)}`).join('  ')}</>;
    case 'score':
      return <>{Object.entries(choice.scores).map(([id, score]) => `${label(id)}: ${score}`).join(', ')}</>;
    case 'advice':
      return <>{[choice.optionId ? label(choice.optionId) : '', choice.note ?? ''].filter(Boolean).join(' — ')}</>;
  }
}

function ChoiceForm({ proposal, choice, labels, isDisabled, onChange }: { proposal: ProposalProjection; choice: Choice | null; labels: ReadonlyMap<string, string>; isDisabled: boolean; onChange: (choice: Choice) => void }) {
  const { t } = useTranslation();
  switch (proposal.method) {
    case 'consent':
      return (
        <Radio.Group label={t('governance.ballot.yourPosition')} value={choice?.method === 'consent' ? choice.position : null} onChange={(position) => onChange({ method: 'consent', position: position as 'agree' })} data-testid="ballot-consent">
          <Stack gap="xs" mt="xs">
            {(['agree', 'abstain', 'disagree', 'block'] as const).map((position) => (
              <Radio key={position} value={position} label={t(`governance.consent.${position}`)} description={t(`governance.consentHelp.${position}`)} disabled={isDisabled} data-testid={`ballot-consent-${position}`} />
            ))}
          </Stack>
        </Radio.Group>
      );
    case 'single':
      return (
        <Radio.Group label={t('governance.ballot.chooseOne')} value={choice?.method === 'single' ? choice.optionId : null} onChange={(optionId) => onChange({ method: 'single', optionId })} data-testid="ballot-single">
          <Stack gap="xs" mt="xs">
            {proposal.options.map((option) => (
              <Radio key={option.id} value={option.id} label={option.label} disabled={isDisabled} data-testid="ballot-option" data-option-id={option.id} />
            ))}
          </Stack>
        </Radio.Group>
      );
    case 'multiple': {
      const selected = choice?.method === 'multiple' ? choice.optionIds : [];
      return (
        <Checkbox.Group label={t('governance.ballot.chooseUpTo', { count: proposal.maxChoices })} value={selected} onChange={(optionIds) => onChange({ method: 'multiple', optionIds: proposal.options.map((o) => o.id).filter((id) => optionIds.includes(id)) })} data-testid="ballot-multiple">
          <Stack gap="xs" mt="xs">
            {proposal.options.map((option) => (
              <Checkbox key={option.id} value={option.id} label={option.label} disabled={isDisabled || (!selected.includes(option.id) && selected.length >= proposal.maxChoices)} data-testid="ballot-option" data-option-id={option.id} />
            ))}
          </Stack>
        </Checkbox.Group>
      );
    }
    case 'ranked': {
      const ranking = initialRanking(
        proposal.options.map((o) => o.id),
        choice?.method === 'ranked' ? choice.ranking : [],
      );
      return <RankedBallot ranking={ranking} labels={labels} isDisabled={isDisabled} onChange={(next) => onChange({ method: 'ranked', ranking: next })} />;
    }
    case 'score': {
      const scores = choice?.method === 'score' ? choice.scores : {};
      return (
        <Stack gap="xs" data-testid="ballot-score">
          <Text size="sm" fw={500}>
            {t('governance.ballot.scoreEach')}
          </Text>
          {proposal.options.map((option) => (
            <Group key={option.id} justify="space-between" wrap="nowrap" data-testid="ballot-option" data-option-id={option.id}>
              <Text size="sm" id={`score-${option.id}`}>
                {option.label}
              </Text>
              <SegmentedControl
                size="xs"
                aria-labelledby={`score-${option.id}`}
                data={['0', '1', '2', '3', '4', '5']}
                value={String(scores[option.id] ?? 0)}
                onChange={(value) => onChange({ method: 'score', scores: { ...scores, [option.id]: Number(value) } })}
                disabled={isDisabled}
              />
            </Group>
          ))}
        </Stack>
      );
    }
    case 'advice': {
      const advice = choice?.method === 'advice' ? choice : { method: 'advice' as const };
      return (
        <Stack gap="xs" data-testid="ballot-advice">
          {proposal.options.length > 0 && (
            <Radio.Group label={t('governance.ballot.adviceOption')} value={advice.optionId ?? null} onChange={(optionId) => onChange({ ...advice, optionId })}>
              <Stack gap="xs" mt="xs">
                {proposal.options.map((option) => (
                  <Radio key={option.id} value={option.id} label={option.label} disabled={isDisabled} data-testid="ballot-option" data-option-id={option.id} />
                ))}
              </Stack>
            </Radio.Group>
          )}
          <Textarea label={t('governance.ballot.adviceNote')} value={advice.note ?? ''} maxLength={2000} autosize minRows={2} onChange={(event) => onChange({ ...advice, note: event.currentTarget.value })} disabled={isDisabled} data-testid="ballot-advice-note" />
        </Stack>
      );
    }
  }
}
