import { Alert, Button, Checkbox, FileButton, Group, Radio, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BUNDLE_FILE_EXTENSION, bundleMediaLevels, type BundleMediaLevel } from '../../shared/sync/bundle';
import { formatBytes } from '../media/formatBytes';
import type { Session } from '../session/session';
import { exportBundleFile, importBundleFile, prepareBundleFile, type PreparedExport, type TransferOutcome } from './offlineTransfer';

/**
 * Sync with no connection at all: bundle files carried on a USB stick (docs/PROTOCOL.md, Bundles).
 * The person picks how much media goes with the records, and sees the file's size for each level
 * before exporting (measured, not guessed: shared/sync/bundleMedia.ts).
 */
export function OfflineTransfer({ session }: { readonly session: Session }) {
  const { t, i18n } = useTranslation();
  const [isEverything, setIsEverything] = useState(false);
  const [media, setMedia] = useState<BundleMediaLevel>('previews');
  const [prepared, setPrepared] = useState<PreparedExport | null>(null);
  const [generation, setGeneration] = useState(0);
  const [busy, setBusy] = useState<'export' | 'import' | null>(null);
  const [outcome, setOutcome] = useState<TransferOutcome | null>(null);
  const isDemo = session.profile.kind === 'demo';

  // Measured again when the choice of records changes, and after each transfer (what is unsent changed).
  useEffect(() => {
    if (isDemo) return;
    let isCurrent = true;
    setPrepared(null);
    void prepareBundleFile(session, isEverything).then((result) => {
      if (isCurrent) setPrepared(result);
    });
    return () => {
      isCurrent = false;
    };
  }, [session, isEverything, isDemo, generation]);

  const run = async (kind: 'export' | 'import', work: () => Promise<TransferOutcome>) => {
    setBusy(kind);
    setOutcome(null);
    try {
      setOutcome(await work());
    } finally {
      setBusy(null);
      setGeneration((n) => n + 1);
    }
  };
  const plan = prepared?.kind === 'prepared' ? prepared.plan : null;
  const chosen = plan?.levels[media] ?? null;
  const size = (bytes: number) => formatBytes(bytes, i18n.language);

  const onFile = (file: File | null) => {
    if (!file) return;
    void run('import', async () => importBundleFile(session, new Uint8Array(await file.arrayBuffer())));
  };

  return (
    <section aria-labelledby="offline-transfer-title" data-testid="offline-transfer">
      <Stack gap="xs">
        <Title order={2} size="h5" id="offline-transfer-title">
          {t('bundles.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('bundles.help')}
        </Text>
        <Checkbox
          label={t('bundles.everything')}
          description={t('bundles.everythingHelp')}
          checked={isEverything}
          onChange={(event) => setIsEverything(event.currentTarget.checked)}
          disabled={isDemo}
          data-testid="bundle-everything"
        />
        <Radio.Group label={t('bundles.media')} description={t('bundles.mediaHelp')} value={media} onChange={(value) => setMedia(value as BundleMediaLevel)} data-testid="bundle-media">
          <Stack gap={4} mt={4}>
            {bundleMediaLevels.map((level) => (
              <Radio
                key={level}
                value={level}
                disabled={isDemo}
                data-testid={`bundle-media-${level}`}
                label={plan ? t('bundles.mediaLevel', { level: t(`bundles.mediaLevels.${level}`), size: size(plan.levels[level].sizeBytes), count: plan.levels[level].blobs.length }) : t(`bundles.mediaLevels.${level}`)}
              />
            ))}
          </Stack>
        </Radio.Group>
        {chosen && (
          <Text size="sm" data-testid="bundle-size" data-bytes={chosen.sizeBytes} data-blobs={chosen.blobs.length}>
            {t('bundles.size', { size: size(chosen.sizeBytes), records: plan!.recordCount, count: chosen.blobs.length })}
            {chosen.leftOut.length > 0 && ` ${t('bundles.leftOut', { count: chosen.leftOut.length })}`}
          </Text>
        )}
        {!plan && !isDemo && prepared?.kind !== 'failed' && (
          <Text size="sm" c="dimmed" data-testid="bundle-measuring">
            {t('bundles.measuring')}
          </Text>
        )}
        <Group>
          <Button
            onClick={() => {
              if (plan) void run('export', () => exportBundleFile(session, plan, media));
              else if (prepared?.kind === 'failed') setOutcome(prepared);
            }}
            loading={busy === 'export'}
            disabled={isDemo || busy !== null || (!plan && prepared?.kind !== 'failed')}
            data-testid="bundle-export"
          >
            {t('bundles.export')}
          </Button>
          <FileButton onChange={onFile} accept={`.${BUNDLE_FILE_EXTENSION},application/octet-stream`}>
            {(props) => (
              <Button {...props} variant="light" loading={busy === 'import'} disabled={isDemo || busy !== null} data-testid="bundle-import">
                {t('bundles.import')}
              </Button>
            )}
          </FileButton>
        </Group>
        {outcome && <OutcomeNotice outcome={outcome} />}
      </Stack>
    </section>
  );
}

function OutcomeNotice({ outcome }: { readonly outcome: TransferOutcome }) {
  const { t, i18n } = useTranslation();
  switch (outcome.kind) {
    case 'exported':
      return (
        <Alert color={outcome.isKeyRegistered ? 'green' : 'yellow'} data-testid="bundle-result" data-kind="exported" data-count={outcome.recordCount}>
          <Text size="sm">{t('bundles.exported', { count: outcome.recordCount, path: outcome.path })}</Text>
          <Text size="sm" data-testid="bundle-exported-size" data-bytes={outcome.sizeBytes}>
            {t('bundles.exportedMedia', { count: outcome.blobCount, size: formatBytes(outcome.sizeBytes, i18n.language) })}
          </Text>
          {!outcome.isKeyRegistered && <Text size="sm">{t('bundles.keyNotRegistered')}</Text>}
        </Alert>
      );
    case 'cancelled':
      return (
        <Text size="sm" c="dimmed" data-testid="bundle-result" data-kind="cancelled">
          {t('bundles.cancelled')}
        </Text>
      );
    case 'imported':
      return (
        <Alert color="green" data-testid="bundle-result" data-kind="imported" data-count={outcome.recordCount}>
          <Text size="sm">{t('bundles.imported', { count: outcome.recordCount })}</Text>
          {(outcome.blobsStored > 0 || outcome.blobsRefused > 0) && (
            <Text size="sm" data-testid="bundle-imported-media" data-stored={outcome.blobsStored} data-refused={outcome.blobsRefused}>
              {t('bundles.importedMedia', { count: outcome.blobsStored })}
              {outcome.blobsRefused > 0 && ` ${t('bundles.refusedMedia', { count: outcome.blobsRefused })}`}
            </Text>
          )}
          <Text size="sm">
            {outcome.checkpointAfter > outcome.checkpointBefore
              ? t('bundles.checkpointMoved', { from: outcome.checkpointBefore, to: outcome.checkpointAfter })
              : t('bundles.checkpointKept', { seq: outcome.checkpointBefore })}
          </Text>
        </Alert>
      );
    case 'failed':
      return (
        <Alert color="red" title={t('bundles.failedTitle')} data-testid="bundle-result" data-kind="failed" data-code={outcome.code}>
          <Text size="sm">{t(`bundles.errors.${outcome.code}`, { defaultValue: t('bundles.errors.generic'), detail: outcome.detail })}</Text>
        </Alert>
      );
  }
}
