import { Alert, Badge, Button, Group, Modal, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../workbench/reasonText';
import { invitationStates, type AdminInvitation, type InvitationState } from './adminApi';
import { useAdmin } from './adminContext';
import { invitationStateColor, invitationStateLine } from './adminView';

/** Every invitation the network has made: pending, used (by which device, when), expired, withdrawn. */
export function InvitationList() {
  const { t, i18n } = useTranslation();
  const { client, invitations, failureText } = useAdmin();
  const [filter, setFilter] = useState<InvitationState | 'all'>('all');
  const [withdrawing, setWithdrawing] = useState<AdminInvitation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const list = (invitations.value ?? []).filter((invitation) => filter === 'all' || invitation.state === filter);

  const withdraw = async (invitation: AdminInvitation) => {
    setBusy(true);
    const result = await client.withdrawInvitation(invitation.id);
    setBusy(false);
    setWithdrawing(null);
    if (!result.ok) return setError(failureText(result.failure));
    setError(null);
    invitations.replace((invitations.value ?? []).map((item) => (item.id === invitation.id ? result.value.invitation : item)));
  };

  return (
    <Stack gap="sm" data-testid="admin-invitations">
      <SegmentedControl
        value={filter}
        onChange={(value) => setFilter(value as InvitationState | 'all')}
        data={[{ value: 'all', label: t('admin.invitations.all') }, ...invitationStates.map((state) => ({ value: state, label: t(`admin.invitations.state.${state}`) }))]}
        data-testid="invitations-filter"
        maw={560}
      />
      {error && (
        <Alert color="red" role="alert" data-testid="invitations-error">
          {error}
        </Alert>
      )}
      {invitations.failure && invitations.failure.kind !== 'offline' && <Alert color="red">{failureText(invitations.failure)}</Alert>}
      {list.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="invitations-empty">
          {invitations.isLoading ? t('app.loading') : t('admin.invitations.none')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('admin.invitations.org')}</Table.Th>
                <Table.Th>{t('admin.invitations.role')}</Table.Th>
                <Table.Th>{t('admin.invitations.created')}</Table.Th>
                <Table.Th>{t('admin.invitations.expires')}</Table.Th>
                <Table.Th>{t('admin.invitations.stateLabel')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((invitation) => (
                <Table.Tr key={invitation.id} data-testid="invitation-row" data-state={invitation.state} data-org={invitation.orgName}>
                  <Table.Td>{invitation.orgName}</Table.Td>
                  <Table.Td>{t(`roles.${invitation.role}`)}</Table.Td>
                  <Table.Td>{formatDateTime(i18n.language, invitation.createdAt)}</Table.Td>
                  <Table.Td>{formatDateTime(i18n.language, invitation.expiresAt)}</Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Badge color={invitationStateColor(invitation.state)} variant="light">
                        {t(`admin.invitations.state.${invitation.state}`)}
                      </Badge>
                      {invitationStateLine(t, i18n.language, invitation) && (
                        <Text size="xs" c="dimmed">
                          {invitationStateLine(t, i18n.language, invitation)}
                        </Text>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    {invitation.state === 'pending' && (
                      <Button size="xs" variant="light" color="red" onClick={() => setWithdrawing(invitation)} data-testid="invitation-withdraw">
                        {t('admin.invitations.withdraw')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={withdrawing !== null} onClose={() => setWithdrawing(null)} title={t('admin.invitations.withdrawTitle')}>
        <Stack gap="sm">
          <Text size="sm">{t('admin.invitations.withdrawQuestion', { org: withdrawing?.orgName ?? '' })}</Text>
          <Group>
            <Button color="red" loading={isBusy} onClick={() => withdrawing && void withdraw(withdrawing)} data-testid="invitation-withdraw-confirm">
              {t('admin.invitations.withdraw')}
            </Button>
            <Button variant="default" onClick={() => setWithdrawing(null)}>
              {t('settings.cancel')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
