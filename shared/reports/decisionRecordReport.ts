import { countedCast } from '../governance/countedCast';
import { decisionRecord, type DecisionRecordView } from '../governance/decisionRecord';
import { eligibleOrgIds } from '../governance/eligibleOrgIds';
import type { SealedTally } from '../records/result';
import { resultId } from '../records/result';
import type { Choice } from '../records/ballot';
import type { Role } from '../records/recordType';
import { nameOf, orgNamesOf, type ViewOf } from './reportData';
import { freshnessFor, type ReportContext } from './reportInputs';
import { fileStemOf, formatTime, isoTime, type ReportBar, type ReportBlock, type ReportLocale, type ReportModel, type ReportSection } from './reportModel';
import { ReportInputError } from './reportInputError';

/*
 * The decision record of one proposal, printed from the governance view model
 * (governance/decisionRecord.ts): its terms and method, the eligible organizations and who took
 * part, the tally with every instant-runoff round where ranked, late and excluded ballots, each
 * counted ballot's receipt, and the hub's seal checked offline against the network's hub key.
 * Before the seal reaches this device the tally is provisional, from the ballots this device
 * holds, and the record says so; a ballot's arrival at the hub is then estimated as the later of
 * its cast time and the hub-set creation time of its record (seq > 0), or unknown.
 */

export interface DecisionRecordOptions {
  readonly proposalId: string;
  /** Who prints it: under "results after closing", only the secretariat sees an early tally. */
  readonly viewer?: { readonly orgId: string; readonly role: Role };
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

function tallyBars(tally: SealedTally, options: readonly { id: string }[], labelOf: (id: string) => string, locale: ReportLocale): ReportBar[] {
  const counts = tally.counts;
  const byOption = (values: Readonly<Record<string, number>>) => options.map((option) => ({ label: labelOf(option.id), value: values[option.id] ?? 0 }));
  switch (counts.method) {
    case 'consent':
      return (['agree', 'abstain', 'disagree', 'block'] as const).map((position) => ({ label: locale.t(`reports.doc.decision.position.${position}`), value: counts.positions[position] }));
    case 'single':
    case 'multiple':
    case 'advice':
      return byOption(counts.votes);
    case 'ranked':
      return byOption(counts.firstPreferences);
    case 'score':
      return byOption(counts.sums);
  }
}

/** The proposal's ballots as the governance view takes them, with the arrival estimate above. */
export function decisionBallots(ballots: readonly ViewOf<'ballot'>[], proposalId: string) {
  return ballots
    .filter((view) => view.projection.proposalId === proposalId)
    .map((view) => {
      const cast = countedCast(view.projection);
      const receivedAt = cast && view.seq > 0 ? Math.max(cast.castAt, view.header.createdAt) : null;
      return { orgId: view.header.ownerOrg, ballot: view.projection, receivedAt };
    });
}

function tallySections(record: DecisionRecordView, labelOf: (id: string) => string, locale: ReportLocale): ReportSection[] {
  const { t } = locale;
  const col = (key: string) => t(`reports.doc.col.${key}`);
  const tally = record.tally;
  if (!tally) {
    return [{ id: 'tally', heading: t('reports.doc.decision.tally'), blocks: [{ kind: 'paragraph', text: record.isTallyHidden ? t('reports.doc.decision.tallyHidden') : t('reports.doc.decision.noTally') }] }];
  }
  const counts = tally.counts;
  const table: ReportBlock =
    counts.method === 'score'
      ? {
          kind: 'table',
          caption: t('reports.doc.decision.tally'),
          columns: [col('option'), col('scoreSum'), col('scoreAverage')],
          rows: record.options.map((option) => [option.label, String(counts.sums[option.id] ?? 0), (counts.averages[option.id] ?? 0).toFixed(2)]),
          numericColumns: [1, 2],
        }
      : {
          kind: 'table',
          caption: t('reports.doc.decision.tally'),
          columns: [counts.method === 'consent' ? col('position') : col('option'), counts.method === 'ranked' ? col('firstPreferences') : col('votes')],
          rows: tallyBars(tally, record.options, labelOf, locale).map((bar) => [bar.label, String(bar.value)]),
          numericColumns: [1],
        };
  const { standing } = record;
  // Only the hub's seal has an outcome; before it, the report says what this device has seen.
  const outcomeFacts =
    standing.kind === 'sealed' && standing.outcome
      ? [
          { label: t('reports.doc.decision.result'), value: t(`reports.doc.decision.status.${standing.outcome.status}`) },
          { label: t('reports.doc.decision.reason'), value: t(`reports.doc.decision.why.${standing.outcome.reason}`) },
          ...(standing.outcome.winnerId ? [{ label: t('reports.doc.decision.winner'), value: labelOf(standing.outcome.winnerId) }] : []),
          ...(standing.outcome.tiedIds.length > 0 ? [{ label: t('reports.doc.decision.tied'), value: standing.outcome.tiedIds.map(labelOf).join(', ') }] : []),
          ...(standing.tie?.kind === 'lead' ? [{ label: t('reports.doc.decision.tieRule'), value: t('reports.doc.decision.leadTie') }] : []),
          ...(standing.tie?.kind === 'elimination'
            ? [{ label: t('reports.doc.decision.tieRule'), value: standing.tie.rounds.map((round) => t('reports.doc.decision.eliminationTie', { n: round.round, option: labelOf(round.optionId), rule: t(`reports.doc.decision.elimination.${round.rule}`) })).join(' ') }]
            : []),
        ]
      : standing.kind === 'sealed'
        ? []
        : [{ label: t('reports.doc.decision.result'), value: t(standing.kind === 'open' ? 'reports.doc.decision.standingOpen' : 'reports.doc.decision.standingAwaitingSeal') }];
  const notHeardFrom = standing.kind === 'open' || standing.kind === 'awaiting-seal' ? standing.notHeardFrom : tally.notHeardFrom;
  const sections: ReportSection[] = [
    {
      id: 'outcome',
      heading: t('reports.doc.decision.outcome'),
      blocks: [
        {
          kind: 'facts',
          items: [
            ...outcomeFacts,
            {
              label: t(standing.kind === 'sealed' ? 'reports.doc.decision.participation' : 'reports.doc.decision.participationSeen'),
              value: t('reports.doc.decision.participationValue', { voted: tally.participation.voted, eligible: tally.participation.eligible, share: percent(tally.participation.share) }),
            },
            ...(standing.kind === 'sealed' ? [{ label: t('reports.doc.decision.quorumMet'), value: tally.isQuorumMet ? t('reports.doc.yes') : t('reports.doc.no') }] : []),
            ...(notHeardFrom > 0 ? [{ label: t('reports.doc.decision.notHeardFrom'), value: String(notHeardFrom) }] : []),
          ],
        },
        ...(standing.kind === 'open' ? [{ kind: 'paragraph' as const, text: t('reports.doc.decision.provisional') }] : []),
        ...(standing.kind === 'awaiting-seal' ? [{ kind: 'paragraph' as const, text: t('reports.doc.decision.awaitingSeal') }] : []),
      ],
    },
    {
      id: 'tally',
      heading: t('reports.doc.decision.tally'),
      blocks: [table, { kind: 'bars', caption: t('reports.doc.decision.tallyChart'), bars: tallyBars(tally, record.options, labelOf, locale) }],
    },
  ];
  if (tally.rounds.length > 0) {
    sections.push({
      id: 'rounds',
      heading: t('reports.doc.decision.rounds'),
      blocks: [
        {
          kind: 'table',
          caption: t('reports.doc.decision.rounds'),
          columns: [col('round'), ...record.options.map((option) => option.label), col('exhausted'), col('eliminated')],
          rows: tally.rounds.map((round, index) => [
            String(index + 1),
            ...record.options.map((option) => (option.id in round.counts ? String(round.counts[option.id]) : '—')),
            String(round.exhausted),
            round.winnerId
              ? t('reports.doc.decision.roundWinner', { option: labelOf(round.winnerId) })
              : round.eliminated
                ? t('reports.doc.decision.roundEliminated', { option: labelOf(round.eliminated.optionId), rule: t(`reports.doc.decision.elimination.${round.eliminated.reason}`) })
                : '',
          ]),
          numericColumns: [0, ...record.options.map((_option, index) => index + 1), record.options.length + 1],
        },
        ...(record.tieBreakRule ? [{ kind: 'paragraph' as const, text: t('reports.doc.decision.tieBreakRule') }] : []),
      ],
    });
  }
  return sections;
}

export function decisionRecordReport(context: ReportContext, options: DecisionRecordOptions): ReportModel {
  const { data, locale, now } = context;
  const { t } = locale;
  const proposalView = data.proposals.find((candidate) => candidate.header.id === options.proposalId);
  if (!proposalView) throw new ReportInputError('unknown-proposal', `no proposal ${options.proposalId} on this device`);
  const proposalId = proposalView.header.id;
  const names = orgNamesOf(data);
  const members = data.network?.projection.members ?? [];
  const result = data.results.find((view) => view.header.id === resultId(proposalId))?.projection ?? null;
  const ballotViews = data.ballots.filter((view) => view.projection.proposalId === proposalId);
  const record = decisionRecord({
    proposalId,
    proposal: proposalView.projection,
    network: { members, hubKey: data.network?.projection.hubKey ?? '' },
    result,
    ballots: decisionBallots(ballotViews, proposalId),
    now,
    ...(options.viewer ? { viewer: options.viewer } : {}),
  });
  const labels = new Map(record.options.map((option) => [option.id, option.label]));
  const labelOf = (id: string) => labels.get(id) ?? id;
  const isOpenBallot = record.terms.secrecy === 'open';
  const col = (key: string) => t(`reports.doc.col.${key}`);
  const time = (at: number | null) => (at === null ? '—' : formatTime(locale, at));
  const castOf = new Map(ballotViews.map((view) => [view.header.ownerOrg, countedCast(view.projection, proposalView.projection.version)]));
  const sealedCastAt = new Map((result?.counted ?? []).map((ballot) => [ballot.orgId, ballot.castAt]));
  const castAtOf = (orgId: string) => sealedCastAt.get(orgId) ?? castOf.get(orgId)?.castAt ?? null;
  const eligibleCount = record.tally?.participation.eligible ?? eligibleOrgIds(members, record.terms.eligible).length;
  const voters = [...record.voters].sort((a, b) => nameOf(names, a.orgId).localeCompare(nameOf(names, b.orgId)));
  const exclusionOf = new Map(record.excluded.map((excluded) => [excluded.orgId, excluded.reason]));
  const statusOf = (voter: DecisionRecordView['voters'][number]): string => {
    if (voter.hasVoted) return voter.isLate ? t('reports.doc.decision.countedLate') : t('reports.doc.decision.counted');
    const reason = exclusionOf.get(voter.orgId);
    if (reason) return t('reports.doc.decision.excluded', { reason: t(`reports.doc.decision.exclusion.${reason}`) });
    return t('reports.doc.decision.noBallot');
  };
  const choiceOf = (orgId: string) => {
    const cast = castOf.get(orgId);
    return cast ? choiceText(cast.choice, labelOf, locale) : '';
  };

  const seal = record.seal;
  const sealBlocks: ReportBlock[] = seal
    ? [
        {
          kind: 'paragraph',
          text: seal.isValid
            ? t('reports.doc.decision.sealValid', { at: time(seal.sealedAt) })
            : t('reports.doc.decision.sealInvalid', { at: time(seal.sealedAt), reason: t(`reports.doc.decision.sealFailure.${seal.reason}`) }),
        },
        {
          kind: 'facts',
          items: [
            { label: t('reports.doc.decision.sealedAt'), value: time(seal.sealedAt) },
            { label: t('reports.doc.decision.hubKey'), value: seal.hubKey },
            { label: t('reports.doc.decision.signature'), value: seal.signature },
            { label: t('reports.doc.decision.verified'), value: seal.isValid ? t('reports.doc.yes') : t('reports.doc.no') },
          ],
        },
      ]
    : [{ kind: 'paragraph', text: t('reports.doc.decision.unsealed') }];

  const sections: ReportSection[] = [
    {
      id: 'terms',
      heading: t('reports.doc.decision.terms'),
      blocks: [
        {
          kind: 'facts',
          items: [
            { label: col('proposal'), value: record.title },
            { label: col('method'), value: t(`reports.doc.method.${record.method}`) },
            { label: t('reports.doc.decision.phaseLabel'), value: t(`reports.doc.decision.phase.${record.phase}`) },
            { label: t('reports.doc.decision.proposedBy'), value: nameOf(names, proposalView.header.ownerOrg) },
            { label: t('reports.doc.decision.opens'), value: time(record.terms.opensAt) },
            { label: t('reports.doc.decision.closes'), value: time(record.terms.closesAt) },
            { label: t('reports.doc.decision.grace'), value: t('reports.doc.decision.hours', { count: record.terms.graceHours }) },
            { label: t('reports.doc.decision.quorum'), value: percent(record.terms.quorum) },
            { label: t('reports.doc.decision.threshold'), value: percent(record.terms.threshold) },
            { label: t('reports.doc.decision.secrecy'), value: t(`reports.doc.decision.secrecyKind.${record.terms.secrecy}`) },
            { label: t('reports.doc.decision.eligibility'), value: t('reports.doc.decision.eligibleCount', { count: eligibleCount }) },
          ],
        },
        ...(record.description ? [{ kind: 'paragraph' as const, text: record.description }] : []),
        ...(record.options.length > 0 ? [{ kind: 'paragraph' as const, text: t('reports.doc.decision.options', { value: record.options.map((option) => option.label).join(' · ') }) }] : []),
      ],
    },
    ...tallySections(record, labelOf, locale),
    {
      id: 'ballots',
      heading: t('reports.doc.decision.ballots'),
      blocks: [
        { kind: 'paragraph', text: isOpenBallot ? t('reports.doc.decision.receiptsOpen') : t('reports.doc.decision.receiptsSecret') },
        {
          kind: 'table',
          caption: t('reports.doc.decision.ballots'),
          columns: [col('organization'), col('ballot'), col('castAt'), col('receivedAt'), ...(isOpenBallot ? [col('choice')] : []), col('receipt')],
          rows: voters.map((voter) => [
            nameOf(names, voter.orgId),
            statusOf(voter),
            voter.hasVoted || exclusionOf.has(voter.orgId) ? time(isOpenBallot ? castAtOf(voter.orgId) : null) : '—',
            time(voter.receivedAt),
            ...(isOpenBallot ? [voter.hasVoted ? choiceOf(voter.orgId) : ''] : []),
            voter.receipt ?? '',
          ]),
          numericColumns: [],
        },
        {
          kind: 'table',
          caption: t('reports.doc.decision.late'),
          columns: [col('organization'), col('receivedAt')],
          rows: record.lateBallots.map((voter) => [nameOf(names, voter.orgId), time(voter.receivedAt)]),
          numericColumns: [],
        },
        {
          kind: 'table',
          caption: t('reports.doc.decision.excludedHeading'),
          columns: [col('organization'), col('reason')],
          rows: record.excluded.map((excluded) => [nameOf(names, excluded.orgId), t(`reports.doc.decision.exclusion.${excluded.reason}`)]),
          numericColumns: [],
        },
      ],
    },
    { id: 'seal', heading: t('reports.doc.decision.seal'), blocks: sealBlocks },
  ];
  sections.splice(1, 0, ...trustSections(record, names, labelOf, locale));

  const rows = voters.map((voter) => [
    nameOf(names, voter.orgId),
    voter.orgId,
    voter.isEligible ? t('reports.doc.yes') : t('reports.doc.no'),
    statusOf(voter),
    isOpenBallot ? isoTime(castAtOf(voter.orgId)) : '',
    isoTime(voter.receivedAt),
    ...(isOpenBallot ? [voter.hasVoted ? choiceOf(voter.orgId) : ''] : []),
    voter.receipt ?? '',
  ]);

  const { freshness, section } = freshnessFor(context, voters.map((voter) => voter.orgId), names);
  return {
    kind: 'decision-record',
    title: t('reports.doc.title.decisionRecord', { title: record.title }),
    subtitle: data.network?.projection.name ?? '',
    language: locale.language,
    generatedAt: now,
    generatedAtText: formatTime(locale, now),
    criteria: [t('reports.doc.criteria.proposal', { value: record.title }), t(record.isProvisional ? 'reports.doc.decision.criteriaProvisional' : 'reports.doc.decision.criteriaSealed')],
    freshness,
    freshnessSection: section,
    sections,
    table: {
      columns: [col('organization'), col('orgId'), col('eligible'), col('ballot'), col('castAt'), col('receivedAt'), ...(isOpenBallot ? [col('choice')] : []), col('receipt')],
      rows,
    },
    fileStem: fileStemOf(t('reports.doc.file.decisionRecord'), record.title, new Date(now).toISOString().slice(0, 10)),
  };
}

/**
 * What makes the decision one people can trust, in the report: the outcome statement (what was
 * decided, who does what, when to review), the reasons given with positions, the reasons for
 * opening and cancelling, and who changed what between versions.
 */
function trustSections(record: DecisionRecordView, names: ReadonlyMap<string, string>, labelOf: (id: string) => string, locale: ReportLocale): ReportSection[] {
  const { t } = locale;
  const who = (orgId: string) => nameOf(names, orgId);
  const statement = record.outcomeStatement;
  const sections: ReportSection[] = [
    {
      id: 'outcome-statement',
      heading: t('reports.doc.decision.outcomeStatement'),
      blocks: statement
        ? [
            {
              kind: 'facts',
              items: [
                { label: t('reports.doc.decision.decided'), value: statement.decided },
                ...(statement.actions ? [{ label: t('reports.doc.decision.actions'), value: statement.actions }] : []),
                { label: t('reports.doc.decision.reviewOn'), value: statement.reviewOn },
                { label: t('reports.doc.decision.writtenBy'), value: `${who(statement.orgId)}, ${formatTime(locale, statement.at)}` },
              ],
            },
          ]
        : [{ kind: 'paragraph', text: t('reports.doc.decision.noOutcomeStatement') }],
    },
  ];
  if (record.earlierOutcomeStatements.length > 0) {
    sections.push({
      id: 'outcome-earlier',
      heading: t('reports.doc.decision.earlierOutcomeStatements'),
      blocks: [
        {
          kind: 'table',
          caption: t('reports.doc.decision.earlierOutcomeStatements'),
          columns: [t('reports.doc.decision.writtenBy'), t('reports.doc.decision.decided'), t('reports.doc.decision.actions'), t('reports.doc.decision.reviewOn')],
          rows: record.earlierOutcomeStatements.map((earlier) => [`${who(earlier.orgId)}, ${formatTime(locale, earlier.at)}`, earlier.decided, earlier.actions, earlier.reviewOn]),
          numericColumns: [],
        },
      ],
    });
  }
  if (record.reasons.length > 0) {
    sections.push({
      id: 'reasons',
      heading: t('reports.doc.decision.reasons'),
      blocks: [
        {
          kind: 'table',
          caption: t('reports.doc.decision.reasons'),
          columns: [t('reports.doc.col.organization'), t('reports.doc.col.choice'), t('reports.doc.col.reason')],
          rows: record.reasons.map((reason) => [reason.orgId === null ? '—' : who(reason.orgId), choiceText(reason.choice, labelOf, locale), reason.reason]),
          numericColumns: [],
        },
      ],
    });
  }
  const acts = record.stateChanges.map((change) => ({ label: `${t(`reports.doc.decision.act.${change.state}`)} · ${who(change.orgId)}, ${formatTime(locale, change.at)}`, value: change.reason }));
  const versions = [...record.history]
    .sort((a, b) => a.at - b.at)
    .map((entry, index) => ({
      label: `${t('reports.doc.decision.version', { n: index + 2 })} · ${who(entry.orgId)}, ${formatTime(locale, entry.at)}`,
      value: [...entry.changes.map((change) => `${change.field}: ${change.before} → ${change.after}`), ...(entry.note ? [entry.note] : [])].join('; '),
    }));
  if (acts.length + versions.length > 0) {
    sections.push({ id: 'history', heading: t('reports.doc.decision.history'), blocks: [{ kind: 'facts', items: [...acts, ...versions] }] });
  }
  return sections;
}
