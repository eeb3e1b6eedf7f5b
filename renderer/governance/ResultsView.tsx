import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { runoffRoundText } from './runoffRoundText';
import type { DecisionStanding } from '../../shared/governance/decisionRecord';
import type { SealedTally } from '../../shared/records/result';
import { MAX_SCORE } from '../../shared/governance/methods/score';
import type { ProposalProjection } from '../../shared/records/proposal';
import { BarChart, type ChartRow } from './BarChart';

const percent = (share: number) => `${Math.round(share * 100)}%`;

/**
 * A tally as charts and words. Only the hub's sealed result has an outcome: before it, the screen
 * says whether voting is open or closed awaiting the seal, what this device has seen, and how many
 * eligible organizations it has not heard from (nothing when everyone voted). One chart per method
 * (consent positions, votes, each instant-runoff round, score averages).
 */
export function ResultsView({ result, standing, proposal }: { result: SealedTally; standing: DecisionStanding; proposal: Pick<ProposalProjection, 'options' | 'quorum' | 'threshold'> }) {
  const { t } = useTranslation();
  const labels = new Map(proposal.options.map((option) => [option.id, option.label]));
  const label = (id: string) => labels.get(id) ?? id;
  const { participation } = result;
  const outcome = standing.kind === 'sealed' ? standing.outcome : null;
  const notHeardFrom = standing.kind === 'open' || standing.kind === 'awaiting-seal' ? standing.notHeardFrom : 0;

  return (
    <Stack gap="sm" data-testid="results-view" data-standing={standing.kind} data-status={outcome?.status ?? ''} data-provisional={outcome ? 'false' : 'true'}>
      <Group gap="xs">
        {outcome ? (
          <Badge size="lg" color={outcome.status === 'passed' ? 'teal' : outcome.status === 'advisory' ? 'blue' : outcome.status === 'undecided' ? 'yellow' : 'red'} data-testid="results-outcome" data-status={outcome.status}>
            {t(`governance.outcome.${outcome.status}`)}
          </Badge>
        ) : (
          <Badge size="lg" color={standing.kind === 'open' ? 'blue' : 'orange'} variant="light" data-testid="results-standing" data-standing={standing.kind}>
            {t(standing.kind === 'open' ? 'governance.results.standingOpen' : 'governance.results.standingAwaitingSeal')}
          </Badge>
        )}
        {notHeardFrom > 0 && (
          <Badge size="lg" color="orange" variant="light" className="fw-badge-whole" data-testid="results-provisional" data-not-heard-from={notHeardFrom}>
            {t('governance.results.provisional', { count: notHeardFrom })}
          </Badge>
        )}
      </Group>
      {outcome ? (
        <Text size="sm" data-testid="results-reason">
          {t(`governance.reason.${outcome.reason}`)}
          {outcome.winnerId !== null && ` ${t('governance.results.winner', { option: label(outcome.winnerId) })}`}
          {outcome.tiedIds.length > 0 && ` ${t('governance.results.tied', { options: outcome.tiedIds.map(label).join(', ') })}`}
        </Text>
      ) : (
        <Text size="sm" data-testid="results-seen">
          {t(standing.kind === 'open' ? 'governance.results.seenOpen' : 'governance.results.seenClosed', { count: participation.voted })}
        </Text>
      )}
      {standing.kind === 'sealed' && standing.tie && (
        <Text size="sm" data-testid="results-tie" data-tie={standing.tie.kind}>
          {standing.tie.kind === 'lead'
            ? t('governance.results.leadTie', { options: standing.tie.tiedIds.map(label).join(', ') })
            : standing.tie.rounds.map((round) => t('governance.results.eliminationTie', { n: round.round, option: label(round.optionId), reason: t(`governance.elimination.${round.rule}`) })).join(' ')}
        </Text>
      )}
      <Text size="sm" data-testid="results-participation" data-voted={participation.voted} data-eligible={participation.eligible}>
        {t(outcome ? 'governance.results.participation' : 'governance.results.participationSeen', { voted: participation.voted, eligible: participation.eligible, share: percent(participation.share) })}
        {outcome && ` ${t(result.isQuorumMet ? 'governance.results.quorumMet' : 'governance.results.quorumNotMet', { quorum: percent(proposal.quorum) })}`}
      </Text>
      <Charts result={result} label={label} optionIds={proposal.options.map((o) => o.id)} />
    </Stack>
  );
}

// The declared return type makes a method without a chart here a type error, not an empty space.
function Charts({ result, label, optionIds }: { result: SealedTally; label: (id: string) => string; optionIds: readonly string[] }): ReactElement {
  const { t } = useTranslation();
  const roundText = (n: number, round: { readonly continuing: number; readonly exhausted: number }) => runoffRoundText(t, n, round);
  const { counts, outcome } = result;
  const tone = (id: string): ChartRow['tone'] => (id === outcome.winnerId ? 'winner' : 'default');
  switch (counts.method) {
    case 'consent': {
      const positions = (['agree', 'abstain', 'disagree', 'block'] as const).map((position) => ({
        id: position,
        label: t(`governance.consent.${position}`),
        value: counts.positions[position],
        tone: position === 'block' && counts.positions.block > 0 ? ('block' as const) : ('default' as const),
      }));
      return <BarChart title={t('governance.results.chartConsent')} rows={positions} testId="chart-consent" />;
    }
    case 'single':
    case 'multiple':
    case 'advice':
      return <BarChart title={t('governance.results.chartVotes')} rows={optionIds.map((id) => ({ id, label: label(id), value: counts.votes[id] ?? 0, tone: tone(id) }))} testId="chart-votes" />;
    case 'score':
      return (
        <BarChart
          title={t('governance.results.chartScores', { max: MAX_SCORE })}
          rows={optionIds.map((id) => ({ id, label: label(id), value: counts.averages[id] ?? 0, valueText: (counts.averages[id] ?? 0).toFixed(2), tone: tone(id) }))}
          max={MAX_SCORE}
          testId="chart-scores"
        />
      );
    case 'ranked':
      return (
        <Stack gap="xs" data-testid="runoff-rounds">
          {result.rounds.map((round, index) => (
            <Paper key={index} withBorder p="xs" radius="sm" data-testid="runoff-round">
              <Title order={4} size="h6">
                {roundText(index + 1, round)}
              </Title>
              <BarChart
                title={roundText(index + 1, round)}
                rows={Object.entries(round.counts).map(([id, value]) => ({
                  id,
                  label: label(id),
                  value,
                  tone: id === round.winnerId ? 'winner' : id === round.eliminated?.optionId ? 'eliminated' : 'default',
                }))}
              />
              {round.eliminated && (
                <Text size="xs" c="dimmed">
                  {t('governance.results.eliminated', { option: label(round.eliminated.optionId), reason: t(`governance.elimination.${round.eliminated.reason}`) })}
                </Text>
              )}
              {round.winnerId && (
                <Text size="xs" fw={500}>
                  {t('governance.results.roundWinner', { option: label(round.winnerId) })}
                </Text>
              )}
            </Paper>
          ))}
        </Stack>
      );
  }
}
