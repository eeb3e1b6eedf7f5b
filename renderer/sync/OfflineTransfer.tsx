import { Alert, Button, Checkbox, FileButton, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BUNDLE_FILE_EXTENSION } from '../../shared/sync/bundle';
import type { Session } from '../session/session';
import { exportBundleFile, importBundleFile, type TransferOutcome } from './offlineTransfer';

/** Sync with no connection at all: bundle files carried on a USB stick (docs/PROTOCOL.md, Bundles). */
export function OfflineTransfer({ session }: { readonly session: Session }) {
  const { t } = useTranslation();
  const [isEverything, setIsEverything] = useState(false);
  const [busy, setBusy] = useState<'export' | 'import' | null>(null);
  const [outcome, setOutcome] = useState<TransferOutcome | null>(null);
  const isDemo = session.profile.kind === 'demo';

  const run = async (kind: 'export' | 'import', work: () => Promise<TransferOutcome>) => {
    setBusy(kind);
    setOutcome(null);
    try {
      setOutcome(await work());
    } finally {
      setBusy(null);
    }
  };

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
        <Group>
          <Button
            onClick={() => void run('export', () => exportBundleFile(session, isEverything))}
            loading={busy === 'export'}
            disabled={isDemo || busy !== null}
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
  const { t } = useTranslation();
  switch (outcome.kind) {
    case 'exported':
      return (
        <Alert color={outcome.isKeyRegistered ? 'green' : 'yellow'} data-testid="bundle-result" data-kind="exported" data-count={outcome.recordCount}>
          <Text size="sm">{t('bundles.exported', { count: outcome.recordCount, path: outcome.path })}</Text>
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
