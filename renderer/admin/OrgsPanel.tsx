import { Alert, Badge, Button, Checkbox, Group, Modal, Paper, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../workbench/reasonText';
import { adminRoles, stewardScopeNames, type AdminDevice, type AdminOrg, type AdminRole, type StewardScopeName } from './adminApi';
import { useAdmin } from './adminContext';
import { deviceRevokeBlock, deviceStandingKey, orderedOrgs, orgRevokeBlock } from './adminView';

type Revoking = { readonly kind: 'device'; readonly org: AdminOrg; readonly device: AdminDevice } | { readonly kind: 'org'; readonly org: AdminOrg };

/** The network's organizations with their devices: role, steward scopes, revoking a device or a whole organization. */
export function OrgsPanel() {
  const { t } = useTranslation();
  const { orgs, failureText } = useAdmin();
  const [revoking, setRevoking] = useState<Revoking | null>(null);
  const list = orderedOrgs(orgs.value ?? []);
  return (
    <Stack gap="md" data-testid="admin-orgs">
      {orgs.failure && orgs.failure.kind !== 'offline' && <Alert color="red">{failureText(orgs.failure)}</Alert>}
      {list.length === 0 && (
        <Text c="dimmed" size="sm">
          {orgs.isLoading ? t('app.loading') : t('admin.orgs.none')}
        </Text>
      )}
      {list.map((org) => (
        <OrgCard key={org.id} org={org} onRevoke={setRevoking} />
      ))}
      {revoking && <RevokeDialog revoking={revoking} onClose={() => setRevoking(null)} />}
    </Stack>
  );
}

function OrgCard({ org, onRevoke }: { readonly org: AdminOrg; readonly onRevoke: (revoking: Revoking) => void }) {
  const { t, i18n } = useTranslation();
  const { client, orgs, failureText } = useAdmin();
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const [scopes, setScopes] = useState<readonly StewardScopeName[]>(org.stewardScopes);
  const isRevoked = org.revokedAt !== null;
  const isSecretariat = org.role === 'secretariat';
  const time = (at: number | null) => (at === null ? t('admin.orgs.never') : formatDateTime(i18n.language, at));

  const apply = async (work: () => ReturnType<typeof client.setRole>, savedText: string) => {
    setBusy(true);
    setError(null);
    setSaved(null);
    const result = await work();
    setBusy(false);
    if (!result.ok) return setError(failureText(result.failure));
    setSaved(savedText);
    setScopes(result.value.org.stewardScopes);
    orgs.replace((orgs.value ?? []).map((item) => (item.id === org.id ? result.value.org : item)));
  };

  const scopesChanged = scopes.length !== org.stewardScopes.length || scopes.some((scope) => !org.stewardScopes.includes(scope));

  return (
    <Paper withBorder p="md" radius="md" data-testid="org-card" data-org={org.name} data-revoked={isRevoked ? 'true' : undefined}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          {/* minWidth 0: without it a name longer than the card pushed the card wider than the screen. */}
          <Stack gap={2} miw={0} style={{ flex: 1 }}>
            <Group gap="xs" wrap="wrap" miw={0}>
              <Title order={2} size="h5" className="fw-wrap-anywhere" title={org.name} miw={0} data-testid="org-name">
                {org.name}
              </Title>
              <Badge variant="light" className="fw-badge-whole">
                {t(`roles.${org.role}`)}
              </Badge>
              {isRevoked && (
                <Badge color="red" variant="filled" className="fw-badge-whole" data-testid="org-revoked">
                  {t('admin.orgs.revoked')}
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed">
              {t('admin.orgs.orgLine', { joined: time(org.createdAt), heard: time(org.lastSeenAt), devices: org.devices.length })}
            </Text>
            {isRevoked && org.revokeReason && (
              <Text size="xs" c="red">
                {t('admin.orgs.reasonLine', { reason: org.revokeReason, time: time(org.revokedAt) })}
              </Text>
            )}
          </Stack>
          {!isSecretariat && !isRevoked && (
            <Group gap="xs" align="flex-end" wrap="nowrap" style={{ flexShrink: 0 }}>
              <Select
                size="xs"
                label={t('admin.orgs.role')}
                value={org.role}
                data={adminRoles.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
                onChange={(value) => value && value !== org.role && void apply(() => client.setRole(org.id, value as AdminRole), t('admin.orgs.roleSaved'))}
                allowDeselect={false}
                disabled={isBusy}
                w={150}
                data-testid="org-role"
              />
              <Button size="xs" color="red" variant="light" disabled={orgRevokeBlock(org) !== null} onClick={() => onRevoke({ kind: 'org', org })} data-testid="org-revoke">
                {t('admin.orgs.revokeOrg')}
              </Button>
            </Group>
          )}
        </Group>
        {org.role === 'steward' && !isRevoked && (
          <Paper withBorder p="sm" radius="sm" bg="var(--mantine-color-gray-0)" data-testid="org-scopes">
            <Stack gap={6}>
              <Text size="sm" fw={500}>
                {t('admin.orgs.scopes')}
              </Text>
              <Text size="xs" c="dimmed">
                {t('admin.orgs.scopesHelp')}
              </Text>
              {stewardScopeNames.map((scope) => (
                <Checkbox
                  key={scope}
                  label={t(`admin.scope.${scope}.name`)}
                  description={t(`admin.scope.${scope}.does`)}
                  checked={scopes.includes(scope)}
                  onChange={(event) => setScopes(event.currentTarget.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
                  data-testid={`org-scope-${scope}`}
                />
              ))}
              <Group>
                <Button size="xs" disabled={!scopesChanged} loading={isBusy} onClick={() => void apply(() => client.setStewardScopes(org.id, stewardScopeNames.filter((scope) => scopes.includes(scope))), t('admin.orgs.scopesSaved'))} data-testid="org-scopes-save">
                  {t('admin.orgs.scopesSave')}
                </Button>
              </Group>
            </Stack>
          </Paper>
        )}
        {error && (
          <Alert color="red" role="alert" data-testid="org-error">
            {error}
          </Alert>
        )}
        {saved && (
          <Text size="xs" c="green.8" data-testid="org-saved">
            {saved}
          </Text>
        )}
        <Table.ScrollContainer minWidth={640}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('admin.orgs.device')}</Table.Th>
                <Table.Th>{t('admin.orgs.joined')}</Table.Th>
                <Table.Th>{t('admin.orgs.lastHeard')}</Table.Th>
                <Table.Th>{t('admin.orgs.appVersion')}</Table.Th>
                <Table.Th>{t('admin.orgs.standing')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {org.devices.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text size="xs" c="dimmed">
                      {t('admin.orgs.noDevices')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {org.devices.map((device) => {
                const block = deviceRevokeBlock(org, device);
                return (
                  <Table.Tr key={device.credentialId} data-testid="device-row" data-device={device.deviceName} data-revoked={device.revokedAt !== null ? 'true' : undefined}>
                    <Table.Td className="fw-wrap-anywhere">
                      {device.deviceName}
                      {device.isYou && (
                        <Badge size="xs" ml={6} variant="outline">
                          {t('admin.orgs.thisDevice')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{time(device.joinedAt)}</Table.Td>
                    <Table.Td>{time(device.lastSeenAt)}</Table.Td>
                    <Table.Td>{device.appVersion ?? t('admin.orgs.unknownVersion')}</Table.Td>
                    <Table.Td>
                      <Text size="xs" c={device.revokedAt === null ? undefined : 'red'}>
                        {t(deviceStandingKey(device))}
                      </Text>
                      {device.revokeReason && (
                        <Text size="xs" c="dimmed">
                          {device.revokeReason}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {block === null ? (
                        <Button size="xs" color="red" variant="subtle" onClick={() => onRevoke({ kind: 'device', org, device })} data-testid="device-revoke">
                          {device.revokedAt === null ? t('admin.orgs.revokeDevice') : t('admin.orgs.addWipe')}
                        </Button>
                      ) : (
                        block === 'last-secretariat-device' && (
                          <Text size="xs" c="dimmed">
                            {t('admin.orgs.lastSecretariatDevice')}
                          </Text>
                        )
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Paper>
  );
}

/** The confirmation before a revocation: the reason the device will be shown, and whether it erases its copy. */
function RevokeDialog({ revoking, onClose }: { readonly revoking: Revoking; readonly onClose: () => void }) {
  const { t } = useTranslation();
  const { client, orgs, invitations, failureText } = useAdmin();
  const isAddingWipe = revoking.kind === 'device' && revoking.device.revokedAt !== null;
  const [reason, setReason] = useState('');
  const [wipe, setWipe] = useState(isAddingWipe);
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const name = revoking.kind === 'device' ? revoking.device.deviceName : revoking.org.name;

  const confirm = async () => {
    if (reason.trim() === '') return setError(t('admin.revoke.noReason'));
    setBusy(true);
    const request = { reason: reason.trim(), wipe };
    const result = revoking.kind === 'device' ? await client.revokeDevice(revoking.device.credentialId, request) : await client.revokeOrg(revoking.org.id, request);
    setBusy(false);
    if (!result.ok) return setError(failureText(result.failure));
    await Promise.all([orgs.reload(), invitations.reload()]);
    onClose();
  };

  return (
    <Modal opened onClose={onClose} title={revoking.kind === 'device' ? t('admin.revoke.deviceTitle', { device: name }) : t('admin.revoke.orgTitle', { org: name })}>
      <Stack gap="sm" data-testid="revoke-dialog">
        <Text size="sm">{revoking.kind === 'device' ? t('admin.revoke.deviceWhat', { device: name, org: revoking.org.name }) : t('admin.revoke.orgWhat', { org: name, devices: revoking.org.devices.filter((d) => d.revokedAt === null).length })}</Text>
        <Textarea label={t('admin.revoke.reason')} description={t('admin.revoke.reasonHelp')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={500} autosize minRows={2} data-testid="revoke-reason" />
        <Checkbox label={t('admin.revoke.wipe')} description={t('admin.revoke.wipeHelp')} checked={wipe} disabled={isAddingWipe} onChange={(e) => setWipe(e.currentTarget.checked)} data-testid="revoke-wipe" />
        {!wipe && (
          <Text size="xs" c="dimmed">
            {t('admin.revoke.keepHelp')}
          </Text>
        )}
        {error && (
          <Alert color="red" role="alert" data-testid="revoke-error">
            {error}
          </Alert>
        )}
        <Group>
          <Button color="red" loading={isBusy} onClick={() => void confirm()} data-testid="revoke-confirm">
            {wipe ? t('admin.revoke.confirmWipe') : t('admin.revoke.confirm')}
          </Button>
          <Button variant="default" onClick={onClose}>
            {t('settings.cancel')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
