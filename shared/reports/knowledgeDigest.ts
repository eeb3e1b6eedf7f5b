import { entryKinds, entryStatuses, type EntryProjection } from '../records/entry';
import { formatRegion, isWithinRegion } from '../records/region';
import { nameOf, orgNamesOf, type ViewOf } from './reportData';
import { freshnessFor, type ReportContext } from './reportInputs';
import { byText, fileStemOf, formatDate, formatTime, isoTime, monthOf, type ReportEntryItem, type ReportLocale, type ReportModel, type ReportSection } from './reportModel';
import { ReportInputError } from './reportInputError';
import { entryLabelLines } from './labelExclusion';
import { shownTimes } from './recordTimes';
import { printedVersion, printedVersionOf, reviewLabel } from './entryContent';
import { attachmentsCell, entryAttachments } from './reportAttachments';
import { runSteps, type ReportSteps } from './reportSteps';

/*
 * The knowledge digest: entries chosen by topic or tag, region, kind, organization, period and
 * status, each with its summary, its kind's template sections and full write-up (the endorsed
 * version where the author has drafted on since: entryContent.ts), attribution, review state and
 * consent and sharing labels, and its attachments as reportAttachments.ts allows them (photos in
 * the document, names in the CSV), grouped and ordered as the person chose. Under anonymous
 * consent the holder's name is never printed.
 * A translation says what it translates and who translated it, and follows its original where
 * both are in the same group; an original names its translations.
 */

export const digestGroupings = ['none', 'kind', 'topic', 'region', 'organization', 'month'] as const;
export type DigestGrouping = (typeof digestGroupings)[number];
export const digestOrders = ['newest', 'oldest', 'title'] as const;
export type DigestOrder = (typeof digestOrders)[number];

type EntryKind = (typeof entryKinds)[number];
type EntryStatus = (typeof entryStatuses)[number];

export interface DigestOptions {
  /** Matches an entry whose topic is one of these or that carries one of them as a tag. */
  readonly topics?: readonly string[];
  readonly region?: readonly string[];
  readonly kinds?: readonly EntryKind[];
  readonly orgIds?: readonly string[];
  /** On the hub-set creation time: from inclusive, to exclusive; null for open-ended. */
  readonly from?: number | null;
  readonly to?: number | null;
  /** Default: shared and endorsed (private drafts stay out unless asked for). */
  readonly statuses?: readonly EntryStatus[];
  readonly groupBy?: DigestGrouping;
  readonly orderBy?: DigestOrder;
}

export const DEFAULT_DIGEST_STATUSES: readonly EntryStatus[] = ['shared', 'endorsed'];

const fold = (text: string): string => text.trim().toLocaleLowerCase();

/** The entries a digest shows, filtered and ordered (not grouped). */
export function selectDigestEntries(entries: readonly ViewOf<'entry'>[], options: DigestOptions): ViewOf<'entry'>[] {
  return runSteps(selectDigestEntriesSteps(entries, options));
}

/** Entries looked at between two steps while choosing: a few milliseconds of work on a loaded laptop. */
const SELECT_STEP_ENTRIES = 200;

/**
 * selectDigestEntries as steps: choosing among 10,000 entries and sorting them ran in one piece
 * before the first entry was written (issue 17). Each entry's sort key is taken once, not in each
 * of the sort's comparisons, so the sort itself stays one short step; the order is the same.
 */
function* selectDigestEntriesSteps(entries: readonly ViewOf<'entry'>[], options: DigestOptions): ReportSteps<ViewOf<'entry'>[]> {
  if (options.from != null && options.to != null && options.to <= options.from) {
    throw new ReportInputError('period-reversed', 'the period must end after it starts');
  }
  const topics = new Set((options.topics ?? []).map(fold).filter(Boolean));
  const kinds = new Set(options.kinds ?? []);
  const orgs = new Set(options.orgIds ?? []);
  const statuses = new Set(options.statuses ?? DEFAULT_DIGEST_STATUSES);
  const region = options.region ?? [];
  const orderBy = options.orderBy ?? 'newest';
  const chosen: { readonly view: ViewOf<'entry'>; readonly createdAt: number; readonly title: string }[] = [];
  for (const [index, view] of entries.entries()) {
    if (index % SELECT_STEP_ENTRIES === SELECT_STEP_ENTRIES - 1) yield;
    const { header, projection: p } = view;
    if (topics.size > 0 && !topics.has(fold(p.topic)) && !p.tags.some((tag) => topics.has(fold(tag)))) continue;
    if (region.length > 0 && !isWithinRegion(p.region, region)) continue;
    if (kinds.size > 0 && !kinds.has(p.kind)) continue;
    if (orgs.size > 0 && !orgs.has(header.ownerOrg)) continue;
    if (!statuses.has(p.status)) continue;
    const { createdAt } = shownTimes(header, p);
    if (options.from != null && createdAt < options.from) continue;
    if (options.to != null && createdAt >= options.to) continue;
    chosen.push({ view, createdAt, title: orderBy === 'title' ? printedVersion(p).title : '' });
  }
  yield;
  const tieBreak = (a: ViewOf<'entry'>, b: ViewOf<'entry'>) => (a.header.id < b.header.id ? -1 : a.header.id > b.header.id ? 1 : 0);
  switch (orderBy) {
    case 'newest':
      chosen.sort((a, b) => b.createdAt - a.createdAt || tieBreak(a.view, b.view));
      break;
    case 'oldest':
      chosen.sort((a, b) => a.createdAt - b.createdAt || tieBreak(a.view, b.view));
      break;
    case 'title':
      chosen.sort((a, b) => byText(a.title, b.title) || tieBreak(a.view, b.view));
      break;
  }
  yield;
  return chosen.map(({ view }) => view);
}

/** The attribution line: who holds the knowledge and what they consented to. */
export function attributionText(p: EntryProjection, locale: ReportLocale): string {
  const { t } = locale;
  const consent = t(`entry.consent.${p.attribution.consent}`);
  const isNamed = p.attribution.consent !== 'anonymous' && p.attribution.holderName !== '';
  const holder = isNamed ? p.attribution.holderName : t('reports.doc.digest.anonymousHolder');
  const line = t('reports.doc.digest.attribution', { kind: t(`entry.holderKind.${p.attribution.holderKind}`), holder, consent });
  const record = consentRecordText(p, locale);
  return record ? `${line} · ${record}` : line;
}

/** Who gave consent, how, when and for what use; under anonymous consent without the giver's name. */
export function consentRecordText(p: EntryProjection, locale: ReportLocale): string {
  const record = p.attribution.consentRecord;
  if (!record) return '';
  const { t } = locale;
  const values = { how: t(`entry.consentWay.${record.how}`), date: formatDate(locale, record.givenAt), use: record.use || '—' };
  const isNamed = p.attribution.consent !== 'anonymous' && record.givenBy !== '';
  return isNamed ? t('reports.doc.digest.consentRecord', { ...values, givenBy: record.givenBy }) : t('reports.doc.digest.consentRecordUnnamed', values);
}

/** The licence or conditions of use as printed: its name, then the conditions text where there is one. */
export function licenceText(p: EntryProjection, locale: ReportLocale): string {
  const { t } = locale;
  const name = t(`entry.licence.${p.licence.id}`);
  return p.licence.conditions ? t('reports.doc.digest.licenceWithConditions', { licence: name, conditions: p.licence.conditions }) : t('reports.doc.digest.licence', { licence: name });
}

/** When the entry was written (recordTimes.ts): not the hub's later receipt of an offline entry. */
const createdOf = (view: ViewOf<'entry'>): number => shownTimes(view.header, view.projection).createdAt;

/** The holder's name as a report may print it: empty under anonymous consent. */
export const printableHolder = (p: EntryProjection): string => (p.attribution.consent === 'anonymous' ? '' : p.attribution.holderName);

/** The entries a report holds, by id, and each original's translations: what the translation lines are read from. */
export interface TranslationIndex {
  readonly byId: ReadonlyMap<string, ViewOf<'entry'>>;
  readonly translationsOf: ReadonlyMap<string, readonly ViewOf<'entry'>[]>;
}

export function translationIndexOf(entries: readonly ViewOf<'entry'>[]): TranslationIndex {
  const byId = new Map(entries.map((view) => [view.header.id, view]));
  const translationsOf = new Map<string, ViewOf<'entry'>[]>();
  for (const view of entries) {
    const of = view.projection.translation?.of;
    if (of !== undefined && of !== view.header.id) translationsOf.set(of, [...(translationsOf.get(of) ?? []), view]);
  }
  return { byId, translationsOf };
}

/**
 * A translation's line (what it translates, by whom) and an original's (its translations). An
 * original the report does not hold (not readable here, or left out by its labels) is not named,
 * not even by id.
 */
export function translationLines(view: ViewOf<'entry'>, index: TranslationIndex, locale: ReportLocale): string[] {
  const { t } = locale;
  const p = view.projection;
  const lines: string[] = [];
  if (p.translation) {
    const original = index.byId.get(p.translation.of);
    lines.push(
      original
        ? t('reports.doc.digest.translationOf', { title: printedVersion(original.projection).title, id: original.header.id, translator: p.translation.translator })
        : t('reports.doc.digest.translationOfUnheld', { translator: p.translation.translator }),
    );
  }
  for (const translated of index.translationsOf.get(view.header.id) ?? []) {
    lines.push(t('reports.doc.digest.translatedInto', { language: translated.projection.language, title: printedVersion(translated.projection).title, translator: translated.projection.translation?.translator ?? '' }));
  }
  return lines;
}

/** Each translation right after its original where both are in `views`; everything else keeps its place. */
export function pairTranslations(views: readonly ViewOf<'entry'>[]): ViewOf<'entry'>[] {
  const ids = new Set(views.map((view) => view.header.id));
  const follows = (view: ViewOf<'entry'>) => {
    const of = view.projection.translation?.of;
    return of !== undefined && of !== view.header.id && ids.has(of) ? of : null;
  };
  const after = new Map<string, ViewOf<'entry'>[]>();
  for (const view of views) {
    const of = follows(view);
    if (of) after.set(of, [...(after.get(of) ?? []), view]);
  }
  return views.flatMap((view) => (follows(view) ? [] : [view, ...(after.get(view.header.id) ?? [])]));
}

export interface EntryItemOptions {
  readonly translations?: TranslationIndex;
  /** Whether its photos are shown (ReportContext.includePhotos); default true. */
  readonly includePhotos?: boolean;
  /** Photos chosen to be left out (ReportContext.leftOutPhotos). */
  readonly leftOutPhotos?: ReadonlySet<string>;
}

export function entryItem(view: ViewOf<'entry'>, names: ReadonlyMap<string, string>, locale: ReportLocale, options: EntryItemOptions = {}): ReportEntryItem {
  const { t } = locale;
  const translations = options.translations ?? translationIndexOf([view]);
  const p = view.projection;
  // An endorsed entry prints its pinned version, title and summary included (entryContent.ts).
  const printed = printedVersion(p);
  const meta = [t(`entry.kind.${p.kind}`), nameOf(names, view.header.ownerOrg), formatRegion(p.region), p.topic, formatDate(locale, createdOf(view))]
    .filter(Boolean)
    .join(' · ');
  return {
    id: view.header.id,
    title: printed.title,
    meta,
    summary: printed.summary,
    attribution: attributionText(p, locale),
    content: printedVersionOf(p, locale),
    attachments: entryAttachments(view, locale, options.includePhotos ?? true, options.leftOutPhotos),
    labels: [
      ...translationLines(view, translations, locale),
      reviewLabel(p, locale),
      t(`entry.sharing.${p.sharing}`),
      licenceText(p, locale),
      ...(p.author ? [t('reports.doc.digest.author', { author: p.author })] : []),
      ...p.tags.map((tag) => `#${tag}`),
      ...entryLabelLines(p.labels, locale),
    ],
  };
}

function groupKey(view: ViewOf<'entry'>, grouping: DigestGrouping, names: ReadonlyMap<string, string>, locale: ReportLocale): string {
  const p = view.projection;
  switch (grouping) {
    case 'none':
      return '';
    case 'kind':
      return locale.t(`entry.kind.${p.kind}`);
    case 'topic':
      return p.topic || locale.t('reports.doc.digest.noTopic');
    case 'region':
      return formatRegion(p.region) || locale.t('reports.doc.digest.noRegion');
    case 'organization':
      return nameOf(names, view.header.ownerOrg);
    case 'month':
      return monthOf(createdOf(view));
  }
}

export function knowledgeDigest(context: ReportContext, options: DigestOptions = {}): ReportModel {
  return runSteps(knowledgeDigestSteps(context, options));
}

/** The digest as steps (reportSteps.ts): a step after each entry, so a screen can build it in slices. */
export function* knowledgeDigestSteps(context: ReportContext, options: DigestOptions = {}): ReportSteps<ReportModel> {
  const { locale, data } = context;
  const { t } = locale;
  const names = orgNamesOf(data);
  const entries = yield* selectDigestEntriesSteps(data.entries, options);
  const grouping = options.groupBy ?? 'none';
  const translations = translationIndexOf(data.entries);
  yield;

  const groups = new Map<string, ViewOf<'entry'>[]>();
  for (const [index, view] of entries.entries()) {
    if (index % SELECT_STEP_ENTRIES === SELECT_STEP_ENTRIES - 1) yield;
    const key = groupKey(view, grouping, names, locale);
    const list = groups.get(key) ?? [];
    list.push(view);
    groups.set(key, list);
  }
  // Groups in a stable order (months newest first, the rest by name); entries keep the chosen order.
  const keys = [...groups.keys()].sort(grouping === 'month' ? (a, b) => byText(b, a) : byText);
  yield;
  const sections: ReportSection[] = [];
  if (entries.length === 0) sections.push({ id: 'entries', heading: t('reports.doc.digest.entries'), blocks: [{ kind: 'paragraph', text: t('reports.doc.digest.empty') }] });
  for (const [index, key] of keys.entries()) {
    const items: ReportEntryItem[] = [];
    const group = pairTranslations(groups.get(key)!);
    yield;
    for (const view of group) {
      items.push(entryItem(view, names, locale, { translations, includePhotos: context.includePhotos, leftOutPhotos: context.leftOutPhotos }));
      yield;
    }
    sections.push({
      id: `group-${index}`,
      heading: grouping === 'none' ? t('reports.doc.digest.entries') : t('reports.doc.digest.group', { group: key, n: groups.get(key)!.length }),
      blocks: [{ kind: 'entries', items }],
    });
  }

  const criteria = [
    t('reports.doc.criteria.count', { n: entries.length }),
    ...(options.topics?.length ? [t('reports.doc.criteria.topics', { value: options.topics.join(', ') })] : []),
    ...(options.region?.length ? [t('reports.doc.criteria.region', { value: formatRegion(options.region) })] : []),
    ...(options.kinds?.length ? [t('reports.doc.criteria.kinds', { value: options.kinds.map((kind) => t(`entry.kind.${kind}`)).join(', ') })] : []),
    ...(options.orgIds?.length ? [t('reports.doc.criteria.orgs', { value: options.orgIds.map((id) => nameOf(names, id)).join(', ') })] : []),
    t('reports.doc.criteria.statuses', { value: (options.statuses ?? DEFAULT_DIGEST_STATUSES).map((status) => t(`entry.status.${status}`)).join(', ') }),
    ...(options.from != null || options.to != null
      ? [t('reports.doc.criteria.period', { from: options.from != null ? formatDate(locale, options.from) : '…', to: options.to != null ? formatDate(locale, options.to) : '…' })]
      : []),
    t('reports.doc.criteria.grouping', { value: t(`reports.doc.grouping.${grouping}`), order: t(`reports.doc.order.${options.orderBy ?? 'newest'}`) }),
  ];

  const { freshness, section } = freshnessFor(context, entries.map((view) => view.header.ownerOrg), names);
  const col = (key: string) => t(`reports.doc.col.${key}`);
  const rows: (readonly string[])[] = [];
  const paired = pairTranslations(entries);
  yield;
  for (const view of paired) {
    const { header, projection: p } = view;
    rows.push([
      header.id,
      printedVersion(p).title,
      t(`entry.kind.${p.kind}`),
      p.topic,
      p.tags.join('; '),
      formatRegion(p.region),
      nameOf(names, header.ownerOrg),
      p.author,
      t(`entry.holderKind.${p.attribution.holderKind}`),
      printableHolder(p),
      t(`entry.consent.${p.attribution.consent}`),
      licenceText(p, locale),
      t(`entry.sharing.${p.sharing}`),
      t(`entry.status.${p.status}`),
      p.language,
      // The original's id only where the report holds it (translationLines says why).
      p.translation && translations.byId.has(p.translation.of) ? p.translation.of : '',
      p.translation?.translator ?? '',
      isoTime(shownTimes(header, p).createdAt),
      isoTime(shownTimes(header, p).updatedAt),
      printedVersion(p).summary,
      printedVersionOf(p, locale)
        .map((part) => `${part.heading}: ${part.text}`)
        .join('\n\n'),
      // Names only, under the same rule as the document (reportAttachments.ts).
      attachmentsCell(entryAttachments(view, locale, false)),
    ]);
    yield;
  }
  return {
    kind: 'digest',
    title: t('reports.doc.title.digest'),
    subtitle: data.network?.projection.name ?? '',
    language: locale.language,
    generatedAt: context.now,
    generatedAtText: formatTime(locale, context.now),
    criteria,
    freshness,
    freshnessSection: section,
    sections,
    table: {
      columns: ['id', 'title', 'kind', 'topic', 'tags', 'region', 'organization', 'author', 'holderKind', 'holder', 'consent', 'licence', 'sharing', 'status', 'language', 'translationOf', 'translator', 'created', 'updated', 'summary', 'content', 'attachments'].map(col),
      rows,
    },
    fileStem: fileStemOf(t('reports.doc.file.digest'), new Date(context.now).toISOString().slice(0, 10)),
  };
}
