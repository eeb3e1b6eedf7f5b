import { offersFor } from '../matching/offersFor';
import { eligibleOrgIds } from '../governance/eligibleOrgIds';
import { formatRegion } from '../records/region';
import { printedVersion } from './entryContent';
import { entryItem } from './knowledgeDigest';
import { isContribution, stageLabel } from './networkContributions';
import { nameOf, orgNamesOf } from './reportData';
import { freshnessFor, type ReportContext } from './reportInputs';
import { fileStemOf, formatDate, formatTime, isoTime, type ReportModel, type ReportSection } from './reportModel';
import { ReportInputError } from './reportInputError';
import { shownTimes } from './recordTimes';

/*
 * One organization's profile: who it is, what it contributed, how it took part in the network's
 * decisions (its ballots and its own proposals), and the support it was matched to (its interests
 * in offers and where they stand, and the open offers it is eligible for).
 */

export interface OrgProfileOptions {
  readonly orgId: string;
}

export function orgProfileReport(context: ReportContext, options: OrgProfileOptions): ReportModel {
  const { data, locale, now } = context;
  const { t } = locale;
  const { orgId } = options;
  const names = orgNamesOf(data);
  const profile = data.orgs.find((org) => org.header.id === orgId) ?? null;
  const isMember = (data.network?.projection.members ?? []).some((member) => member.orgId === orgId);
  if (!profile && !isMember) throw new ReportInputError('unknown-org', `no organization ${orgId} on this device`);
  const name = nameOf(names, orgId);
  const p = profile?.projection;
  const col = (key: string) => t(`reports.doc.col.${key}`);

  const entries = data.entries.filter((view) => view.header.ownerOrg === orgId && isContribution(view)).sort((a, b) => b.header.createdAt - a.header.createdAt);
  const members = data.network?.projection.members ?? [];
  const ballotsByProposal = new Map(data.ballots.filter((view) => view.header.ownerOrg === orgId).map((view) => [view.projection.proposalId, view]));
  const proposals = data.proposals
    .filter((view) => view.projection.state !== 'draft' || view.header.ownerOrg === orgId)
    .filter((view) => view.header.ownerOrg === orgId || ballotsByProposal.has(view.header.id) || eligibleOrgIds(members, view.projection.eligible).includes(orgId))
    .sort((a, b) => b.projection.opensAt - a.projection.opensAt);
  const offersById = new Map(data.offers.map((view) => [view.header.id, view]));
  const interests = data.interests.filter((view) => view.header.ownerOrg === orgId).sort((a, b) => b.header.createdAt - a.header.createdAt);
  const eligibleOffers = p ? offersFor({ id: orgId, projection: p }, data.offers.map((offer) => ({ id: offer.header.id, projection: offer.projection })), now) : [];

  const participationRows = proposals.map((view) => {
    const ballot = ballotsByProposal.get(view.header.id);
    const castAt = ballot?.projection.castAt ?? null;
    return [
      view.projection.title,
      t(`reports.doc.method.${view.projection.method}`),
      view.header.ownerOrg === orgId ? t('reports.doc.profile.proposedByThem') : '',
      castAt === null ? t('reports.doc.profile.notVoted') : t('reports.doc.profile.voted'),
      castAt === null ? '' : formatDate(locale, castAt),
    ];
  });
  const voted = participationRows.filter((_row, index) => (ballotsByProposal.get(proposals[index]!.header.id)?.projection.castAt ?? null) !== null).length;

  const sections: ReportSection[] = [
    {
      id: 'profile',
      heading: t('reports.doc.profile.about'),
      blocks: [
        {
          kind: 'facts',
          items: [
            { label: col('organization'), value: name },
            { label: col('region'), value: formatRegion(p?.region ?? []) || '—' },
            { label: col('stage'), value: stageLabel(p?.stage ?? '', data, locale) },
            { label: t('reports.doc.profile.staff'), value: String(p?.staffSize ?? 0) },
            { label: t('reports.doc.profile.capabilities'), value: p?.capabilities.join(', ') || '—' },
            { label: t('reports.doc.profile.topics'), value: p?.topics.join(', ') || '—' },
            {
              label: t('reports.doc.profile.stageHistory'),
              value: p?.stageHistory.map((step) => `${stageLabel(step.stage, data, locale)} (${formatDate(locale, step.at)})`).join(' → ') || '—',
            },
          ],
        },
      ],
    },
    {
      id: 'contributions',
      heading: t('reports.doc.profile.contributions', { n: entries.length }),
      blocks: entries.length > 0 ? [{ kind: 'entries', items: entries.map((view) => entryItem(view, names, locale, { includePhotos: context.includePhotos, leftOutPhotos: context.leftOutPhotos })) }] : [{ kind: 'paragraph', text: t('reports.doc.digest.empty') }],
    },
    {
      id: 'decisions',
      heading: t('reports.doc.profile.decisions'),
      blocks: [
        { kind: 'paragraph', text: t('reports.doc.profile.decisionsSummary', { voted, total: proposals.length }) },
        {
          kind: 'table',
          caption: t('reports.doc.profile.decisions'),
          columns: [col('proposal'), col('method'), col('role'), col('ballot'), col('castAt')],
          rows: participationRows,
          numericColumns: [],
        },
      ],
    },
    {
      id: 'support',
      heading: t('reports.doc.profile.support'),
      blocks: [
        {
          kind: 'table',
          caption: t('reports.doc.profile.interests'),
          columns: [col('offer'), col('offerKind'), col('pipeline'), col('since')],
          rows: interests.map((view) => {
            const offer = offersById.get(view.projection.offerId);
            const lastStep = view.projection.steps.at(-1);
            return [
              offer?.projection.title ?? view.projection.offerId,
              offer ? t(`reports.doc.offerKind.${offer.projection.kind}`) : '—',
              t(`reports.doc.pipeline.${view.projection.stage}`),
              formatDate(locale, lastStep?.at ?? view.header.createdAt),
            ];
          }),
          numericColumns: [],
        },
        {
          kind: 'table',
          caption: t('reports.doc.profile.eligibleOffers'),
          columns: [col('offer'), col('closes')],
          rows: eligibleOffers.map((offer) => [offer.title, formatDate(locale, offersById.get(offer.id)!.projection.closesAt)]),
          numericColumns: [],
        },
      ],
    },
  ];

  const rows: (string | number)[][] = [
    ...entries.map((view) => [t('reports.doc.profile.rowEntry'), printedVersion(view.projection).title, t(`entry.kind.${view.projection.kind}`), t(`entry.status.${view.projection.status}`), isoTime(shownTimes(view.header, view.projection).createdAt)]),
    ...proposals.map((view) => {
      const castAt = ballotsByProposal.get(view.header.id)?.projection.castAt ?? null;
      return [t('reports.doc.profile.rowDecision'), view.projection.title, t(`reports.doc.method.${view.projection.method}`), castAt === null ? t('reports.doc.profile.notVoted') : t('reports.doc.profile.voted'), isoTime(castAt)];
    }),
    ...interests.map((view) => {
      const offer = offersById.get(view.projection.offerId);
      return [t('reports.doc.profile.rowSupport'), offer?.projection.title ?? view.projection.offerId, offer ? t(`reports.doc.offerKind.${offer.projection.kind}`) : '', t(`reports.doc.pipeline.${view.projection.stage}`), isoTime(view.projection.steps.at(-1)?.at ?? view.header.createdAt)];
    }),
  ];

  const { freshness, section } = freshnessFor(context, [orgId], names);
  return {
    kind: 'org-profile',
    title: t('reports.doc.title.orgProfile', { name }),
    subtitle: data.network?.projection.name ?? '',
    language: locale.language,
    generatedAt: now,
    generatedAtText: formatTime(locale, now),
    criteria: [t('reports.doc.criteria.org', { value: name })],
    freshness,
    freshnessSection: section,
    sections,
    table: { columns: [col('section'), col('title'), col('kind'), col('status'), col('date')], rows },
    fileStem: fileStemOf(t('reports.doc.file.orgProfile'), name, new Date(now).toISOString().slice(0, 10)),
  };
}
