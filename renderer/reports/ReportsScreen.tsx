import { Alert, Button, Group, Loader, MultiSelect, NumberInput, Paper, Progress, Select, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { entryKinds, entryStatuses } from '../../shared/records/entry';
import type { Role } from '../../shared/records/recordType';
import { buildReport, type ReportRequest } from '../../shared/reports/buildReport';
import { exportReportText, fileTypes, reportFormats, type ReportFormat } from '../../shared/reports/exportReport';
import { DEFAULT_STALE_AFTER_DAYS } from '../../shared/reports/freshness';
import { DEFAULT_DIGEST_STATUSES, digestGroupings, digestOrders, type DigestGrouping, type DigestOrder } from '../../shared/reports/knowledgeDigest';
import type { ReportData } from '../../shared/reports/reportData';
import { ReportInputError } from '../../shared/reports/reportInputError';
import { reportKinds, type ReportKind, type ReportLocale, type ReportModel } from '../../shared/reports/reportModel';
import { parseRegion } from '../../shared/records/region';
import { languages, type Language } from '../i18n/catalogs';
import { useSession } from '../session/SessionContext';
import { ReportPreview } from './ReportPreview';
import { lastSyncTimesOf, useHubSyncStatus, useReportData } from './useReportData';

/*
 * Reports, offline: choose a kind and its filters, watch the preview follow, export to PDF (the
 * bridge's printer), HTML, CSV or Markdown (the bridge's save dialog). Exports are written a piece
 * at a time with a repaint between pieces, with a progress bar, so a large one never freezes the
 * window.
 */

type EntryKind = (typeof entryKinds)[number];
type EntryStatus = (typeof entryStatuses)[number];

interface Filters {
  readonly topics: string[];
  readonly region: string;
  readonly kinds: EntryKind[];
  readonly orgIds: string[];
  readonly statuses: EntryStatus[];
  readonly from: string;
  readonly to: string;
  readonly groupBy: DigestGrouping;
  readonly orderBy: DigestOrder;
  readonly regionDepth: number;
  readonly orgId: string | null;
  readonly proposalId: string | null;
}

const initialFilters: Filters = {
  topics: [],
  region: '',
  kinds: [],
  orgIds: [],
  statuses: [...DEFAULT_DIGEST_STATUSES],
  from: '',
  to: '',
  groupBy: 'kind',
  orderBy: 'newest',
  regionDepth: 1,
  orgId: null,
  proposalId: null,
};

const DAY_MS = 86_400_000;

/** A date field's value (YYYY-MM-DD) as the start of that day here; null when empty or invalid. */
function dayStart(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const time = new Date(`${value}T00:00:00`).getTime();
  return Number.isNaN(time) ? null : time;
}

function requestOf(kind: ReportKind, filters: Filters, viewer: { readonly orgId: string; readonly role: Role }): ReportRequest | null {
  const from = dayStart(filters.from);
  // "Until" includes its day.
  const until = dayStart(filters.to);
  const to = until === null ? null : until + DAY_MS;
  switch (kind) {
    case 'digest':
      return {
        kind,
        options: {
          topics: filters.topics,
          region: parseRegion(filters.region),
          kinds: filters.kinds,
          orgIds: filters.orgIds,
          statuses: filters.statuses,
          from,
          to,
          groupBy: filters.groupBy,
          orderBy: filters.orderBy,
        },
      };
    case 'contributions':
      return { kind, options: { from, to, regionDepth: filters.regionDepth } };
    case 'org-profile':
      return filters.orgId ? { kind, options: { orgId: filters.orgId } } : null;
    case 'decision-record':
      return filters.proposalId ? { kind, options: { proposalId: filters.proposalId, viewer } } : null;
  }
}

const exportLabels = {
  pdf: 'reports.screen.exportPdf',
  html: 'reports.screen.exportHtml',
  csv: 'reports.screen.exportCsv',
  markdown: 'reports.screen.exportMarkdown',
} as const satisfies Record<ReportFormat, string>;

const pauseForPaint = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function ReportsScreen() {
  const { t, i18n } = useTranslation();
  const { session, platform } = useSession();
  const data = useReportData(session.client);
  const hubStatuses = useHubSyncStatus(session.client);
  const { identity } = session.profile;
  const [kind, setKind] = useState<ReportKind>('digest');
  const [language, setLanguage] = useState<Language>(i18n.language === 'zh-CN' ? 'zh-CN' : 'en');
  const [staleAfterDays, setStaleAfterDays] = useState(DEFAULT_STALE_AFTER_DAYS);
  const [filters, setFilters] = useState<Filters>(initialFilters);
  // A report of thousands of entries takes a moment to build: not once per keystroke in a filter.
  const [settledFilters] = useDebouncedValue(filters, 250);
  const [progress, setProgress] = useState<{ readonly format: ReportFormat; readonly done: number } | null>(null);
  const [status, setStatus] = useState<{ readonly tone: 'ok' | 'error'; readonly text: string } | null>(null);
  const set = <K extends keyof Filters>(key: K) => (value: Filters[K]) => setFilters((current) => ({ ...current, [key]: value }));

  const locale = useMemo<ReportLocale>(() => {
    const fixed = i18n.getFixedT(language);
    return { t: (key, values) => fixed(key, values ?? {}), language, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
  }, [i18n, language]);

  const built = useMemo((): { model: ReportModel | null; error: string | null } => {
    if (!data) return { model: null, error: null };
    const request = requestOf(kind, settledFilters, { orgId: identity.orgId, role: identity.role });
    if (!request) return { model: null, error: null };
    const now = Date.now();
    const { lastSyncAt, source, asOf } = lastSyncTimesOf(data, now, hubStatuses);
    try {
      return { model: buildReport({ data, locale, now, lastSyncAt, lastSyncSource: source, lastSyncAsOf: asOf, staleAfterDays }, request), error: null };
    } catch (error) {
      return { model: null, error: error instanceof ReportInputError ? t(`reports.screen.errors.${error.code}`) : error instanceof Error ? error.message : String(error) };
    }
  }, [data, hubStatuses, kind, settledFilters, locale, staleAfterDays, identity.orgId, identity.role, t]);
  // Typing in a filter stays responsive: the preview catches up when React has time.
  const previewModel = useDeferredValue(built.model);

  const exportAs = async (format: ReportFormat) => {
    const model = built.model;
    if (!model || progress) return;
    setStatus(null);
    setProgress({ format, done: 0 });
    try {
      const text = await exportReportText(model, format, {
        pause: pauseForPaint,
        onProgress: (done) => setProgress({ format, done }),
        valueLabel: locale.t('reports.doc.value'),
      });
      const type = fileTypes[format];
      const suggestedName = `${model.fileStem}.${type.extension}`;
      const result =
        format === 'pdf'
          ? await platform.bridge.printToPdf({ html: text, suggestedName, pageSize: 'A4' })
          : await platform.bridge.saveFile({ suggestedName, filters: [{ name: type.name, extensions: [type.extension] }], data: text });
      if (result.isSaved) setStatus({ tone: 'ok', text: t('reports.screen.exported', { path: result.path }) });
      else setStatus({ tone: 'ok', text: format === 'pdf' ? t('reports.screen.printed') : t('reports.screen.notSaved') });
    } catch (error) {
      setStatus({ tone: 'error', text: t('reports.screen.failed', { reason: error instanceof Error ? error.message : String(error) }) });
    } finally {
      setProgress(null);
    }
  };

  return (
    <section className="fw-screen fw-reports" aria-labelledby="reports-heading" data-testid="reports-screen">
      <Title order={1} size="h3" id="reports-heading">
        {t('reports.screen.title')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('reports.screen.intro')}
      </Text>
      {!data ? (
        <Group gap="xs">
          <Loader size="sm" aria-label={t('reports.screen.loading')} />
          <Text size="sm">{t('reports.screen.loading')}</Text>
        </Group>
      ) : (
        <div className="fw-reports-body">
          <Paper withBorder p="md" radius="md" className="fw-reports-form">
            <Stack gap="sm">
              <Select
                label={t('reports.screen.kind')}
                data={reportKinds.map((value) => ({ value, label: t(`reports.screen.kinds.${value}`) }))}
                value={kind}
                onChange={(value) => value && setKind(value as ReportKind)}
                allowDeselect={false}
                data-testid="report-kind"
              />
              <Select
                label={t('reports.screen.language')}
                data={languages.map((value) => ({ value, label: value === 'en' ? 'English' : '简体中文' }))}
                value={language}
                onChange={(value) => value && setLanguage(value as Language)}
                allowDeselect={false}
                data-testid="report-language"
              />
              <KindFilters kind={kind} data={data} filters={filters} set={set} />
              <NumberInput
                label={t('reports.screen.staleAfter')}
                value={staleAfterDays}
                min={0}
                max={3650}
                allowDecimal={false}
                onChange={(value) => typeof value === 'number' && setStaleAfterDays(value)}
                data-testid="report-stale-days"
              />
            </Stack>
          </Paper>
          <Stack gap="sm" className="fw-reports-output">
            <Group gap="xs" aria-label={t('reports.screen.export')}>
              {reportFormats.map((format) => (
                <Button key={format} size="xs" variant="light" disabled={!built.model || progress !== null} onClick={() => void exportAs(format)} data-testid={`report-export-${format}`}>
                  {t(exportLabels[format])}
                </Button>
              ))}
              {built.model && (
                <Text size="xs" c="dimmed" data-testid="report-row-count" data-count={built.model.table.rows.length}>
                  {t('reports.screen.rows', { n: built.model.table.rows.length })}
                </Text>
              )}
            </Group>
            {progress && (
              <Stack gap={4} data-testid="report-progress" data-format={progress.format}>
                <Text size="xs">{t('reports.screen.exporting', { format: fileTypes[progress.format].name })}</Text>
                <Progress value={Math.round(progress.done * 100)} aria-label={t('reports.screen.progress')} />
              </Stack>
            )}
            {status && (
              <Alert color={status.tone === 'ok' ? 'teal' : 'red'} data-testid="report-status" data-tone={status.tone}>
                {status.text}
              </Alert>
            )}
            {built.error && (
              <Alert color="red" data-testid="report-error">
                {t('reports.screen.failed', { reason: built.error })}
              </Alert>
            )}
            {built.model && (
              <Text size="xs" c={built.model.freshness.staleCount > 0 ? 'red.8' : 'dimmed'} data-testid="report-stale-summary" data-stale={built.model.freshness.staleCount}>
                {t('reports.screen.staleSummary', { stale: built.model.freshness.staleCount, total: built.model.freshness.rows.length, days: built.model.freshness.thresholdDays })}
              </Text>
            )}
            {!built.model && !built.error && <Text size="sm">{t('reports.screen.choose')}</Text>}
            {previewModel && <ReportPreview model={previewModel} label={t('reports.screen.previewFrame')} />}
          </Stack>
        </div>
      )}
    </section>
  );
}

interface KindFiltersProps {
  readonly kind: ReportKind;
  readonly data: ReportData;
  readonly filters: Filters;
  readonly set: <K extends keyof Filters>(key: K) => (value: Filters[K]) => void;
}

function KindFilters({ kind, data, filters, set }: KindFiltersProps) {
  const { t } = useTranslation();
  const orgOptions = useMemo(
    () => data.orgs.map((org) => ({ value: org.header.id, label: org.projection.name || org.header.id })).sort((a, b) => a.label.localeCompare(b.label)),
    [data.orgs],
  );
  const proposalOptions = useMemo(
    () => [...data.proposals].sort((a, b) => b.projection.opensAt - a.projection.opensAt).map((proposal) => ({ value: proposal.header.id, label: proposal.projection.title || proposal.header.id })),
    [data.proposals],
  );
  const period = (
    <Group grow gap="xs">
      <TextInput type="date" label={t('reports.screen.from')} value={filters.from} onChange={(event) => set('from')(event.currentTarget.value)} data-testid="report-from" />
      <TextInput type="date" label={t('reports.screen.to')} value={filters.to} onChange={(event) => set('to')(event.currentTarget.value)} data-testid="report-to" />
    </Group>
  );
  switch (kind) {
    case 'digest':
      return (
        <>
          <TagsInput label={t('reports.screen.topics')} placeholder={t('reports.screen.topicsPlaceholder')} value={filters.topics} onChange={set('topics')} data-testid="report-topics" />
          <TextInput label={t('reports.screen.region')} placeholder={t('reports.screen.regionPlaceholder')} value={filters.region} onChange={(event) => set('region')(event.currentTarget.value)} data-testid="report-region" />
          <MultiSelect
            label={t('reports.screen.entryKinds')}
            placeholder={t('reports.screen.entryKindsPlaceholder')}
            data={entryKinds.map((value) => ({ value, label: t(`entry.kind.${value}`) }))}
            value={filters.kinds}
            onChange={(values) => set('kinds')(values as EntryKind[])}
            data-testid="report-entry-kinds"
          />
          <MultiSelect label={t('reports.screen.orgs')} placeholder={t('reports.screen.orgsPlaceholder')} data={orgOptions} value={filters.orgIds} onChange={set('orgIds')} searchable data-testid="report-orgs" />
          <MultiSelect
            label={t('reports.screen.statuses')}
            data={entryStatuses.map((value) => ({ value, label: t(`entry.status.${value}`) }))}
            value={filters.statuses}
            onChange={(values) => set('statuses')(values as EntryStatus[])}
            data-testid="report-statuses"
          />
          {period}
          <Group grow gap="xs">
            <Select
              label={t('reports.screen.groupBy')}
              data={digestGroupings.map((value) => ({ value, label: t(`reports.doc.grouping.${value}`) }))}
              value={filters.groupBy}
              onChange={(value) => value && set('groupBy')(value as DigestGrouping)}
              allowDeselect={false}
              data-testid="report-group-by"
            />
            <Select
              label={t('reports.screen.orderBy')}
              data={digestOrders.map((value) => ({ value, label: t(`reports.doc.order.${value}`) }))}
              value={filters.orderBy}
              onChange={(value) => value && set('orderBy')(value as DigestOrder)}
              allowDeselect={false}
              data-testid="report-order-by"
            />
          </Group>
        </>
      );
    case 'contributions':
      return (
        <>
          {period}
          <NumberInput label={t('reports.screen.regionDepth')} value={filters.regionDepth} min={1} max={6} allowDecimal={false} onChange={(value) => typeof value === 'number' && set('regionDepth')(value)} data-testid="report-region-depth" />
        </>
      );
    case 'org-profile':
      return orgOptions.length === 0 ? (
        <Text size="sm">{t('reports.screen.noOrgs')}</Text>
      ) : (
        <Select label={t('reports.screen.org')} data={orgOptions} value={filters.orgId} onChange={set('orgId')} searchable data-testid="report-org" />
      );
    case 'decision-record':
      return proposalOptions.length === 0 ? (
        <Text size="sm">{t('reports.screen.noProposals')}</Text>
      ) : (
        <Select label={t('reports.screen.proposal')} data={proposalOptions} value={filters.proposalId} onChange={set('proposalId')} searchable data-testid="report-proposal" />
      );
  }
}
