import { Alert, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QuarantinedEntry } from '../../shared/sync/syncEngine';
import type { SyncLogEvent } from '../../shared/sync/syncLog';
import { hrefOf } from '../app/route';
import { useSession, useSessionSync } from '../session/SessionContext';
import { OfflineTransfer } from './OfflineTransfer';
import { useDateTime } from '../i18n/dateTime';
import { describeEvent } from './syncLogText';
import { syncFailureKey, syncLabel, syncLabelText } from './syncStateLabel';
import { usePlatformOnline } from './usePlatformOnline';

export function SyncScreen() {
  const { t } = useTranslation();
  const { session } = useSession();
  const sync = useSessionSync(session);
  const isOnline = usePlatformOnline();
  const dateTime = useDateTime();
  const engine = session.syncEngine;
  const [events, setEvents] = useState<SyncLogEvent[]>([]);
  const [quarantined, setQuarantined] = useState<QuarantinedEntry[]>([]);
  // The bar's time style, so the next try reads the same here, in the bar and in the log.
  const formatTime = (at: number) => dateTime.format(at, 'time');
  const label = syncLabel(sync, formatTime, { isOnline });

  // The log is re-read whenever the engine's status changes: that is when new events are written.
  useEffect(() => {
    if (!engine) return;
    let isCurrent = true;
    void Promise.all([engine.log(), engine.quarantined()]).then(([log, refused]) => {
      if (!isCurrent) return;
      setEvents([...log].reverse());
      setQuarantined(refused);
    });
    return () => {
      isCurrent = false;
    };
  }, [engine, sync]);

  const hubUrl = session.profile.hubUrl;
  return (
    <section className="fw-screen" aria-labelledby="sync-title">
      <Group justify="space-between">
        <Title order={1} size="h3" id="sync-title">
          {t('sync.title')}
        </Title>
        <Button onClick={() => void engine?.syncNow()} disabled={!engine} data-testid="sync-now-screen">
          {t('sync.syncNow')}
        </Button>
      </Group>
      <Stack gap={4}>
        <Text size="sm" data-testid="sync-screen-state" data-state={label.state} data-next-retry-at={label.nextRetryAt ?? ''}>
          {syncLabelText(t, label)}
        </Text>
        <Text size="sm" c="dimmed">
          {hubUrl ? t('sync.hub', { hub: hubUrl }) : t('sync.noHub')}
        </Text>
        <Text size="sm" c="dimmed">
          {t('sync.pendingLong', { count: label.pendingCount })}
        </Text>
      </Stack>
      {quarantined.length > 0 && (
        <Alert color="red" title={t('sync.quarantineTitle')}>
          <Stack gap="xs">
            <Text size="sm">{t('sync.quarantineHelp')}</Text>
            {[...new Map(quarantined.map((entry) => [entry.recordId, entry])).values()].map((entry) => (
              <Group key={entry.recordId} gap="xs">
                <a href={hrefOf({ screen: 'entry', id: entry.recordId })}>{entry.recordId}</a>
                <Text size="xs" data-code={entry.code}>
                  {t(syncFailureKey(entry.code))}
                </Text>
              </Group>
            ))}
            <Group>
              <Button size="xs" variant="light" color="red" onClick={() => void engine?.releaseQuarantine()}>
                {t('sync.retryAll')}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      <OfflineTransfer session={session} />
      <Title order={2} size="h5">
        {t('sync.logTitle')}
      </Title>
      {events.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="sync-log-empty">
          {engine ? t('sync.logEmpty') : t('sync.logNoEngine')}
        </Text>
      ) : (
        <div className="fw-table-scroll">
          <Table verticalSpacing={4} data-testid="sync-log" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={180}>{t('sync.logTime')}</Table.Th>
                <Table.Th>{t('sync.logEvent')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.map((event, index) => {
                // Newest first: the first row is the latest event; while the engine waits to retry, it names that try.
                const { key, values, keys } = describeEvent(event, formatTime, index === 0 && event.kind === 'error' ? label.nextRetryAt : null);
                const words = Object.fromEntries(Object.entries(keys).map(([name, wordKey]) => [name, t(wordKey)]));
                return (
                  <Table.Tr key={`${event.at}-${index}`} data-testid="sync-log-row" data-kind={event.kind} data-next-retry-at={event.kind === 'error' && index === 0 ? (label.nextRetryAt ?? '') : ''}>
                    <Table.Td>
                      <Text size="xs">{dateTime.format(event.at, 'dateTimeSeconds')}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c={event.kind === 'error' || event.kind === 'quarantine' ? 'red.8' : undefined} data-testid="sync-log-text">
                        {t(key, { ...values, ...words })}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </section>
  );
}
