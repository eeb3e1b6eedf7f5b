import { Alert, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QuarantinedEntry } from '../../shared/sync/syncEngine';
import type { SyncLogEvent } from '../../shared/sync/syncLog';
import { hrefOf } from '../app/route';
import { refusalText } from '../i18n/refusalText';
import { useSession, useSessionSync } from '../session/SessionContext';
import { OfflineTransfer } from './OfflineTransfer';
import { syncLabel } from './syncStateLabel';

/** The catalog key and values that describe one log event. */
function describeEvent(event: SyncLogEvent): { key: string; values: Record<string, string | number> } {
  switch (event.kind) {
    case 'start':
    case 'stop':
      return { key: `sync.log.${event.kind}`, values: {} };
    case 'push':
      return { key: 'sync.log.push', values: { count: event.records, seq: event.seq } };
    case 'pull':
      return { key: 'sync.log.pull', values: { count: event.records, seq: event.checkpoint } };
    case 'error':
      return event.retryInMs === null
        ? { key: 'sync.log.errorStopped', values: { phase: event.phase, message: event.message } }
        : { key: 'sync.log.error', values: { phase: event.phase, message: event.message, seconds: Math.round(event.retryInMs / 1000) } };
    case 'quarantine':
      return { key: 'sync.log.quarantine', values: { record: event.recordId, message: event.message } };
    case 'live-connect':
      return { key: 'sync.log.liveConnect', values: {} };
    case 'live-disconnect':
      return { key: 'sync.log.liveDisconnect', values: { reason: event.reason || String(event.code) } };
  }
}

export function SyncScreen() {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const sync = useSessionSync(session);
  const engine = session.syncEngine;
  const [events, setEvents] = useState<SyncLogEvent[]>([]);
  const [quarantined, setQuarantined] = useState<QuarantinedEntry[]>([]);
  const timeFormat = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'medium' });
  const label = syncLabel(sync, (at) => timeFormat.format(at));

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
        <Text size="sm">{t(label.key, label.values)}</Text>
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
                <Text size="xs">
                  {entry.code}: {refusalText(t, entry)}
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
                const { key, values } = describeEvent(event);
                return (
                  <Table.Tr key={`${event.at}-${index}`} data-testid="sync-log-row" data-kind={event.kind}>
                    <Table.Td>
                      <Text size="xs">{timeFormat.format(event.at)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c={event.kind === 'error' || event.kind === 'quarantine' ? 'red.8' : undefined}>
                        {t(key, values)}
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
