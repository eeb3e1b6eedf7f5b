import { Alert, Anchor, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StoredBlob } from '../../shared/blobs/deviceBlobStore';
import { storageReport, type StorageHolder, type StorageReport } from '../../shared/blobs/storageReport';
import { hrefOf } from '../app/route';
import { useObservable } from '../app/useObservable';
import { deviceBlobStore } from '../data/deviceBlobs';
import { useSession } from '../session/SessionContext';
import { onBlobStored } from '../sync/blobRequests';
import { map } from 'rxjs';
import { formatBytes } from './formatBytes';

/*
 * Settings › what takes space: the device's attachments by kind and by entry, and a button that
 * frees the originals the hub has confirmed (their thumbnails and previews stay, and an original
 * comes back from the hub when opened). Nothing not yet sent is ever offered: the store itself
 * refuses to evict an unconfirmed blob (DeviceBlobStore.evict).
 */

const ENTRY_LIMIT = 100_000;
const NO_HOLDERS: StorageHolder[] = [];

export function StoragePanel() {
  const { t, i18n } = useTranslation();
  const { client } = useSession().session;
  const holders = useObservable(
    () =>
      client.observe({ type: 'entry', limit: ENTRY_LIMIT }).pipe(
        map((views): StorageHolder[] => views.filter((view) => view.projection.attachments.length > 0).map((view) => ({ recordId: view.header.id, title: view.projection.title, attachments: view.projection.attachments }))),
      ),
    [client],
    NO_HOLDERS,
  );
  const [blobs, setBlobs] = useState<readonly StoredBlob[] | null>(null);
  const [freed, setFreed] = useState<{ count: number; bytes: number } | null>(null);
  const [isFreeing, setFreeing] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const reload = useCallback(() => {
    deviceBlobStore()
      .list()
      .then(setBlobs)
      .catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
  }, []);
  useEffect(() => {
    reload();
    return onBlobStored(reload);
  }, [reload]);

  const report: StorageReport | null = blobs ? storageReport(blobs, holders) : null;
  const size = (bytes: number) => formatBytes(bytes, i18n.language);

  const free = async () => {
    if (!report) return;
    setFreeing(true);
    let count = 0;
    let bytes = 0;
    try {
      for (const blob of report.freeable) {
        if (await deviceBlobStore().evict(blob.sha256)) {
          count += 1;
          bytes += blob.sizeBytes;
        }
      }
      setFreed({ count, bytes });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setFreeing(false);
      reload();
    }
  };

  return (
    <Paper withBorder p="md" radius="md" maw={640} data-testid="storage-panel">
      <Stack gap="sm">
        <Title order={2} size="h5">
          {t('media.storage.title')}
        </Title>
        {failure && <Alert color="red">{failure}</Alert>}
        {!report ? (
          <Text size="sm" c="dimmed">
            {t('app.loading')}
          </Text>
        ) : (
          <>
            <Text size="sm" data-testid="storage-total" data-bytes={report.totalBytes}>
              {t('media.storage.total', { size: size(report.totalBytes) })}
            </Text>
            <Group gap="lg">
              {(['photo', 'audio', 'document', 'unattached'] as const).map((kind) => (
                <Text key={kind} size="xs" c="dimmed" data-testid={`storage-kind-${kind}`}>
                  {t(`media.storage.kind.${kind}`, { size: size(report.byKind[kind] ?? 0) })}
                </Text>
              ))}
            </Group>
            {report.byRecord.length > 0 && (
              <Table striped withTableBorder fz="xs" data-testid="storage-entries">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('media.storage.entry')}</Table.Th>
                    <Table.Th ta="right">{t('media.storage.size')}</Table.Th>
                    <Table.Th ta="right">{t('media.storage.mayFree')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.byRecord.slice(0, 50).map((row) => (
                    <Table.Tr key={row.recordId} data-testid="storage-entry">
                      <Table.Td>
                        <Anchor href={hrefOf({ screen: 'entry', id: row.recordId })} size="xs">
                          {row.title || t('editor.untitled')}
                        </Anchor>
                      </Table.Td>
                      <Table.Td ta="right">{size(row.bytes)}</Table.Td>
                      <Table.Td ta="right">{size(row.freeableBytes)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            <Text size="xs" c="dimmed" data-testid="storage-unsent" data-bytes={report.unsentBytes}>
              {t('media.storage.unsent', { size: size(report.unsentBytes) })}
            </Text>
            <Group>
              <Button variant="light" onClick={() => void free()} loading={isFreeing} disabled={report.freeable.length === 0} data-testid="storage-free">
                {t('media.storage.free', { size: size(report.freeableBytes) })}
              </Button>
              {freed && (
                <Text size="xs" c="dimmed" data-testid="storage-freed">
                  {t('media.storage.freed', { count: freed.count, size: size(freed.bytes) })}
                </Text>
              )}
            </Group>
            <Text size="xs" c="dimmed">
              {t('media.storage.freeHelp')}
            </Text>
          </>
        )}
      </Stack>
    </Paper>
  );
}
