import { Alert, Button, Group, Loader, MultiSelect, NumberInput, Paper, Progress, Select, Stack, Switch, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { buildReportSteps } from '../../shared/reports/buildReport';
import { exportReportText, fileTypes, reportFormats, type ReportFormat } from '../../shared/reports/exportReport';
import { DEFAULT_STALE_AFTER_DAYS } from '../../shared/reports/freshness';
import { reportKindIds, reportKinds, type ReportKind } from '../../shared/reports/reportKinds';
import type { ReportLocale } from '../../shared/reports/reportModel';
import { choosablePhotos } from '../../shared/reports/reportAttachments';
import { knownReportPhotos, loadReportPhotos } from '../../shared/reports/reportPhotos';
import { deviceBlobStore } from '../data/deviceBlobs';
import { languages, type Language } from '../i18n/languages';
import { refusalText } from '../i18n/refusalText';
import { useSession, useSessionSync } from '../session/SessionContext';
import { initialFilters, type Filters, type SetFilter } from './reportFilters';
import { reportForms } from './reportForms';
import { ReportPreview } from './ReportPreview';
import { useBuiltReport } from './useBuiltReport';
import { useOrgSyncStatus } from '../data/useOrgSyncStatus';
import { InTurn } from '../app/InTurn';
import { lastSyncTimesOf, useReportData } from './useReportData';
import { formatLocaleOf } from '../i18n/dateTime';

/*
 * Reports, offline: choose a kind and its filters, watch the preview follow, export to PDF (the
 * bridge's printer), HTML, CSV or Markdown (the bridge's save dialog). Exports are written a piece
 * at a time with a repaint between pieces, with a progress bar, so a large one never freezes the
 * window. Photos (on by default) come from this device's blob store, read afresh for an export,
 * so the file holds what the device holds when it is written.
 */

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
  const hubStatuses = useOrgSyncStatus(session.client);
  // "How current this report is" stands on the hub's freshest word: asked on opening and again
  // after every sync while the screen is open (the engine alone refreshes it every few hours, so a
  // member's report kept the times from joining). Offline, the last answer shows with its time.
  const sync = useSessionSync(session);
  const syncedAt = sync.kind === 'engine' && sync.status.state === 'synced' ? sync.status.at : null;
  useEffect(() => {
    void session.syncEngine?.fetchNetworkStatus();
  }, [session, syncedAt]);
  const { identity } = session.profile;
  const [kind, setKind] = useState<ReportKind>('digest');
  const [language, setLanguage] = useState<Language>(i18n.language === 'zh-CN' ? 'zh-CN' : 'en');
  const [staleAfterDays, setStaleAfterDays] = useState(DEFAULT_STALE_AFTER_DAYS);
  const [includePhotos, setIncludePhotos] = useState(true);
  const [leftOutPhotos, setLeftOutPhotos] = useState<readonly string[]>([]);
  const leftOutPhotoSet = useMemo(() => new Set(leftOutPhotos), [leftOutPhotos]);
  const photoOptions = useMemo(() => (data ? choosablePhotos(data.entries).map((photo) => ({ value: photo.key, label: t('reports.screen.photoOption', { title: photo.title, name: photo.name }) })) : []), [data, t]);
  const [filters, setFilters] = useState<Filters>(initialFilters);
  // A report of thousands of entries takes a moment to build: not once per keystroke in a filter.
  const [settledFilters] = useDebouncedValue(filters, 250);
  const [progress, setProgress] = useState<{ readonly format: ReportFormat; readonly done: number } | null>(null);
  const [status, setStatus] = useState<{ readonly tone: 'ok' | 'error'; readonly text: string } | null>(null);
  const set = useCallback<SetFilter>((key) => (value) => setFilters((current) => ({ ...current, [key]: value })), []);

  const locale = useMemo<ReportLocale>(() => {
    const fixed = i18n.getFixedT(language);
    return { t: (key, values) => fixed(key, values ?? {}), language, formatLocale: formatLocaleOf(language), timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
  }, [i18n, language]);

  // What to build, taken when the store or a setting changes; the build itself runs in slices
  // (useBuiltReport), so a report of thousands of entries never holds the window for long.
  const job = useMemo(() => {
    if (!data) return null;
    const request = reportForms[kind].request(settledFilters, { orgId: identity.orgId, role: identity.role });
    if (!request) return null;
    const now = Date.now();
    const { lastSyncAt, source, asOf } = lastSyncTimesOf(data, now, hubStatuses);
    return () => buildReportSteps({ data, locale, now, lastSyncAt, lastSyncSource: source, lastSyncAsOf: asOf, staleAfterDays, includePhotos, leftOutPhotos: leftOutPhotoSet }, request);
  }, [data, hubStatuses, kind, settledFilters, locale, staleAfterDays, includePhotos, leftOutPhotoSet, identity.orgId, identity.role]);
  const built = useBuiltReport(job, (error) => refusalText(t, error));
  const previewModel = built.model;
  // The preview's photos, each rendition read once (a blob never changes; one found missing stays
  // so on this screen until it is opened again, while an export always reads afresh).
  const photoReads = useRef(new Map<string, string | null>());
  const [photoReadCount, setPhotoReadCount] = useState(0);
  const previewPhotos = useMemo(() => (previewModel ? knownReportPhotos(previewModel, photoReads.current) : null), [previewModel, photoReadCount]);
  useEffect(() => {
    if (!previewModel || previewPhotos) return;
    let isCurrent = true;
    const reads = photoReads.current;
    void loadReportPhotos(previewModel, deviceBlobStore(), { pause: pauseForPaint, known: reads, onRead: (sha256, url) => reads.set(sha256, url) }).then(() => {
      if (isCurrent) setPhotoReadCount((count) => count + 1);
    });
    return () => {
      isCurrent = false;
    };
  }, [previewModel, previewPhotos]);

  const exportAs = async (format: ReportFormat) => {
    const model = built.model;
    if (!model || built.isBuilding || progress) return;
    setStatus(null);
    setProgress({ format, done: 0 });
    try {
      const photos = format === 'pdf' || format === 'html' ? await loadReportPhotos(model, deviceBlobStore(), { pause: pauseForPaint }) : null;
      const text = await exportReportText(model, format, {
        pause: pauseForPaint,
        // In a transition: the screen re-renders for the bar in slices, not in one task per piece.
        onProgress: (done) => startTransition(() => setProgress({ format, done })),
        valueLabel: locale.t('reports.doc.value'),
        photos,
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

  const KindFilters = reportForms[kind].Filters;
  // The form as one element, kept while only the output changes (the model, an export's progress,
  // its status): every Mantine field re-rendered with each of them, 40 to 60 ms in one task when an
  // export started or ended on a loaded two-core laptop (issue 17).
  const form = useMemo(
    () =>
      data && (
        <Paper withBorder p="md" radius="md" className="fw-reports-form">
          <Stack gap="sm">
            {/* Each field mounts in a turn of its own (InTurn): in one commit they held the window past 50 ms (issue 17). */}
            <InTurn>
              <Select
                label={t('reports.screen.kind')}
                data={reportKindIds.map((value) => ({ value, label: t(reportKinds[value].labels.name) }))}
                value={kind}
                onChange={(value) => value && setKind(value as ReportKind)}
                allowDeselect={false}
                data-testid="report-kind"
              />
            </InTurn>
            <InTurn>
              <Select
                label={t('reports.screen.language')}
                data={languages.map((value) => ({ value, label: value === 'en' ? 'English' : '简体中文' }))}
                value={language}
                // The other language's catalog loads on demand (i18n.ts): the report switches once it is in.
                onChange={(value) => value && void i18n.loadLanguages(value).then(() => setLanguage(value as Language))}
                allowDeselect={false}
                data-testid="report-language"
              />
            </InTurn>
            <KindFilters data={data} filters={filters} set={set} />
            <InTurn>
              <NumberInput
                label={t('reports.screen.staleAfter')}
                value={staleAfterDays}
                min={0}
                max={3650}
                allowDecimal={false}
                onChange={(value) => typeof value === 'number' && setStaleAfterDays(value)}
                data-testid="report-stale-days"
              />
              <Switch
                label={t('reports.screen.includePhotos')}
                description={t('reports.screen.includePhotosHelp')}
                checked={includePhotos}
                onChange={(event) => setIncludePhotos(event.currentTarget.checked)}
                data-testid="report-include-photos"
              />
            </InTurn>
            {includePhotos && photoOptions.length > 0 && (
              <InTurn>
                <MultiSelect
                  label={t('reports.screen.leaveOutPhotos')}
                  placeholder={leftOutPhotos.length === 0 ? t('reports.screen.leaveOutPhotosPlaceholder') : undefined}
                  data={photoOptions}
                  value={[...leftOutPhotos]}
                  onChange={setLeftOutPhotos}
                  searchable
                  clearable
                  data-testid="report-leave-out-photos"
                />
              </InTurn>
            )}
          </Stack>
        </Paper>
      ),
    [data, t, i18n, kind, language, filters, set, staleAfterDays, includePhotos, photoOptions, leftOutPhotos, KindFilters],
  );
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
          {form}
          <Stack gap="sm" className="fw-reports-output">
            <Group gap="xs" aria-label={t('reports.screen.export')}>
              {reportFormats.map((format) => (
                <Button key={format} size="xs" variant="light" disabled={!built.model || built.isBuilding || progress !== null} onClick={() => void exportAs(format)} data-testid={`report-export-${format}`}>
                  {t(exportLabels[format])}
                </Button>
              ))}
              {built.model && (
                <Text size="xs" c="dimmed" data-testid="report-row-count" data-count={built.model.table.rows.length}>
                  {t('reports.screen.rows', { count: built.model.table.rows.length })}
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
                {t('reports.screen.staleSummary', { stale: built.model.freshness.staleCount, total: built.model.freshness.rows.length, count: built.model.freshness.thresholdDays })}
              </Text>
            )}
            {!built.model && !built.error && built.isBuilding && (
              <Group gap="xs" data-testid="report-building">
                <Loader size="sm" aria-label={t('reports.screen.building')} />
                <Text size="sm">{t('reports.screen.building')}</Text>
              </Group>
            )}
            {!built.model && !built.error && !built.isBuilding && <Text size="sm">{t('reports.screen.choose')}</Text>}
            {previewModel && <ReportPreview model={previewModel} photos={previewPhotos} label={t('reports.screen.previewFrame')} />}
          </Stack>
        </div>
      )}
    </section>
  );
}
