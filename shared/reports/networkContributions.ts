import { formatRegion, MAX_REGION_LEVELS } from '../records/region';
import { printedVersion } from './entryContent';
import { nameOf, orgNamesOf, type ReportData, type ViewOf } from './reportData';
import { freshnessFor, type ReportContext } from './reportInputs';
import { byText, DAY_MS, fileStemOf, formatDate, formatTime, monthOf, type ReportBar, type ReportLocale, type ReportModel, type ReportSection } from './reportModel';
import { ReportInputError } from './reportInputError';

/*
 * The secretariat's network report: contributions per organization, region and month; which
 * organizations were active in the period and which were silent; the stage-of-development
 * distribution; challenges from the field by topic and region. Contributions are entries shared
 * beyond their organization (a private draft on this device is nobody's contribution yet).
 */

export interface ContributionsOptions {
  /** The period, on hub-set creation times: from inclusive, to exclusive. Default: the last 90 days. */
  readonly from?: number | null;
  readonly to?: number | null;
  /** How many levels of the administrative path make a region (1: province). Default 1. */
  readonly regionDepth?: number;
}

export const DEFAULT_ACTIVITY_DAYS = 90;

/** The organizations of the network: its member list and every profile on this device. */
export function networkOrgIds(data: ReportData): string[] {
  const ids = new Set<string>();
  for (const member of data.network?.projection.members ?? []) if (member.role !== 'secretariat') ids.add(member.orgId);
  const secretariat = new Set((data.network?.projection.members ?? []).filter((m) => m.role === 'secretariat').map((m) => m.orgId));
  for (const org of data.orgs) if (!secretariat.has(org.header.id)) ids.add(org.header.id);
  return [...ids];
}

export const isContribution = (view: ViewOf<'entry'>): boolean => view.projection.sharing !== 'private';

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const toBars = (counts: ReadonlyMap<string, number>, order: (a: [string, number], b: [string, number]) => number): ReportBar[] =>
  [...counts].sort(order).map(([label, value]) => ({ label, value }));
const byCountThenLabel = (a: [string, number], b: [string, number]) => b[1] - a[1] || byText(a[0], b[0]);

/** A stage id as people read it: the network's label, translated where it is one of the defaults. */
export function stageLabel(stageId: string, data: ReportData, locale: ReportLocale): string {
  if (stageId === '') return locale.t('reports.doc.contributions.noStage');
  const label = data.network?.projection.stages.find((stage) => stage.id === stageId)?.label ?? stageId;
  return locale.t(`orgs.stages.${stageId}`, { defaultValue: label });
}

export function networkContributions(context: ReportContext, options: ContributionsOptions = {}): ReportModel {
  const { data, locale, now } = context;
  const { t } = locale;
  const to = options.to ?? now;
  const from = options.from ?? to - DEFAULT_ACTIVITY_DAYS * DAY_MS;
  if (to <= from) throw new ReportInputError('period-reversed', 'the period must end after it starts');
  const depth = options.regionDepth ?? 1;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_REGION_LEVELS) throw new ReportInputError('bad-region-depth', `the region depth must be a whole number from 1 to ${MAX_REGION_LEVELS} (got ${depth})`);

  const names = orgNamesOf(data);
  const orgIds = networkOrgIds(data);
  const profiles = new Map(data.orgs.map((org) => [org.header.id, org.projection]));
  const inPeriod = (time: number) => time >= from && time < to;
  const contributions = data.entries.filter((view) => isContribution(view) && inPeriod(view.header.createdAt));
  const regionOf = (path: readonly string[]) => formatRegion(path.slice(0, depth)) || t('reports.doc.digest.noRegion');
  const orgRegion = (orgId: string) => formatRegion(profiles.get(orgId)?.region ?? []);

  // Activity: anything an organization created in the period that reached this device.
  const lastActivity = new Map<string, number>();
  const noteActivity = (orgId: string, time: number) => {
    if (inPeriod(time) && time > (lastActivity.get(orgId) ?? -Infinity)) lastActivity.set(orgId, time);
  };
  for (const view of contributions) noteActivity(view.header.ownerOrg, view.header.createdAt);
  for (const view of data.ballots) if (view.projection.castAt !== null) noteActivity(view.header.ownerOrg, view.projection.castAt);
  for (const view of [...data.comments, ...data.interests]) noteActivity(view.header.ownerOrg, view.header.createdAt);

  const perOrg = countBy(contributions, (view) => view.header.ownerOrg);
  const challengesPerOrg = countBy(
    contributions.filter((view) => view.projection.kind === 'challenge'),
    (view) => view.header.ownerOrg,
  );
  const ballotsPerOrg = countBy(
    data.ballots.filter((view) => view.projection.castAt !== null && inPeriod(view.projection.castAt)),
    (view) => view.header.ownerOrg,
  );
  const orgRows = [...orgIds].sort((a, b) => (perOrg.get(b) ?? 0) - (perOrg.get(a) ?? 0) || byText(nameOf(names, a), nameOf(names, b)));
  const active = orgRows.filter((id) => lastActivity.has(id));
  const silent = orgRows.filter((id) => !lastActivity.has(id));

  const perRegion = countBy(contributions, (view) => regionOf(view.projection.region));
  const perMonth = countBy(contributions, (view) => monthOf(view.header.createdAt));
  const stages = countBy(orgIds, (id) => stageLabel(profiles.get(id)?.stage ?? '', data, locale));
  const challenges = contributions.filter((view) => view.projection.kind === 'challenge');
  const challengeTopic = (view: ViewOf<'entry'>) => view.projection.topic || view.projection.tags[0] || t('reports.doc.digest.noTopic');
  const challengeCells = countBy(challenges, (view) => JSON.stringify([challengeTopic(view), regionOf(view.projection.region)]));

  const col = (key: string) => t(`reports.doc.col.${key}`);
  const sections: ReportSection[] = [
    {
      id: 'overview',
      heading: t('reports.doc.contributions.overview'),
      blocks: [
        {
          kind: 'facts',
          items: [
            { label: t('reports.doc.contributions.orgs'), value: String(orgIds.length) },
            { label: t('reports.doc.contributions.active'), value: String(active.length) },
            { label: t('reports.doc.contributions.silent'), value: String(silent.length) },
            { label: t('reports.doc.contributions.entries'), value: String(contributions.length) },
            { label: t('reports.doc.contributions.challenges'), value: String(challenges.length) },
          ],
        },
      ],
    },
    {
      id: 'per-org',
      heading: t('reports.doc.contributions.perOrg'),
      blocks: [
        { kind: 'bars', caption: t('reports.doc.contributions.perOrgChart'), bars: orgRows.filter((id) => perOrg.has(id)).map((id) => ({ label: nameOf(names, id), value: perOrg.get(id)! })) },
        {
          kind: 'table',
          caption: t('reports.doc.contributions.perOrg'),
          columns: [col('organization'), col('region'), col('stage'), col('entries'), col('challenges'), col('ballots'), col('lastActivity')],
          rows: orgRows.map((id) => [
            nameOf(names, id),
            orgRegion(id),
            stageLabel(profiles.get(id)?.stage ?? '', data, locale),
            String(perOrg.get(id) ?? 0),
            String(challengesPerOrg.get(id) ?? 0),
            String(ballotsPerOrg.get(id) ?? 0),
            lastActivity.has(id) ? formatDate(locale, lastActivity.get(id)!) : '—',
          ]),
          numericColumns: [3, 4, 5],
        },
      ],
    },
    {
      id: 'per-region',
      heading: t('reports.doc.contributions.perRegion'),
      blocks: [{ kind: 'bars', caption: t('reports.doc.contributions.perRegion'), bars: toBars(perRegion, byCountThenLabel) }],
    },
    {
      id: 'per-month',
      heading: t('reports.doc.contributions.perMonth'),
      blocks: [{ kind: 'bars', caption: t('reports.doc.contributions.perMonth'), bars: toBars(perMonth, (a, b) => byText(a[0], b[0])) }],
    },
    {
      id: 'activity',
      heading: t('reports.doc.contributions.activity'),
      blocks: [
        { kind: 'paragraph', text: t('reports.doc.contributions.activityRule') },
        {
          kind: 'table',
          caption: t('reports.doc.contributions.activity'),
          columns: [col('organization'), col('activity'), col('lastActivity')],
          rows: [
            ...active.map((id) => [nameOf(names, id), t('reports.doc.contributions.isActive'), formatDate(locale, lastActivity.get(id)!)]),
            ...silent.map((id) => [nameOf(names, id), t('reports.doc.contributions.isSilent'), '—']),
          ],
          numericColumns: [],
        },
      ],
    },
    {
      id: 'stages',
      heading: t('reports.doc.contributions.stages'),
      blocks: [{ kind: 'bars', caption: t('reports.doc.contributions.stages'), bars: stageBars(stages, data, locale) }],
    },
    {
      id: 'challenges',
      heading: t('reports.doc.contributions.challengesHeading'),
      blocks: [
        { kind: 'bars', caption: t('reports.doc.contributions.challengesByTopic'), bars: toBars(countBy(challenges, challengeTopic), byCountThenLabel) },
        {
          kind: 'table',
          caption: t('reports.doc.contributions.challengesByTopicRegion'),
          columns: [col('topic'), col('region'), col('count'), col('examples')],
          rows: [...challengeCells]
            .sort(byCountThenLabel)
            .map(([key, count]) => {
              const [topic, region] = JSON.parse(key) as [string, string];
              const examples = challenges
                .filter((view) => challengeTopic(view) === topic && regionOf(view.projection.region) === region)
                .slice(0, 3)
                .map((view) => printedVersion(view.projection).title)
                .join('; ');
              return [topic, region, String(count), examples];
            }),
          numericColumns: [2],
        },
      ],
    },
  ];

  // CSV: one row per organization, region and month with contributions in it.
  const cells = countBy(contributions, (view) => JSON.stringify([view.header.ownerOrg, regionOf(view.projection.region), monthOf(view.header.createdAt)]));
  const challengeCellsByOrg = countBy(challenges, (view) => JSON.stringify([view.header.ownerOrg, regionOf(view.projection.region), monthOf(view.header.createdAt)]));
  const csvRows = [...cells]
    .map(([key, count]) => {
      const [orgId, region, month] = JSON.parse(key) as [string, string, string];
      return [nameOf(names, orgId), orgId, region, month, count, challengeCellsByOrg.get(key) ?? 0] as (string | number)[];
    })
    .sort((a, b) => byText(String(a[0]), String(b[0])) || byText(String(a[2]), String(b[2])) || byText(String(a[3]), String(b[3])));

  const { freshness, section } = freshnessFor(context, orgIds, names);
  return {
    kind: 'contributions',
    title: t('reports.doc.title.contributions'),
    subtitle: data.network?.projection.name ?? '',
    language: locale.language,
    generatedAt: now,
    generatedAtText: formatTime(locale, now),
    criteria: [
      t('reports.doc.criteria.period', { from: formatDate(locale, from), to: formatDate(locale, to) }),
      t('reports.doc.criteria.regionDepth', { depth }),
    ],
    freshness,
    freshnessSection: section,
    sections,
    table: { columns: [col('organization'), col('orgId'), col('region'), col('month'), col('entries'), col('challenges')], rows: csvRows },
    fileStem: fileStemOf(t('reports.doc.file.contributions'), new Date(now).toISOString().slice(0, 10)),
  };
}

/** Stages in the network's own order, then any others, each with its organization count. */
function stageBars(counts: ReadonlyMap<string, number>, data: ReportData, locale: ReportLocale): ReportBar[] {
  const ordered = (data.network?.projection.stages ?? []).map((stage) => stageLabel(stage.id, data, locale));
  const bars = ordered.filter((label) => counts.has(label)).map((label) => ({ label, value: counts.get(label)! }));
  for (const [label, value] of counts) if (!ordered.includes(label)) bars.push({ label, value });
  return bars;
}
