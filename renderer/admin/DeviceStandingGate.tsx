import { Alert, Anchor, Button, Center, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNetwork } from '../data/useNetwork';
import { useSession, useSessionSync } from '../session/SessionContext';
import type { TransferOutcome } from '../sync/offlineTransfer';
import { formatDateTime } from '../workbench/reasonText';
import { saveWipeNotice, type DeviceStanding } from './deviceStanding';
import { useDeviceStanding } from './useDeviceStanding';

/*
 * What a device sees once the secretariat disconnected it. Revoked: a clear screen (by whom, the
 * reason, that its data stays, what it can do), then the app to read its copy with a banner.
 * Revoked with wipe: the local copy (records, outbox, keys, credential) is erased at once, and the
 * join form says why (the notice is the one thing kept).
 */
export function DeviceStandingGate({ children }: { readonly children: ReactNode }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const standing = useDeviceStanding(session);
  const [isReading, setReading] = useState(false);
  if (standing.kind === 'wiped') return <Wiping standing={standing} />;
  if (standing.kind === 'revoked' && !isReading) return <Disconnected standing={standing} onRead={() => setReading(true)} />;
  return (
    <>
      {standing.kind === 'revoked' && (
        <Alert color="red" mb="sm" data-testid="revoked-banner">
          {t('standing.banner')}{' '}
          <Anchor component="button" onClick={() => setReading(false)}>
            {t('standing.bannerMore')}
          </Anchor>
        </Alert>
      )}
      {children}
    </>
  );
}

function Disconnected({ standing, onRead }: { readonly standing: Extract<DeviceStanding, { kind: 'revoked' }>; readonly onRead: () => void }) {
  const { t, i18n } = useTranslation();
  const { session, signOut } = useSession();
  const sync = useSessionSync(session);
  const pending = sync.kind === 'engine' ? sync.status.pendingCount : sync.pendingCount;
  const [outcome, setOutcome] = useState<TransferOutcome | null>(null);
  const [isBusy, setBusy] = useState(false);
  const exportWork = async () => {
    setBusy(true);
    try {
      // Bundles (and their signing) load only when someone exports: not at every start.
      const { exportBundleFileNow } = await import('../sync/offlineTransfer');
      setOutcome(await exportBundleFileNow(session, false, 'none'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="lg" radius="md" maw={680} data-testid="device-revoked">
      <Stack gap="sm">
        <Title order={1} size="h3">
          {t('standing.revokedTitle')}
        </Title>
        <Text>{t('standing.revokedBody')}</Text>
        {standing.reason && (
          <Alert color="red" data-testid="revoked-reason">
            {t('standing.reason', { reason: standing.reason })}
          </Alert>
        )}
        {standing.revokedAt !== null && (
          <Text size="sm" c="dimmed">
            {t('standing.when', { time: formatDateTime(i18n.language, standing.revokedAt) })}
          </Text>
        )}
        <Text>{t('standing.dataStays')}</Text>
        <Text size="sm" data-testid="revoked-pending">
          {t('standing.unsent', { pending })}
        </Text>
        <Text size="sm">{t('standing.whatYouCan')}</Text>
        {outcome?.kind === 'exported' && (
          <Alert color="green">{t('bundles.exported', { count: outcome.recordCount, path: outcome.path })}</Alert>
        )}
        {outcome?.kind === 'failed' && <Alert color="red">{t(`bundles.errors.${outcome.code}`, { defaultValue: t('bundles.errors.generic'), detail: outcome.detail })}</Alert>}
        <Group>
          <Button onClick={() => void exportWork()} loading={isBusy} data-testid="revoked-export">
            {t('standing.export')}
          </Button>
          <Button variant="light" onClick={onRead} data-testid="revoked-read">
            {t('standing.read')}
          </Button>
          <Button variant="default" onClick={() => void signOut(false)} data-testid="revoked-join-again">
            {t('standing.joinAgain')}
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          {t('standing.joinAgainHelp')}
        </Text>
      </Stack>
    </Paper>
  );
}

function Wiping({ standing }: { readonly standing: Extract<DeviceStanding, { kind: 'wiped' }> }) {
  const { t } = useTranslation();
  const { session, platform, signOut } = useSession();
  const network = useNetwork(session.client);
  const hasStarted = useRef(false);
  // '' when the network record is not read yet: the notice then says "the network".
  const networkName = network?.name ?? '';
  useEffect(() => {
    if (hasStarted.current) return;
    hasStarted.current = true;
    // The notice first: if the erase is cut short, the next start still says why.
    saveWipeNotice(platform.settings, { networkName, reason: standing.reason, revokedAt: standing.revokedAt, erasedAt: Date.now() });
    platform.settings.removeItem(`fieldwise.adminCache.${session.profile.networkId}`);
    void signOut(true);
  }, [platform, session, signOut, standing, networkName]);
  return (
    <Center p="xl" data-testid="device-wiping">
      <Stack align="center" gap="sm">
        <Loader />
        <Text>{t('standing.wiping')}</Text>
      </Stack>
    </Center>
  );
}
