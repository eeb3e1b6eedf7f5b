import { Button, Group, Modal, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DecisionReason } from '../../shared/governance/decisionRecord';
import { positionReasonProblem } from '../../shared/governance/positionReason';
import { ballotId, ballotMutators, ballotTermsOf, facilitationChannels, type Choice, type FacilitationChannel } from '../../shared/records/ballot';
import { isCalendarDate } from '../../shared/records/calendarDate';
import { hasVisibleText } from '../../shared/records/visibleText';
import { earlierOutcomes, proposalMutators, type OutcomeStatement, type ProposalProjection, type ProposalStateChange, type ProposalVersionEntry } from '../../shared/records/proposal';
import { BallotChoiceForm } from './BallotChoiceForm';
import { ballotForms } from './ballotForms';
import { screenDateFormat } from '../i18n/dateTime';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';

/*
 * The parts of a decision people can trust, as the proposal screen shows them: the confirmation
 * (with its reason) before an irreversible act, the reasons given for opening and cancelling, the
 * version history, the reasons given with positions, and the outcome statement.
 */

/** Asks for a reason before an irreversible act; `onConfirm` gets the trimmed reason. */
export function ReasonDialog({
  isOpen,
  title,
  body,
  confirmLabel,
  onConfirm,
  onClose,
  testId,
  reasonLabel,
}: {
  readonly isOpen: boolean;
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  readonly onConfirm: (reason: string) => Promise<void>;
  readonly onClose: () => void;
  readonly testId: string;
  /** The reason field's label, when the reason is not shown to everyone (an interest's, say). */
  readonly reasonLabel?: string;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The same rule the records and the hub hold a reason to (shared/records/visibleText.ts).
  const isGiven = hasVisibleText(reason);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm(reason.trim());
      setReason('');
      onClose();
    } catch (caught) {
      setError(refusalText(t, caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={isOpen} onClose={onClose} title={title} data-testid={testId}>
      <Stack gap="sm">
        <Text size="sm">{body}</Text>
        <Textarea
          label={reasonLabel ?? t('governance.trust.actReason')}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          autosize
          minRows={2}
          required
          error={reason !== '' && !isGiven ? t('governance.trust.invisibleText') : undefined}
          data-testid={`${testId}-reason`}
        />
        {error && (
          <Text size="sm" c="red.8" role="alert">
            {error}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('governance.trust.back')}
          </Button>
          <Button color="red" onClick={() => void confirm()} loading={isBusy} disabled={!isGiven} data-testid={`${testId}-confirm`}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function useDates() {
  const { i18n } = useTranslation();
  return useMemo(() => screenDateFormat(i18n.language, 'dateTime'), [i18n.language]);
}

/** Who opened or cancelled the vote, when, and why. */
export function StateChangeList({ changes, names }: { changes: readonly ProposalStateChange[]; names: ReadonlyMap<string, string> }) {
  const { t } = useTranslation();
  const dates = useDates();
  if (changes.length === 0) return null;
  return (
    <Stack gap={2} data-testid="proposal-state-changes">
      <Text size="xs" fw={600}>
        {t('governance.trust.stateChanges')}
      </Text>
      {changes.map((change) => (
        <Text key={`${change.at}-${change.state}`} size="sm" data-testid="proposal-state-change" data-state={change.state}>
          {t(`governance.trust.stateChange.${change.state}`, { who: names.get(change.orgId) ?? change.orgId, at: dates.format(change.at), reason: change.reason })}
        </Text>
      ))}
    </Stack>
  );
}

/** Who changed what between versions. */
export function VersionHistory({ history, names }: { history: readonly ProposalVersionEntry[]; names: ReadonlyMap<string, string> }) {
  const { t } = useTranslation();
  const dates = useDates();
  if (history.length === 0) return null;
  const ordered = [...history].sort((a, b) => a.at - b.at);
  return (
    <Paper withBorder p="md" radius="md" data-testid="proposal-history">
      <Stack gap="xs">
        <Title order={2} size="h5">
          {t('governance.trust.history')}
        </Title>
        {ordered.map((entry, index) => (
          <Stack key={`${entry.at}-${entry.deviceId}`} gap={2} data-testid="proposal-history-entry">
            <Text size="sm" fw={600}>
              {t('governance.trust.historyEntry', { version: index + 2, who: names.get(entry.orgId) ?? entry.orgId, at: dates.format(entry.at) })}
            </Text>
            {entry.changes.map((change) => (
              <Text key={change.field} size="sm" style={{ whiteSpace: 'pre-line' }}>
                {t('governance.trust.historyChange', { field: t(`governance.trust.field.${change.field}`), before: change.before, after: change.after })}
              </Text>
            ))}
            {entry.note && <Text size="sm">{t('governance.trust.historyNote', { note: entry.note })}</Text>}
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}

/** A position in words: a consent position, an option's label, or the method's name. */
export function usePositionText(labels: ReadonlyMap<string, string>): (choice: Choice) => string {
  const { t } = useTranslation();
  return (choice) => {
    switch (choice.method) {
      case 'consent':
        return t(`governance.consent.${choice.position}`);
      case 'single':
        return labels.get(choice.optionId) ?? choice.optionId;
      case 'advice':
        return choice.optionId ? (labels.get(choice.optionId) ?? choice.optionId) : t('governance.method.advice');
      default:
        return t(`governance.method.${choice.method}`);
    }
  };
}

/** The reasons given with counted positions, beside the result. */
export function DecisionReasons({ reasons, labels }: { reasons: readonly DecisionReason[]; labels: ReadonlyMap<string, string> }) {
  const { t } = useTranslation();
  const positionOf = usePositionText(labels);
  if (reasons.length === 0) return null;
  return (
    <Stack gap={2} data-testid="decision-reasons">
      <Text size="xs" fw={600}>
        {t('governance.trust.reasons')}
      </Text>
      {reasons.map((reason, index) => (
        <Text key={`${reason.orgId ?? ''}-${index}`} size="sm" data-testid="decision-reason" data-position={reason.choice.method === 'consent' ? reason.choice.position : reason.choice.method}>
          {reason.name
            ? t('governance.trust.reasonBy', { who: reason.name, position: positionOf(reason.choice), reason: reason.reason })
            : t('governance.trust.reasonAnonymous', { position: positionOf(reason.choice), reason: reason.reason })}
        </Text>
      ))}
    </Stack>
  );
}

/**
 * The outcome statement: shown to everyone once written; written after sealing by the secretariat
 * or the organization that ran the proposal (the hub refuses anyone else, and anything before the
 * seal). Amending adds a revision: the earlier ones stay listed below it, with who wrote them and
 * when (the hub refuses a removal).
 */
export function OutcomePanel({
  proposalId,
  outcome,
  revisions,
  canWrite,
  names,
}: {
  readonly proposalId: string;
  readonly outcome: OutcomeStatement | null;
  /** Every revision, the one in force included. */
  readonly revisions: readonly OutcomeStatement[];
  readonly canWrite: boolean;
  readonly names: ReadonlyMap<string, string>;
}) {
  const { t } = useTranslation();
  const { session } = useSession();
  const dates = useDates();
  const [isEditing, setEditing] = useState(false);
  const [decided, setDecided] = useState(outcome?.decided ?? '');
  const [actions, setActions] = useState(outcome?.actions ?? '');
  const [reviewOn, setReviewOn] = useState(outcome?.reviewOn ?? '');
  const [error, setError] = useState<string | null>(null);
  // The very checks the hub makes (proposal.ts outcomeStatementSchema), before anything is written.
  const isReviewOnValid = isCalendarDate(reviewOn);
  const earlier = earlierOutcomes(revisions);
  const save = async () => {
    setError(null);
    try {
      await session.client.mutate(proposalId, proposalMutators.writeOutcome, { decided, actions, reviewOn });
      setEditing(false);
    } catch (caught) {
      setError(refusalText(t, caught));
    }
  };
  const edit = () => {
    setDecided(outcome?.decided ?? '');
    setActions(outcome?.actions ?? '');
    setReviewOn(outcome?.reviewOn ?? '');
    setEditing(true);
  };
  const byLine = (revision: OutcomeStatement) => ({ who: names.get(revision.orgId) ?? revision.orgId, at: dates.format(revision.at) });
  return (
    <Paper withBorder p="md" radius="md" data-testid="outcome-panel" data-written={outcome ? 'true' : 'false'}>
      <Stack gap="xs">
        <Title order={2} size="h5">
          {t('governance.trust.outcome.title')}
        </Title>
        {!isEditing && outcome && (
          <Stack gap={4} data-testid="outcome-statement">
            <Text size="sm" fw={600}>
              {t('governance.trust.outcome.decided')}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-line' }} data-testid="outcome-decided">
              {outcome.decided}
            </Text>
            {outcome.actions && (
              <>
                <Text size="sm" fw={600}>
                  {t('governance.trust.outcome.actions')}
                </Text>
                <Text size="sm" style={{ whiteSpace: 'pre-line' }} data-testid="outcome-actions">
                  {outcome.actions}
                </Text>
              </>
            )}
            <Text size="sm" data-testid="outcome-review-on" data-review-on={outcome.reviewOn}>
              {t('governance.trust.outcome.reviewLine', { date: outcome.reviewOn })}
            </Text>
            <Text size="xs" c="dimmed">
              {t(earlier.length > 0 ? 'governance.trust.outcome.amendedBy' : 'governance.trust.outcome.by', byLine(outcome))}
            </Text>
          </Stack>
        )}
        {!isEditing && earlier.length > 0 && (
          <Stack gap={4} data-testid="outcome-earlier">
            <Text size="sm" fw={600}>
              {t('governance.trust.outcome.earlier')}
            </Text>
            {earlier.map((revision) => (
              <Text key={`${revision.orgId}-${revision.at}`} size="xs" c="dimmed" style={{ whiteSpace: 'pre-line' }} data-testid="outcome-earlier-revision">
                {t('governance.trust.outcome.earlierLine', { ...byLine(revision), decided: revision.decided, actions: revision.actions || '—', date: revision.reviewOn })}
              </Text>
            ))}
          </Stack>
        )}
        {!isEditing && !outcome && (
          <Text size="sm" c="dimmed">
            {t('governance.trust.outcome.none')}
          </Text>
        )}
        {isEditing && (
          <Stack gap="xs">
            {outcome && (
              <Text size="xs" c="dimmed">
                {t('governance.trust.outcome.amendNote')}
              </Text>
            )}
            <Textarea label={t('governance.trust.outcome.decided')} value={decided} onChange={(e) => setDecided(e.currentTarget.value)} autosize minRows={2} required data-testid="outcome-decided-input" />
            <Textarea label={t('governance.trust.outcome.actions')} value={actions} onChange={(e) => setActions(e.currentTarget.value)} autosize minRows={2} data-testid="outcome-actions-input" />
            <TextInput
              type="date"
              label={t('governance.trust.outcome.reviewOn')}
              value={reviewOn}
              onChange={(e) => setReviewOn(e.currentTarget.value)}
              required
              error={reviewOn !== '' && !isReviewOnValid ? t('governance.trust.outcome.reviewInvalid') : undefined}
              data-testid="outcome-review-input"
            />
            {error && (
              <Text size="sm" c="red.8" role="alert">
                {error}
              </Text>
            )}
            <Group>
              <Button size="xs" onClick={() => void save()} disabled={!hasVisibleText(decided) || !isReviewOnValid} data-testid="outcome-save">
                {t('governance.trust.outcome.save')}
              </Button>
              <Button size="xs" variant="default" onClick={() => setEditing(false)}>
                {t('governance.trust.outcome.cancel')}
              </Button>
            </Group>
          </Stack>
        )}
        {canWrite && !isEditing && (
          <Group>
            <Button size="xs" variant="light" onClick={edit} data-testid="outcome-write">
              {outcome ? t('governance.trust.outcome.amend') : t('governance.trust.outcome.write')}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/**
 * A facilitator's ballot (the secretariat, or a steward with the proposals scope): recorded on a
 * field visit or a phone call for an organization without a laptop that has not voted itself, with
 * how and a witness. It is written into that organization's own ballot, in its facilitated log
 * only; the hub checks the rest.
 */
export function FacilitatePanel({
  proposalId,
  proposal,
  voters,
  names,
  ownCastOrgIds,
}: {
  readonly proposalId: string;
  readonly proposal: ProposalProjection;
  readonly voters: readonly string[];
  readonly names: ReadonlyMap<string, string>;
  /** Organizations that have cast a ballot themselves: nobody records one for them. */
  readonly ownCastOrgIds: ReadonlySet<string>;
}) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const [orgId, setOrgId] = useState<string | null>(null);
  const [channel, setChannel] = useState<FacilitationChannel>('in-person');
  const [witness, setWitness] = useState('');
  const [reason, setReason] = useState('');
  const [choice, setChoice] = useState<Choice | null>(null);
  const [message, setMessage] = useState<{ kind: 'error' | 'done'; text: string } | null>(null);
  const shown = choice ?? ballotForms[proposal.method].emptyChoice(proposal);
  const labels = useMemo(() => new Map(proposal.options.map((o) => [o.id, o.label])), [proposal.options]);
  const others = voters.filter((id) => id !== session.profile.identity.orgId);
  const problem = shown ? positionReasonProblem(shown, reason) : null;
  const isWitnessNamed = hasVisibleText(witness);
  // The hub refuses it too (own-ballot-cast): an organization's own vote is never replaced on another's word.
  const hasOwnCast = orgId !== null && ownCastOrgIds.has(orgId);
  const record = async () => {
    if (!orgId || !shown) return;
    setMessage(null);
    try {
      await client.create('ballot', { proposalId, ...ballotTermsOf(proposal) }, { ownerOrg: orgId });
      await client.mutate(ballotId(proposalId, orgId), ballotMutators.facilitate, { choice: shown, reason: reason.trim(), proposalVersion: proposal.version, channel, witness: witness.trim() });
      setMessage({ kind: 'done', text: t('governance.trust.facilitate.recorded', { org: names.get(orgId) ?? orgId }) });
      setChoice(null);
      setReason('');
    } catch (caught) {
      setMessage({ kind: 'error', text: refusalText(t, caught) });
    }
  };
  return (
    <Paper withBorder p="md" radius="md" data-testid="facilitate-panel">
      <Stack gap="xs">
        <Title order={2} size="h5">
          {t('governance.trust.facilitate.title')}
        </Title>
        <Text size="xs" c="dimmed">
          {t('governance.trust.facilitate.help')}
        </Text>
        <Select label={t('governance.trust.facilitate.org')} data={others.map((id) => ({ value: id, label: names.get(id) ?? id }))} value={orgId} onChange={setOrgId} searchable data-testid="facilitate-org" />
        <Select
          label={t('governance.trust.facilitate.channel')}
          data={facilitationChannels.map((value) => ({ value, label: t(`governance.trust.channel.${value}`) }))}
          value={channel}
          onChange={(value) => setChannel((value as FacilitationChannel | null) ?? 'in-person')}
          allowDeselect={false}
          data-testid="facilitate-channel"
        />
        <TextInput
          label={t('governance.trust.facilitate.witness')}
          value={witness}
          onChange={(e) => setWitness(e.currentTarget.value)}
          required
          error={witness !== '' && !isWitnessNamed ? t('governance.trust.invisibleText') : undefined}
          data-testid="facilitate-witness"
        />
        <BallotChoiceForm method={proposal.method} proposal={proposal} choice={shown} labels={labels} isDisabled={false} onChange={setChoice} />
        <Textarea label={problem ? t('governance.trust.reasonRequired') : t('governance.trust.reasonLabel')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={1} data-testid="facilitate-reason" />
        {hasOwnCast && (
          <Text size="sm" c="orange.9" role="alert" data-testid="facilitate-own-cast">
            {t('governance.trust.facilitate.ownCast', { org: names.get(orgId) ?? orgId })}
          </Text>
        )}
        {message && (
          <Text size="sm" c={message.kind === 'error' ? 'red.8' : 'teal.8'} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="facilitate-message">
            {message.text}
          </Text>
        )}
        <Group>
          <Button size="xs" onClick={() => void record()} disabled={!orgId || hasOwnCast || !shown || !isWitnessNamed || problem !== null} data-testid="facilitate-submit">
            {t('governance.trust.facilitate.submit')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
