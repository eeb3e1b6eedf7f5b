import { Alert, Button, Group, Modal, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo, SecretProtection } from '../../shared/bridge/desktopBridge';
import type { ShellState, StoragePersistence } from '../platform/offlineApp';
import { normalizeHubUrl } from '../session/deviceProfile';
import { saveProfile } from '../session/profileStore';
import { useSession } from '../session/SessionContext';
import { StoragePanel } from '../media/StoragePanel';
import { LanguageSelect } from './LanguageSelect';

export function SettingsScreen() {
  const { t } = useTranslation();
  const { session, platform, signOut } = useSession();
  const { profile } = session;
  const [hub, setHub] = useState(profile.hubUrl);
  const [hubError, setHubError] = useState<string | null>(null);
  const [hubSaved, setHubSaved] = useState(false);
  const [isSavingHub, setSavingHub] = useState(false);
  const [deviceName, setDeviceName] = useState(profile.deviceName);
  const [isSigningOut, setSigningOut] = useState(false);
  const [isBusy, setBusy] = useState(false);
  const [info, setInfo] = useState<{ app: AppInfo; protection: SecretProtection } | null>(null);
  const [offline, setOffline] = useState<{ storage: StoragePersistence; shell: ShellState } | null>(null);

  useEffect(() => {
    void Promise.all([platform.bridge.appInfo(), platform.bridge.secretProtection()]).then(([app, protection]) => setInfo({ app, protection }));
    void Promise.all([platform.offline.storagePersistence(), platform.offline.shellState()]).then(([storage, shell]) => setOffline({ storage, shell }));
  }, [platform]);

  const saveHub = async () => {
    const normalized = normalizeHubUrl(hub);
    if (!normalized) {
      setHubError(t('onboarding.errors.badHub'));
      return;
    }
    setHubError(null);
    setHub(normalized);
    setSavingHub(true);
    let isReloading = false;
    try {
      // The desktop lets the page reach only the hub it was told about: ask first, and keep the
      // old address when it refuses.
      const hubAccess = await platform.bridge.setHubUrl(normalized);
      if (!hubAccess.isApplied) {
        setHubError(hubAccess.reason);
        return;
      }
      await saveProfile(platform.settings, { ...session.profile, hubUrl: normalized });
      if (hubAccess.isReloadRequired) {
        // This page's policy still names the old hub; the reloaded page opens the session from the
        // profile just written, with the new hub.
        isReloading = true;
        window.location.reload();
        return;
      }
      await session.changeHub(normalized);
      setHubSaved(true);
    } catch (caught) {
      setHubError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      if (!isReloading) setSavingHub(false);
    }
  };

  const saveDeviceName = () => {
    const name = deviceName.trim();
    if (!name || name === session.profile.deviceName) return;
    const next = { ...session.profile, deviceName: name };
    session.updateProfile(next);
    saveProfile(platform.settings, next).catch((error: unknown) => setHubError(error instanceof Error ? error.message : String(error)));
  };

  const leave = async (isErasing: boolean) => {
    setBusy(true);
    try {
      await signOut(isErasing);
    } finally {
      setBusy(false);
    }
  };

  const isDemo = profile.kind === 'demo';
  return (
    <section className="fw-screen" aria-labelledby="settings-title">
      <Title order={1} size="h3" id="settings-title">
        {t('settings.title')}
      </Title>
      <Paper withBorder p="md" radius="md" maw={640}>
        <Stack gap="md">
          <LanguageSelect />
          {!isDemo && (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                void saveHub();
              }}
            >
              <Group align="flex-end" gap="xs">
                <TextInput
                  label={t('settings.hub')}
                  description={t('settings.hubHelp')}
                  value={hub}
                  onChange={(event) => {
                    setHub(event.currentTarget.value);
                    setHubSaved(false);
                  }}
                  error={hubError}
                  style={{ flex: 1 }}
                  data-testid="settings-hub"
                />
                <Button type="submit" variant="default" loading={isSavingHub} data-testid="settings-hub-save">
                  {hubSaved ? t('settings.saved') : t('settings.save')}
                </Button>
              </Group>
            </form>
          )}
          <TextInput label={t('settings.deviceName')} description={t('settings.deviceNameHelp')} value={deviceName} onChange={(event) => setDeviceName(event.currentTarget.value)} onBlur={saveDeviceName} data-testid="settings-device-name" />
          <Stack gap={2}>
            <Text size="sm" fw={500}>
              {t('settings.identity')}
            </Text>
            <Text size="xs" c="dimmed">
              {t('settings.identityLine', { org: profile.orgName, role: t(`roles.${profile.identity.role}`), device: profile.identity.deviceId })}
            </Text>
            {info && (
              <Text size="xs" c="dimmed">
                {t('settings.appLine', { version: info.app.version, platform: info.app.platform })} · {t(`settings.protection.${info.protection}`)}
              </Text>
            )}
          </Stack>
          {offline && (
            <Stack gap="xs">
              <Stack gap={2}>
                <Text size="sm" fw={500}>
                  {t('offline.storage')}
                </Text>
                <Text size="xs" c={offline.storage === 'refused' || offline.storage === 'unsupported' ? 'orange.8' : 'dimmed'} data-testid="settings-storage" data-state={offline.storage}>
                  {t(`offline.storageState.${offline.storage}`)}
                </Text>
              </Stack>
              <Stack gap={2}>
                <Text size="sm" fw={500}>
                  {t('offline.shell')}
                </Text>
                <Text size="xs" c="dimmed" data-testid="settings-offline-shell" data-state={offline.shell}>
                  {t(`offline.shellState.${offline.shell}`)}
                </Text>
              </Stack>
            </Stack>
          )}
        </Stack>
      </Paper>
      <StoragePanel />
      <Paper withBorder p="md" radius="md" maw={640}>
        <Stack gap="xs">
          <Title order={2} size="h5">
            {isDemo ? t('settings.leaveDemo') : t('settings.signOut')}
          </Title>
          <Text size="sm" c="dimmed">
            {isDemo ? t('settings.leaveDemoHelp') : t('settings.signOutHelp')}
          </Text>
          <Group>
            <Button color="red" variant="light" onClick={() => (isDemo ? void leave(true) : setSigningOut(true))} loading={isBusy} data-testid="sign-out">
              {isDemo ? t('settings.leaveDemo') : t('settings.signOut')}
            </Button>
          </Group>
        </Stack>
      </Paper>
      <Modal opened={isSigningOut} onClose={() => setSigningOut(false)} title={t('settings.signOutTitle')}>
        <Stack gap="sm">
          <Text size="sm">{t('settings.signOutQuestion')}</Text>
          {session.syncState.kind === 'engine' && session.syncState.status.pendingCount > 0 && (
            <Alert color="yellow">{t('settings.unsentWarning', { count: session.syncState.status.pendingCount })}</Alert>
          )}
          <Button variant="default" onClick={() => void leave(false)} loading={isBusy} data-testid="sign-out-keep">
            {t('settings.signOutKeep')}
          </Button>
          <Button color="red" onClick={() => void leave(true)} loading={isBusy} data-testid="sign-out-erase">
            {t('settings.signOutErase')}
          </Button>
          <Button variant="subtle" onClick={() => setSigningOut(false)}>
            {t('settings.cancel')}
          </Button>
        </Stack>
      </Modal>
    </section>
  );
}
