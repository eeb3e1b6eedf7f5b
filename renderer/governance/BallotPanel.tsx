import { Alert, Button, Code, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ballotReceipt } from '../../shared/governance/ballotReceipt';
import { countedCast, hasCast, needsConfirmation } from '../../shared/governance/countedCast';
import { positionReasonProblem } from '../../shared/governance/positionReason';
import { useOrgNames } from '../data/useOrgNames';
import type { ProposalPhase } from '../../shared/governance/proposalPhase';
import { ballotId, ballotMutators, ballotTermsOf, type BallotProjection, type Choice } from '../../shared/records/ballot';
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
  const [reasonDraft, setReasonDraft] = useState<string | null>(null);
  const names = useOrgNames(client);
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
  useEffect(() => setReasonDraft(null), [ballot?.revisions.length]);

  const delivery = ballotDelivery({
    // A facilitator's cast is this organization's ballot too (it never writes `choice`).
    isCast: ballot !== null && hasCast(ballot),
    pendingCount: unsent,
    refusal: quarantined[0] ? { code: quarantined[0].code, message: quarantined[0].message } : null,
    isConnected,
  });
  // The receipt is of the cast that counts (the latest revision), as the decision record lists it.
  const counted = ballot ? countedCast(ballot, proposal.version) : null;
  const reason = reasonDraft ?? counted?.reason ?? '';
  const reasonProblem = shown ? positionReasonProblem(shown, reason) : null;
  const isStale = ballot !== null && needsConfirmation(ballot, proposal.version);
  const receipt = counted ? ballotReceipt({ proposalId, orgId: identity.orgId, choice: counted.choice, castAt: counted.castAt, salt: ballot?.receiptSalt ?? '' }) : null;

  const cast = async () => {
    if (!shown) return setError(t('governance.ballot.chooseFirst'));
    setBusy(true);
    setError(null);
    try {
      if (reasonProblem) return setError(t('governance.trust.blockNeedsReason'));
      await client.create('ballot', { proposalId, ...ballotTermsOf(proposal) });
      // The version the voter saw: a cast on an earlier one is asked to be confirmed.
      await client.mutate(id, ballotMutators.castOn, { choice: shown, reason: reason.trim(), proposalVersion: proposal.version });
      setDraft(null);
      setReasonDraft(null);
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
        {isStale && canVote && (
          <Alert color="yellow" data-testid="ballot-needs-confirmation" data-version={proposal.version}>
            <Stack gap="xs">
              <Text size="sm">{t('governance.trust.needsConfirmation', { version: proposal.version })}</Text>
              <Group>
                <Button size="xs" variant="light" onClick={() => void cast()} data-testid="ballot-confirm">
                  {t('governance.trust.confirm', { version: proposal.version })}
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}
        {counted?.facilitation && (
          <Alert color="blue" data-testid="ballot-facilitated">
            {t('governance.trust.facilitated', {
              by: names.get(counted.facilitation.byOrgId) ?? counted.facilitation.byOrgId,
              channel: t(`governance.trust.channel.${counted.facilitation.channel}`),
              witness: counted.facilitation.witness,
            })}
          </Alert>
        )}
        <BallotChoiceForm method={proposal.method} proposal={proposal} choice={shown} labels={labels} isDisabled={!canVote} onChange={(choice) => setDraft(choice)} />
        {(canVote || reason !== '') && (
          <Textarea
            label={shown?.method === 'consent' && shown.position === 'block' ? t('governance.trust.reasonRequired') : t('governance.trust.reasonLabel')}
            value={reason}
            onChange={(event) => setReasonDraft(event.currentTarget.value)}
            disabled={!canVote}
            required={reasonProblem !== null}
            error={reasonProblem && draft !== null ? t('governance.trust.blockNeedsReason') : undefined}
            autosize
            minRows={1}
            maxLength={2000}
            data-testid="ballot-reason"
          />
        )}
        {error && (
          <Text size="sm" c="red.8" role="alert" data-testid="ballot-error">
            {error}
          </Text>
        )}
        {canVote && (
          <Group>
            <Button onClick={() => void cast()} loading={isBusy} disabled={shown === null || reasonProblem !== null} data-testid="ballot-cast">
              {ballot?.choice ? t('governance.ballot.change') : t('governance.ballot.cast')}
            </Button>
            {(draft !== null || reasonDraft !== null) && (
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
