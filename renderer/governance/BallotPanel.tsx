import { Alert, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ballotReceipt } from '../../shared/governance/ballotReceipt';
import { countedCast } from '../../shared/governance/countedCast';
import type { ProposalPhase } from '../../shared/governance/proposalPhase';
import { ballotId, ballotMutators, type BallotProjection, type Choice } from '../../shared/records/ballot';
import type { ProposalProjection } from '../../shared/records/proposal';
import { useObservable } from '../app/useObservable';
import { useQuarantine } from '../data/useQuarantine';
import { refusalText } from '../i18n/refusalText';
import { useSession, useSessionSync } from '../session/SessionContext';
import { BallotChoiceForm } from './BallotChoiceForm';
import { ballotDelivery } from './ballotDelivery';
import { ballotForms } from './ballotForms';
import { BallotRevisions } from './BallotRevisions';
import { useUnsentCount } from './useGovernance';

interface BallotPanelProps {
  readonly proposalId: string;
  readonly proposal: ProposalProjection;
  readonly phase: ProposalPhase;
  readonly isEligible: boolean;
}

/** This organization's ballot: the form for the proposal's method, where it stands on its way to the hub, its revisions and its receipt. */
export function BallotPanel({ proposalId, proposal, phase, isEligible }: BallotPanelProps) {
  const { t } = useTranslation();
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

  // What the form shows: the choice being edited, else the ballot as cast, else an empty one.
  const shown: Choice | null = draft ?? (ballot?.choice?.method === proposal.method ? ballot.choice : ballotForms[proposal.method].emptyChoice(proposal));
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
      setError(refusalText(t, caught));
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
        <BallotChoiceForm method={proposal.method} proposal={proposal} choice={shown} labels={labels} isDisabled={!canVote} onChange={(choice) => setDraft(choice)} />
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
        {ballot && ballot.revisions.length > 0 && <BallotRevisions revisions={ballot.revisions} labels={labels} deviceId={identity.deviceId} />}
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
            <Text size="sm">{t('governance.ballot.refused', { code: delivery.code, message: refusalText(t, delivery) })}</Text>
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
