import { Alert, Anchor, Badge, Button, Center, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ballotReceipt } from '../../shared/governance/ballotReceipt';
import { countedCast } from '../../shared/governance/countedCast';
import { methodFor } from '../../shared/governance/decisionMethods';
import { decisionRecord } from '../../shared/governance/decisionRecord';
import { eligibleOrgIds as eligibleOf } from '../../shared/governance/eligibleOrgIds';
import { isSameVoterList, votersOf } from '../../shared/governance/voters';
import { areResultsVisible, graceEndsAt, proposalPhase, type ProposalPhase } from '../../shared/governance/proposalPhase';
import { ballotTermsOf } from '../../shared/records/ballot';
import { proposalMutators, type ProposalProjection } from '../../shared/records/proposal';
import { isSealedResult } from '../../shared/governance/isSealedResult';
import { resultId } from '../../shared/records/result';
import { isAllowed } from '../../shared/rules/rules';
import { hrefOf, proposalHref } from '../app/route';
import { useObservable } from '../app/useObservable';
import { RichTextField } from '../forms/RichTextField';
import { useQuarantine } from '../data/useQuarantine';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';
import { BallotPanel } from './BallotPanel';
import { CommentThread } from './CommentThread';
import { DecisionRecordPanel } from './DecisionRecordPanel';
import { ProposalRevise } from './ProposalRevise';
import { DecisionReasons, FacilitatePanel, OutcomePanel, ReasonDialog, StateChangeList, VersionHistory } from './TrustPanels';
import { ResultsView } from './ResultsView';
import { useNetwork } from '../data/useNetwork';
import { useOrgNames } from '../data/useOrgNames';
import { canRunProposals, useNowAt } from './useGovernance';
import { useRecordDoc } from '../data/useRecordDoc';
import { screenDateFormat } from '../i18n/dateTime';

const PHASE_COLORS: Record<ProposalPhase, string> = { draft: 'gray', cancelled: 'gray', upcoming: 'blue', open: 'teal', closed: 'violet' };

/** One proposal: its terms and description, this organization's ballot, the results, and the comments. */
export function ProposalView({ id }: { id: string }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const view = useObservable(() => session.client.observeRecord<'proposal'>(id), [session, id], undefined);
  if (view === undefined)
    return (
      <Center p="xl">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  if (view === null || view.header.type !== 'proposal')
    return (
      <Stack p="lg" className="fw-screen">
        <Text role="alert">{t('governance.notFound')}</Text>
        <Anchor href={hrefOf({ screen: 'governance' })}>{t('governance.backToList')}</Anchor>
      </Stack>
    );
  return <ProposalDetails id={id} proposal={view.projection} proposalOwner={view.header.ownerOrg} />;
}

function ProposalDetails({ id, proposal: p, proposalOwner }: { id: string; proposal: ProposalProjection; proposalOwner: string }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const network = useNetwork(client);
  const names = useOrgNames(client);
  const now = useNowAt([p.opensAt, p.closesAt, graceEndsAt(p)]);
  const phase = proposalPhase(p, now);
  const isRunner = canRunProposals(identity, network);
  // Fixed when the vote opened; before that, who would be asked if it opened now.
  const eligibleOrgIds = useMemo(() => votersOf(p, network?.members ?? []), [p, network]);
  const isEligible = eligibleOrgIds.includes(identity.orgId);
  const ballots = useObservable(() => client.observe({ type: 'ballot', refId: id }), [client, id], []);
  const sealed = useObservable(() => client.observeRecord<'result'>(resultId(id)), [client, id], null);
  const record = useMemo(
    () =>
      decisionRecord({
        proposalId: id,
        proposal: p,
        network: { members: network?.members ?? [], hubKey: network?.hubKey ?? '' },
        result: isSealedResult(sealed, id) ? sealed.projection : null,
        // The hub's arrival times are not known on a device; the sealed record has them.
        ballots: ballots.filter((view) => view.projection.proposalId === id).map((view) => ({ orgId: view.header.ownerOrg, ballot: view.projection, receivedAt: null })),
        now,
        viewer: identity,
      }),
    [id, p, network, sealed, ballots, now, identity],
  );
  const ownBallot = ballots.find((view) => view.header.ownerOrg === identity.orgId);
  const ownCastOrgIds = useMemo(() => new Set(ballots.filter((view) => view.projection.proposalId === id && view.projection.revisions.length > 0).map((view) => view.header.ownerOrg)), [ballots, id]);
  const ownCast = ownBallot ? countedCast(ownBallot.projection, p.version) : null;
  const ownReceipt = ownCast ? ballotReceipt({ proposalId: id, orgId: identity.orgId, choice: ownCast.choice, castAt: ownCast.castAt, salt: ownBallot?.projection.receiptSalt ?? '' }) : null;
  const dateFormat = useMemo(() => screenDateFormat(i18n.language, 'dateTime'), [i18n.language]);
  const refused = useQuarantine(session, id)[0] ?? null;
  // Under secret ballots, and an after-close poll's until the seal, a member holds only its own
  // ballot: its tally would mislead.
  const withheld = ballotTermsOf(p);
  const canSeeAllBallots = (!withheld.isSecret && !withheld.isWithheld) || identity.role === 'secretariat';
  const isResultsTime = areResultsVisible(p, now) && phase !== 'draft' && phase !== 'upcoming' && phase !== 'cancelled';

  const [confirming, setConfirming] = useState<'open' | 'cancel' | null>(null);
  // Opening fixes the voters: the network's eligible organizations at this moment (the hub checks).
  const votersNow = useMemo(() => eligibleOf(network?.members ?? [], p.eligible), [network, p.eligible]);
  const confirmAct = async (reason: string) => {
    if (confirming === 'open') await client.mutate(id, proposalMutators.openVote, { reason, eligibleOrgIds: votersNow });
    else await client.mutate(id, proposalMutators.cancelVote, reason);
  };
  // The secretariat, or the organization that ran the proposal, writes the outcome once sealed.
  const canWriteOutcome = record.seal !== null && (identity.role === 'secretariat' || (isRunner && proposalOwner === identity.orgId));
  const labels = useMemo(() => new Map(p.options.map((o) => [o.id, o.label])), [p.options]);
  // Its runners revise an open vote's wording as a new version (the hub: edit on the proposal).
  const canRevise = isRunner && phase === 'open' && isAllowed({ role: identity.role, type: 'proposal', ownership: proposalOwner === identity.orgId ? 'own' : 'other', action: 'edit' });

  const eligibleText =
    p.eligible.kind === 'all-members'
      ? t('governance.eligible.all-members')
      : p.eligible.kind === 'orgs'
        ? p.eligible.orgIds.map((orgId) => names.get(orgId) ?? orgId).join(', ')
        : p.eligible.roles.map((role) => t(`governance.role.${role}`)).join(', ');

  return (
    <section className="fw-screen fw-governance" aria-labelledby="proposal-title" data-testid="proposal-view" data-proposal-id={id} data-phase={phase}>
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap" miw={0}>
          <Anchor href={hrefOf({ screen: 'governance' })} size="sm" data-testid="proposal-back">
            {t('governance.backToList')}
          </Anchor>
          <Title order={1} size="h4" id="proposal-title" lineClamp={2}>
            {p.title || t('governance.untitled')}
          </Title>
        </Group>
        <Badge color={PHASE_COLORS[phase]} variant="light" data-testid="proposal-phase" data-phase={phase}>
          {t(`governance.phase.${phase}`)}
        </Badge>
      </Group>

      {/* Once sealed, the decision record is what a visitor comes for: it leads, full width. */}
      {record.seal && <DecisionRecordPanel record={record} ownOrgId={identity.orgId} ownReceipt={ownReceipt} />}
      {record.seal && <DecisionReasons reasons={record.reasons} labels={labels} />}
      {record.seal && <OutcomePanel key={p.outcome?.at ?? 0} proposalId={id} outcome={p.outcome} revisions={p.outcomeRevisions ?? []} canWrite={canWriteOutcome} names={names} />}
      <div className="fw-gov-layout">
        <Stack gap="md">
          <Paper withBorder p="md" radius="md">
            <Stack gap={6}>
              <Text size="sm" data-testid="proposal-method-label">
                {t('governance.view.method', { method: t(methodFor(p.method).labels.name) })}
                {methodFor(p.method).methodTerms.includes('maxChoices') && ` ${t('governance.view.maxChoices', { count: p.maxChoices })}`}
                {methodFor(p.method).methodTerms.includes('blocksCount') && ` ${t(p.blocksCount ? 'governance.view.blocksCount' : 'governance.view.blocksDoNotCount')}`}
              </Text>
              <Text size="sm">{t('governance.view.window', { opens: dateFormat.format(p.opensAt), closes: dateFormat.format(p.closesAt) })}</Text>
              <Text size="sm">{t('governance.view.grace', { count: p.graceHours, until: dateFormat.format(graceEndsAt(p)) })}</Text>
              <Text size="sm">{t('governance.view.eligible', { who: eligibleText })}</Text>
              <Text size="sm">
                {t('governance.view.rules', { quorum: `${Math.round(p.quorum * 100)}%`, threshold: `${Math.round(p.threshold * 100)}%` })}
              </Text>
              <Text size="sm">
                {t(`governance.secrecy.${p.secrecy}`)} · {t(`governance.visibility.${p.resultsVisibility}`)}
              </Text>
              {p.version > 1 && (
                <Text size="sm" fw={600} data-testid="proposal-version" data-version={p.version}>
                  {t('governance.trust.versionTitle', { version: p.version })}
                </Text>
              )}
              <StateChangeList changes={p.stateChanges} names={names} />
            </Stack>
          </Paper>
          <ProposalDescription id={id} isEmpty={p.description.trim() === ''} />
          <VersionHistory history={p.history} names={names} />
          {isRunner && (
            <Group data-testid="proposal-actions">
              {p.state === 'draft' && (
                <Button component="a" href={proposalHref(id, 'edit')} size="xs" variant="default" data-testid="proposal-edit">
                  {t('governance.view.edit')}
                </Button>
              )}
              {p.state === 'draft' && (
                <Button size="xs" onClick={() => setConfirming('open')} disabled={(methodFor(p.method).usesOptions && p.options.length < 2) || p.closesAt <= now} data-testid="proposal-open">
                  {t('governance.editor.open')}
                </Button>
              )}
              {p.state !== 'cancelled' && phase !== 'closed' && (
                <Button size="xs" color="red" variant="light" onClick={() => setConfirming('cancel')} data-testid="proposal-cancel">
                  {t('governance.view.cancel')}
                </Button>
              )}
            </Group>
          )}
          {canRevise && <ProposalRevise key={p.version} proposalId={id} proposal={p} />}
          <ReasonDialog
            isOpen={confirming !== null}
            title={t(`governance.trust.confirmTitle.${confirming ?? 'open'}`)}
            body={t(`governance.trust.confirmBody.${confirming ?? 'open'}`, { count: votersNow.length })}
            confirmLabel={t(`governance.trust.actConfirm.${confirming ?? 'open'}`)}
            onConfirm={confirmAct}
            onClose={() => setConfirming(null)}
            testId="proposal-confirm"
          />
          {refused && (
            <Alert color="red" role="alert" data-testid="proposal-refused">
              <Stack gap="xs">
                <Text size="sm">
                  {t('governance.view.refused', {
                    code: refused.code,
                    message: refusalText(t, refused),
                  })}
                </Text>
                {refused.code === 'eligibility-mismatch' && isRunner ? (
                  <RefixVoters
                    voters={votersNow}
                    isCurrent={!isSameVoterList(votersNow, p.eligibleOrgIds ?? [])}
                    onRefix={async () => {
                      await client.mutate(id, proposalMutators.refixVoters, votersNow);
                      await session.syncEngine?.releaseQuarantine([id]);
                    }}
                  />
                ) : (
                  <Group>
                    <Button size="xs" variant="light" color="red" onClick={() => void session.syncEngine?.releaseQuarantine([id])}>
                      {t('governance.ballot.retry')}
                    </Button>
                  </Group>
                )}
              </Stack>
            </Alert>
          )}
          <CommentThread targetId={id} />
        </Stack>
        <Stack gap="md">
          {(phase === 'open' || phase === 'closed' || phase === 'upcoming') && <BallotPanel proposalId={id} proposal={p} phase={phase} isEligible={isEligible} />}
          {isRunner && phase === 'open' && p.secrecy === 'open' && <FacilitatePanel proposalId={id} proposal={p} voters={eligibleOrgIds} names={names} ownCastOrgIds={ownCastOrgIds} />}
          {!record.seal && (
          <Paper withBorder p="md" radius="md" data-testid="results-panel">
            <Stack gap="sm">
              <Title order={2} size="h5">
                {t('governance.results.title')}
              </Title>
              {!isResultsTime ? (
                <Text size="sm" c="dimmed" data-testid="results-hidden">
                  {phase === 'draft' || phase === 'upcoming' || phase === 'cancelled' ? t('governance.results.notYet') : t('governance.results.afterClose', { time: dateFormat.format(p.closesAt) })}
                </Text>
              ) : !canSeeAllBallots ? (
                <Text size="sm" c="dimmed" data-testid="results-secret">
                  {t(withheld.isSecret ? 'governance.results.secretUntilSealed' : 'governance.results.withheldUntilSealed')}
                </Text>
              ) : record.tally ? (
                <>
                  <ResultsView result={record.tally} standing={record.standing} proposal={p} />
                  <DecisionReasons reasons={record.reasons} labels={labels} />
                </>
              ) : null}
              {(record.phase === 'grace' || record.phase === 'sealing') && (
                <Text size="xs" c="dimmed" data-testid="results-seal-pending">
                  {t('governance.results.sealsAt', { time: dateFormat.format(graceEndsAt(p)) })}
                </Text>
              )}
            </Stack>
          </Paper>
          )}
        </Stack>
      </div>
    </section>
  );
}

/** The rich-text description, read-only here (its runners edit it in the editor). */
function ProposalDescription({ id, isEmpty }: { id: string; isEmpty: boolean }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const opened = useRecordDoc(session.client, id, 'proposal');
  if (opened.kind !== 'open') return null;
  // Read-only here: an empty box would read as a field to fill in.
  if (isEmpty) {
    return (
      <Text size="sm" c="dimmed" data-testid="proposal-description-none">
        {t('governance.view.noDescription')}
      </Text>
    );
  }
  return (
    <Paper withBorder p="md" radius="md">
      <RichTextField doc={opened.doc} field="description" label={t('governance.field.description')} isEditable={false} onDidChangeLocally={() => undefined} testId="proposal-description" />
    </Paper>
  );
}

/**
 * An opening the hub refused because this device's member list was out of date: once a sync has
 * brought the network's members, the voters are written again from them and the opening is sent
 * again. Until then there is nothing newer to write, and the screen says why.
 */
function RefixVoters({ voters, isCurrent, onRefix }: { voters: readonly string[]; isCurrent: boolean; onRefix: () => Promise<void> }) {
  const { t } = useTranslation();
  const [isBusy, setBusy] = useState(false);
  if (!isCurrent) {
    return (
      <Text size="sm" data-testid="proposal-refix-waiting">
        {t('governance.view.refixWaiting')}
      </Text>
    );
  }
  return (
    <Group>
      <Button
        size="xs"
        color="red"
        variant="light"
        loading={isBusy}
        onClick={() => {
          setBusy(true);
          void onRefix().finally(() => setBusy(false));
        }}
        data-testid="proposal-refix"
      >
        {t('governance.view.refix', { count: voters.length })}
      </Button>
    </Group>
  );
}
