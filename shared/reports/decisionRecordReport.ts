import type { Choice } from '../records/ballot';
import { ballotReceipt } from '../governance/ballotReceipt';
import { tally, type TallyBallot, type TallyResult } from '../governance/tally';
import { eligibleOrgIds } from './proposalEligibility';
import { nameOf, orgNamesOf, type ViewOf } from './reportData';
import { freshnessFor, type ReportContext } from './reportInputs';
import { fileStemOf, formatTime, isoTime, type ReportBar, type ReportLocale, type ReportModel, type ReportSection } from './reportModel';

/*
 * The decision record of one proposal: its terms and method, the eligible organizations and who
 * took part, the tally (with every instant-runoff round where ranked), late and excluded ballots,
 * each counted ballot's receipt, and the seal. Until the hub's sealed result reaches this device
 * (the governance decision record, branch gov-hub), the tally is computed here from the ballots
 * this device holds and the record says so: a ballot's arrival at the hub is estimated as the
 * later of its cast time and the hub-set creation time of its record.
 */

export interface DecisionRecordOptions {
  readonly proposalId: string;
}

const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;

/** A ballot's choice as people read it, with option labels. */
export function choiceText(choice: Choice, labelOf: (id: string) => string, locale: ReportLocale): string {
  switch (choice.method) {
    case 'consent':
      return locale.t(`reports.doc.decision.position.${choice.position}`);
    case 'single':
      return labelOf(choice.optionId);
    case 'multiple':
      return choice.optionIds.map(labelOf).join(', ');
    case 'ranked':
      return choice.ranking.map((id, index) => `${index + 1}. ${labelOf(id)}`).join(' ');
    case 'score':
      return Object.entries(choice.scores)
        .map(([id, score]) => `${labelOf(id)}: ${score}`)
        .join(', ');
    case 'advice':
      return [choice.optionId ? labelOf(choice.optionId) : '', choice.note ?? ''].filter(Boolean).join(' — ');
  }
}

function tallyBars(result: TallyResult, labelOf: (id: string) => string, locale: ReportLocale): ReportBar[] {
  const counts = result.counts;
  switch (counts.method) {
    case 'consent':
      return (['agree', 'abstain', 'disagree', 'block'] as const).map((position) => ({ label: locale.t(`reports.doc.decision.position.${position}`), value: counts.positions[position] }));
    case 'single':
    case 'multiple':
    case 'advice':
      return Object.entries(counts.votes).map(([id, value]) => ({ label: labelOf(id), value }));
    case 'ranked':
      return Object.entries(counts.firstPreferences).map(([id, value]) => ({ label: labelOf(id), value }));
    case 'score':
      return Object.entries(counts.sums).map(([id, value]) => ({ label: labelOf(id), value }));
  }
}

export function ballotsForTally(ballots: readonly ViewOf<'ballot'>[], proposalId: string): TallyBallot[] {
  return ballots.flatMap((view) => {
    const { choice, castAt } = view.projection;
    if (view.projection.proposalId !== proposalId || choice === null || castAt === null) return [];
    const receivedAt = view.seq > 0 ? Math.max(castAt, view.header.createdAt) : null;
    return [{ orgId: view.header.ownerOrg, choice, castAt, receivedAt }];
  });
}

export function decisionRecordReport(context: ReportContext, options: DecisionRecordOptions): ReportModel {
  const { data, locale, now } = context;
  const { t } = locale;
  const view = data.proposals.find((candidate) => candidate.header.id === options.proposalId);
  if (!view) throw new RangeError(`no proposal ${options.proposalId} on this device`);
  const proposal = view.projection;
  const names = orgNamesOf(data);
  const labels = new Map(proposal.options.map((option) => [option.id, option.label]));
  const labelOf = (id: string) => labels.get(id) ?? id;
  const eligible = eligibleOrgIds(proposal, data.network?.projection.members ?? []);
  const ballots = ballotsForTally(data.ballots, view.header.id);
  const result = tally({ proposal, ballots, eligibleOrgIds: eligible, now });
  const isOpenBallot = proposal.secrecy === 'open';
  const col = (key: string) => t(`reports.doc.col.${key}`);
  const time = (at: number | null) => (at === null ? '—' : formatTime(locale, at));

  const countedByOrg = new Map(result.counted.map((ballot) => [ballot.orgId, ballot]));
  const ballotOf = new Map(ballots.map((ballot) => [`${ballot.orgId}|${ballot.castAt}`, ballot]));
  const receiptOf = (orgId: string, castAt: number) => {
    const ballot = ballotOf.get(`${orgId}|${castAt}`);
    return ballot ? ballotReceipt({ proposalId: view.header.id, orgId, choice: ballot.choice, castAt }) : '';
  };
  const excludedByOrg = new Map(result.excluded.map((ballot) => [ballot.orgId, ballot]));
  const orgsShown = [...new Set([...eligible, ...ballots.map((ballot) => ballot.orgId)])].sort((a, b) => nameOf(names, a).localeCompare(nameOf(names, b)));
  const statusOf = (orgId: string): string => {
    const counted = countedByOrg.get(orgId);
    if (counted) return counted.isLate ? t('reports.doc.decision.countedLate') : t('reports.doc.decision.counted');
    const excluded = excludedByOrg.get(orgId);
    if (excluded) return t('reports.doc.decision.excluded', { reason: t(`reports.doc.decision.exclusion.${excluded.reason}`) });
    return t('reports.doc.decision.noBallot');
  };

  const tallyTable = ((): { columns: string[]; rows: string[][]; numeric: number[] } => {
    const counts = result.counts;
    if (counts.method === 'score') {
      return {
        columns: [col('option'), col('scoreSum'), col('scoreAverage')],
        rows: proposal.options.map((option) => [option.label, String(counts.sums[option.id] ?? 0), (counts.averages[option.id] ?? 0).toFixed(2)]),
        numeric: [1, 2],
      };
    }
    const bars = tallyBars(result, labelOf, locale);
    return { columns: [counts.method === 'consent' ? col('position') : col('option'), counts.method === 'ranked' ? col('firstPreferences') : col('votes')], rows: bars.map((bar) => [bar.label, String(bar.value)]), numeric: [1] };
  })();

  const outcome = result.outcome;
  const sections: ReportSection[] = [
    {
      id: 'terms',
      heading: t('reports.doc.decision.terms'),
      blocks: [
        {
          kind: 'facts',
          items: [
            { label: col('proposal'), value: proposal.title },
            { label: col('method'), value: t(`reports.doc.method.${proposal.method}`) },
            { label: t('reports.doc.decision.proposedBy'), value: nameOf(names, view.header.ownerOrg) },
            { label: t('reports.doc.decision.opens'), value: time(proposal.opensAt) },
            { label: t('reports.doc.decision.closes'), value: time(proposal.closesAt) },
            { label: t('reports.doc.decision.grace'), value: t('reports.doc.decision.hours', { n: proposal.graceHours }) },
            { label: t('reports.doc.decision.quorum'), value: percent(proposal.quorum) },
            { label: t('reports.doc.decision.threshold'), value: percent(proposal.threshold) },
            { label: t('reports.doc.decision.secrecy'), value: t(`reports.doc.decision.secrecyKind.${proposal.secrecy}`) },
            { label: t('reports.doc.decision.eligibility'), value: t('reports.doc.decision.eligibleCount', { n: eligible.length }) },
          ],
        },
        ...(proposal.description ? [{ kind: 'paragraph' as const, text: proposal.description }] : []),
        ...(proposal.options.length > 0 ? [{ kind: 'paragraph' as const, text: t('reports.doc.decision.options', { value: proposal.options.map((option) => option.label).join(' · ') }) }] : []),
      ],
    },
    {
      id: 'outcome',
      heading: t('reports.doc.decision.outcome'),
      blocks: [
        {
          kind: 'facts',
          items: [
            { label: t('reports.doc.decision.result'), value: t(`reports.doc.decision.status.${outcome.status}`) },
            { label: t('reports.doc.decision.reason'), value: t(`reports.doc.decision.why.${outcome.reason}`) },
            ...(outcome.winnerId ? [{ label: t('reports.doc.decision.winner'), value: labelOf(outcome.winnerId) }] : []),
            ...(outcome.tiedIds.length > 0 ? [{ label: t('reports.doc.decision.tied'), value: outcome.tiedIds.map(labelOf).join(', ') }] : []),
            {
              label: t('reports.doc.decision.participation'),
              value: t('reports.doc.decision.participationValue', { voted: result.participation.voted, eligible: result.participation.eligible, share: percent(result.participation.share) }),
            },
            { label: t('reports.doc.decision.quorumMet'), value: result.isQuorumMet ? t('reports.doc.yes') : t('reports.doc.no') },
            { label: t('reports.doc.decision.notHeardFrom'), value: String(result.notHeardFrom) },
          ],
        },
        ...(result.isProvisional ? [{ kind: 'paragraph' as const, text: t('reports.doc.decision.provisional') }] : []),
      ],
    },
    {
      id: 'tally',
      heading: t('reports.doc.decision.tally'),
      blocks: [
        { kind: 'table', caption: t('reports.doc.decision.tally'), columns: tallyTable.columns, rows: tallyTable.rows, numericColumns: tallyTable.numeric },
        { kind: 'bars', caption: t('reports.doc.decision.tally'), bars: tallyBars(result, labelOf, locale) },
      ],
    },
    ...(result.rounds.length > 0
      ? [
          {
            id: 'rounds',
            heading: t('reports.doc.decision.rounds'),
            blocks: [
              {
                kind: 'table' as const,
                caption: t('reports.doc.decision.rounds'),
                columns: [col('round'), ...proposal.options.map((option) => option.label), col('exhausted'), col('eliminated')],
                rows: result.rounds.map((round, index) => [
                  String(index + 1),
                  ...proposal.options.map((option) => (option.id in round.counts ? String(round.counts[option.id]) : '—')),
                  String(round.exhausted),
                  round.winnerId
                    ? t('reports.doc.decision.roundWinner', { option: labelOf(round.winnerId) })
                    : round.eliminated
                      ? t('reports.doc.decision.roundEliminated', { option: labelOf(round.eliminated.optionId), rule: t(`reports.doc.decision.elimination.${round.eliminated.reason}`) })
                      : '',
                ]),
                numericColumns: [0, ...proposal.options.map((_option, index) => index + 1), proposal.options.length + 1],
              },
            ],
          },
        ]
      : []),
    {
      id: 'ballots',
      heading: t('reports.doc.decision.ballots'),
      blocks: [
        { kind: 'paragraph', text: isOpenBallot ? t('reports.doc.decision.receiptsOpen') : t('reports.doc.decision.receiptsSecret') },
        {
          kind: 'table',
          caption: t('reports.doc.decision.ballots'),
          columns: [col('organization'), col('ballot'), col('castAt'), col('receivedAt'), ...(isOpenBallot ? [col('choice')] : []), col('receipt')],
          rows: orgsShown.map((orgId) => {
            const counted = countedByOrg.get(orgId);
            const latest = counted ?? excludedByOrg.get(orgId);
            const ballot = latest ? ballotOf.get(`${orgId}|${latest.castAt}`) : undefined;
            return [
              nameOf(names, orgId),
              statusOf(orgId),
              time(latest?.castAt ?? null),
              time(latest?.receivedAt ?? null),
              ...(isOpenBallot ? [ballot ? choiceText(ballot.choice, labelOf, locale) : ''] : []),
              counted ? receiptOf(orgId, counted.castAt) : '',
            ];
          }),
          numericColumns: [],
        },
        {
          kind: 'table',
          caption: t('reports.doc.decision.late'),
          columns: [col('organization'), col('castAt'), col('receivedAt')],
          rows: result.lateBallots.map((ballot) => [nameOf(names, ballot.orgId), time(ballot.castAt), time(ballot.receivedAt)]),
          numericColumns: [],
        },
        {
          kind: 'table',
          caption: t('reports.doc.decision.excludedHeading'),
          columns: [col('organization'), col('castAt'), col('reason')],
          rows: result.excluded.map((ballot) => [nameOf(names, ballot.orgId), time(ballot.castAt), t(`reports.doc.decision.exclusion.${ballot.reason}`)]),
          numericColumns: [],
        },
      ],
    },
    { id: 'seal', heading: t('reports.doc.decision.seal'), blocks: [{ kind: 'paragraph', text: t('reports.doc.decision.unsealed') }] },
  ];

  const rows = orgsShown.map((orgId) => {
    const counted = countedByOrg.get(orgId);
    const excluded = excludedByOrg.get(orgId);
    const latest = counted ?? excluded;
    const ballot = latest ? ballotOf.get(`${orgId}|${latest.castAt}`) : undefined;
    return [
      nameOf(names, orgId),
      orgId,
      eligible.includes(orgId) ? t('reports.doc.yes') : t('reports.doc.no'),
      statusOf(orgId),
      isoTime(latest?.castAt ?? null),
      isoTime(latest?.receivedAt ?? null),
      ...(isOpenBallot ? [ballot ? choiceText(ballot.choice, labelOf, locale) : ''] : []),
      counted ? receiptOf(orgId, counted.castAt) : '',
    ];
  });

  const { freshness, section } = freshnessFor(context, orgsShown, names);
  return {
    kind: 'decision-record',
    title: t('reports.doc.title.decisionRecord', { title: proposal.title }),
    subtitle: data.network?.projection.name ?? '',
    language: locale.language,
    generatedAt: now,
    generatedAtText: formatTime(locale, now),
    criteria: [t('reports.doc.criteria.proposal', { value: proposal.title })],
    freshness,
    freshnessSection: section,
    sections,
    table: {
      columns: [col('organization'), col('orgId'), col('eligible'), col('ballot'), col('castAt'), col('receivedAt'), ...(isOpenBallot ? [col('choice')] : []), col('receipt')],
      rows,
    },
    fileStem: fileStemOf(t('reports.doc.file.decisionRecord'), proposal.title, new Date(now).toISOString().slice(0, 10)),
  };
}
