import { Alert, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../session/SessionContext';
import { formatDateTime } from '../workbench/reasonText';
import { useAdmin } from './adminContext';
import { auditLine } from './adminView';
import { useAdminResource } from './useAdminResource';

/** Every administrative act, newest first, with who did it and when; the whole log as CSV. */
export function AuditLog() {
  const { t, i18n } = useTranslation();
  const { session, platform } = useSession();
  const { client, failureText } = useAdmin();
  const audit = useAdminResource(platform.settings, session, 'audit', async () => {
    const result = await client.audit();
    return result.ok ? { ok: true, value: result.value.entries } : result;
  });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [isExporting, setExporting] = useState(false);

  const exportCsv = async () => {
    setExporting(true);
    setMessage(null);
    const result = await client.auditCsv();
    if (!result.ok) {
      setExporting(false);
      return setMessage({ ok: false, text: failureText(result.failure) });
    }
    try {
      const saved = await platform.bridge.saveFile({ suggestedName: `${t('admin.audit.fileName')}-${new Date().toISOString().slice(0, 10)}.csv`, filters: [{ name: 'CSV', extensions: ['csv'] }], data: result.value });
      if (saved.isSaved) setMessage({ ok: true, text: t('admin.audit.saved', { path: saved.path }) });
    } catch (caught) {
      setMessage({ ok: false, text: t('admin.audit.saveFailed', { message: caught instanceof Error ? caught.message : String(caught) }) });
    } finally {
      setExporting(false);
    }
  };

  return (
    <Stack gap="sm" data-testid="admin-audit">
      <Group>
        <Button variant="light" onClick={() => void exportCsv()} loading={isExporting} data-testid="audit-export">
          {t('admin.audit.export')}
        </Button>
        <Button variant="default" onClick={() => void audit.reload()} loading={audit.isLoading}>
          {t('admin.reload')}
        </Button>
      </Group>
      {audit.failure && (
        <Alert color={audit.failure.kind === 'offline' ? 'yellow' : 'red'} data-testid="audit-failure">
          {failureText(audit.failure)}
          {audit.fetchedAt !== null && ` ${t('admin.lastFetched', { time: formatDateTime(i18n.language, audit.fetchedAt) })}`}
        </Alert>
      )}
      {message && (
        <Text size="sm" c={message.ok ? 'green.8' : 'red'} data-testid="audit-message">
          {message.text}
        </Text>
      )}
      {/* Never fetched (offline, refused): say nothing of how many acts there are. */}
      {audit.value === null ? (
        audit.isLoading && (
          <Text size="sm" c="dimmed">
            {t('app.loading')}
          </Text>
        )
      ) : audit.value.length === 0 ? (
        <Text size="sm" c="dimmed">
          {audit.isLoading ? t('app.loading') : t('admin.audit.none')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('admin.audit.when')}</Table.Th>
                <Table.Th>{t('admin.audit.who')}</Table.Th>
                <Table.Th>{t('admin.audit.what')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(audit.value ?? []).map((entry) => (
                <Table.Tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(i18n.language, entry.at)}</Table.Td>
                  <Table.Td>{entry.actor.orgId === null && entry.actor.credentialId === null ? t('admin.audit.commandLine') : entry.actor.deviceName}</Table.Td>
                  <Table.Td>{auditLine(t, entry)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
