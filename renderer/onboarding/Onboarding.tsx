import { Alert, Button, Divider, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toBase64UrlEncoded } from 'lib0/buffer';
import { DEMO_NETWORK_ID, demoIdentity, demoOrgName, seedDemoNetwork } from '../demo/demoNetwork';
import type { Platform } from '../platform/platform';
import { normalizeHubUrl, TOKEN_SECRET, type DeviceProfile } from '../session/deviceProfile';
import { ensureDeviceKey } from '../session/deviceKey';
import { joinNetwork } from '../session/joinNetwork';
import { saveProfile } from '../session/profileStore';
import type { Session } from '../session/session';
import { roleSchema } from '../../shared/records/recordType';
import { publicKeyOf } from '../../shared/sync/bundle';
import { LanguageSelect } from '../settings/LanguageSelect';
import { clearWipeNotice, readWipeNotice } from '../admin/deviceStanding';
import { codeOfFragment, parseInvitation } from '../admin/invitationLink';
import { formatDateTime } from '../workbench/reasonText';
import { clearPendingJoin, readPendingJoin, savePendingJoin } from './pendingJoin';

interface OnboardingProps {
  readonly platform: Platform;
  readonly onDidChooseProfile: (profile: DeviceProfile, passphrase?: string) => Promise<Session>;
}

function randomDeviceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `device-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

interface JoinRequest {
  readonly code: string;
  /** Normalized (normalizeHubUrl). */
  readonly hubUrl: string;
  readonly deviceName: string;
  readonly passphrase: string | undefined;
}

/** Join a network with an invitation, or explore a demo network that never leaves this device. */
export function Onboarding({ platform, onDidChooseProfile }: OnboardingProps) {
  const { t, i18n } = useTranslation();
  // A join that was waiting for the reload setHubUrl asked for (read only here: StrictMode runs
  // initializers twice, so it is cleared where the join goes on).
  const [resumed] = useState(() => readPendingJoin(window.sessionStorage));
  // Opened from an invitation link (<hub>/#invitation=<code>): the code comes from the fragment,
  // the hub from the page (below).
  const [code, setCode] = useState(() => resumed?.code ?? codeOfFragment(window.location.hash) ?? '');
  const [recognizedHub, setRecognizedHub] = useState<string | null>(null);
  // This computer's copy was erased because the secretariat asked (renderer/admin/DeviceStandingGate).
  const [wipeNotice, setWipeNotice] = useState(() => readWipeNotice(platform.settings));
  const [hub, setHub] = useState(resumed?.hubUrl ?? '');
  const [deviceName, setDeviceName] = useState(() => resumed?.deviceName ?? t('onboarding.defaultDeviceName'));
  const [passphrase, setPassphrase] = useState('');
  const [needsPassphrase, setNeedsPassphrase] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'join' | 'demo' | null>(null);
  const hasResumed = useRef(false);
  const [pageHub, setPageHub] = useState<string | null>(null);

  // The secret leaves the address bar and the history as soon as it is in the form.
  useEffect(() => {
    if (codeOfFragment(window.location.hash) !== null) window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  }, []);

  /** A whole invitation pasted into the code field fills both fields; anything else is a code typed on its own. */
  const changeCode = (text: string) => {
    const invitation = parseInvitation(text);
    if (!invitation) {
      setCode(text);
      setRecognizedHub(null);
      return;
    }
    setCode(invitation.code);
    setHub(invitation.hubUrl);
    setRecognizedHub(invitation.hubUrl);
  };

  // Opened at a hub's own address: that hub is the one to join, unless the person typed another.
  useEffect(() => {
    let isCurrent = true;
    void platform.pageHubUrl().then((url) => {
      if (!isCurrent || url === null) return;
      setPageHub(url);
      setHub((typed) => (typed === '' ? url : typed));
    });
    return () => {
      isCurrent = false;
    };
  }, [platform]);

  const submitJoin = async (request: JoinRequest, isAfterReload: boolean) => {
    setError(null);
    setBusy('join');
    clearPendingJoin(window.sessionStorage);
    let isReloading = false;
    try {
      // The desktop lets the page reach only the hub it was told about; the join request to
      // another hub would be refused by the page's own policy.
      const hubAccess = await platform.bridge.setHubUrl(request.hubUrl);
      if (!hubAccess.isApplied) {
        setError(t('onboarding.errors.generic', { message: hubAccess.reason }));
        return;
      }
      if (hubAccess.isReloadRequired) {
        // A second reload would change nothing: the hub stays out of reach.
        if (isAfterReload) return setError(t('onboarding.errors.network'));
        savePendingJoin(window.sessionStorage, { code: request.code, hubUrl: request.hubUrl, deviceName: request.deviceName });
        isReloading = true;
        window.location.reload();
        return;
      }
      // The key that will sign this device's sync bundles is registered with the join itself.
      const deviceKey = await ensureDeviceKey(platform.bridge, request.passphrase);
      const devicePublicKey = deviceKey ? toBase64UrlEncoded(publicKeyOf(deviceKey)) : undefined;
      const appVersion = (await platform.bridge.appInfo().catch(() => null))?.version;
      const outcome = await joinNetwork(platform.fetch, request.hubUrl, request.code, request.deviceName, devicePublicKey, appVersion);
      if (!outcome.ok) {
        // The hub says why an invitation no longer works (used, expired, withdrawn): say it in those words.
        const joinKey = `admin.joinRefusal.${outcome.code}`;
        const key = i18n.exists(joinKey) ? joinKey : `onboarding.errors.${outcome.code}`;
        setError(t(key, { defaultValue: t('onboarding.errors.generic', { message: outcome.message }) }));
        return;
      }
      const { response } = outcome;
      const role = roleSchema.safeParse(response.role);
      if (!role.success) return setError(t('onboarding.errors.generic', { message: response.role }));
      await platform.bridge.setSecret(TOKEN_SECRET, response.token, request.passphrase);
      const profile: DeviceProfile = {
        kind: 'hub',
        identity: { orgId: response.org.id, deviceId: response.deviceId, role: role.data },
        orgName: response.org.name,
        networkId: response.networkId,
        hubUrl: request.hubUrl,
        deviceName: request.deviceName,
        credentialId: response.credentialId,
        joinedAt: Date.now(),
      };
      await saveProfile(platform.settings, profile);
      await onDidChooseProfile(profile, request.passphrase);
    } catch (caught) {
      setError(t('onboarding.errors.generic', { message: caught instanceof Error ? caught.message : String(caught) }));
    } finally {
      // The page is going away: the button stays busy until it does.
      if (!isReloading) setBusy(null);
    }
  };

  useEffect(() => {
    let isCurrent = true;
    void platform.bridge.secretProtection().then((protection) => {
      if (!isCurrent) return;
      const isPassphraseNeeded = protection === 'passphrase-required';
      setNeedsPassphrase(isPassphraseNeeded);
      if (resumed === null || hasResumed.current) return;
      hasResumed.current = true;
      // The passphrase was not kept across the reload: the form is filled in, the person types it
      // and joins again. Without one, the join goes on by itself.
      if (isPassphraseNeeded) clearPendingJoin(window.sessionStorage);
      else void submitJoin({ ...resumed, passphrase: undefined }, true);
    });
    return () => {
      isCurrent = false;
    };
    // submitJoin takes everything it needs as arguments, so the first render's copy is as good as any.
  }, [platform, resumed]);

  const join = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const hubUrl = normalizeHubUrl(hub);
    if (!hubUrl) return setError(t('onboarding.errors.badHub'));
    if (!code.trim()) return setError(t('onboarding.errors.noCode'));
    if (needsPassphrase && passphrase.length < 8) return setError(t('onboarding.errors.shortPassphrase'));
    void submitJoin({ code, hubUrl, deviceName: deviceName || t('onboarding.defaultDeviceName'), passphrase: needsPassphrase ? passphrase : undefined }, false);
  };

  const exploreDemo = async () => {
    setError(null);
    setBusy('demo');
    try {
      const profile: DeviceProfile = {
        kind: 'demo',
        identity: demoIdentity(randomDeviceId()),
        orgName: String(demoOrgName),
        networkId: DEMO_NETWORK_ID,
        hubUrl: '',
        deviceName: t('onboarding.defaultDeviceName'),
        credentialId: '',
        joinedAt: Date.now(),
      };
      // For trying the library at scale: ?demo-entries=10000 in the page address.
      const extraEntries = Number(new URLSearchParams(window.location.search).get('demo-entries') ?? 0) || 0;
      await saveProfile(platform.settings, profile);
      const session = await onDidChooseProfile(profile);
      // The library fills in as the records land: it follows the store.
      await seedDemoNetwork(session.client, { extraEntries });
    } catch (caught) {
      setError(t('onboarding.errors.generic', { message: caught instanceof Error ? caught.message : String(caught) }));
      setBusy(null);
    }
  };

  return (
    <main className="fw-onboarding">
      <Paper className="fw-onboarding-card" p="xl" radius="md" withBorder>
        <Stack gap="lg">
          <div className="fw-onboarding-head">
            <div>
              <Title order={1} size="h2">
                {t('app.name')}
              </Title>
              <Text c="dimmed" size="sm">
                {t('onboarding.tagline')}
              </Text>
            </div>
            <LanguageSelect compact />
          </div>
          {wipeNotice && (
            <Alert color="red" title={t('standing.wipedTitle')} data-testid="wipe-notice">
              <Stack gap={6}>
                <Text size="sm">{wipeNotice.networkName ? t('standing.wipedBody', { network: wipeNotice.networkName }) : t('standing.wipedBodyUnnamed')}</Text>
                {wipeNotice.reason && <Text size="sm">{t('standing.reason', { reason: wipeNotice.reason })}</Text>}
                <Text size="xs">{t('standing.wipedWhen', { time: formatDateTime(i18n.language, wipeNotice.erasedAt) })}</Text>
                <Text size="sm">{t('standing.wipedNext')}</Text>
                <Button
                  size="xs"
                  variant="white"
                  color="red"
                  onClick={() => {
                    clearWipeNotice(platform.settings);
                    setWipeNotice(null);
                  }}
                  data-testid="wipe-notice-ok"
                >
                  {t('standing.wipedOk')}
                </Button>
              </Stack>
            </Alert>
          )}
          <form onSubmit={join} aria-labelledby="join-heading">
            <Stack gap="sm">
              <Title order={2} size="h4" id="join-heading">
                {t('onboarding.joinTitle')}
              </Title>
              <TextInput label={t('admin.join.codeLabel')} description={recognizedHub !== null ? t('admin.join.recognized', { hub: recognizedHub }) : t('admin.join.codeHelp')} value={code} onChange={(e) => changeCode(e.currentTarget.value)} data-testid="join-code" data-recognized={recognizedHub !== null ? 'true' : undefined} autoComplete="off" spellCheck={false} />
              <TextInput label={t('onboarding.hub')} description={pageHub !== null && normalizeHubUrl(hub) === pageHub ? t('offline.hubFromPage') : t('onboarding.hubHelp')} placeholder="https://hub.example.org" value={hub} onChange={(e) => setHub(e.currentTarget.value)} data-testid="join-hub" data-from-page={pageHub !== null && normalizeHubUrl(hub) === pageHub ? 'true' : undefined} autoComplete="url" spellCheck={false} />
              <TextInput label={t('onboarding.deviceName')} description={t('onboarding.deviceNameHelp')} value={deviceName} onChange={(e) => setDeviceName(e.currentTarget.value)} data-testid="join-device-name" />
              {needsPassphrase && (
                <PasswordInput label={t('onboarding.passphrase')} description={t('onboarding.passphraseHelp')} autoFocus={resumed !== null} value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} data-testid="join-passphrase" />
              )}
              {error && (
                <Alert color="red" role="alert" data-testid="join-error">
                  {error}
                </Alert>
              )}
              <Button type="submit" loading={busy === 'join'} disabled={busy !== null} data-testid="join-submit">
                {t('onboarding.join')}
              </Button>
            </Stack>
          </form>
          <Divider label={t('onboarding.or')} labelPosition="center" />
          <Stack gap={4}>
            <Button variant="light" onClick={() => void exploreDemo()} loading={busy === 'demo'} disabled={busy !== null} data-testid="demo-button">
              {t('onboarding.demo')}
            </Button>
            <Text size="xs" c="dimmed" ta="center">
              {t('onboarding.demoHelp')}
            </Text>
          </Stack>
          <Text size="xs" c="dimmed">
            {t('onboarding.privacy')}
          </Text>
        </Stack>
      </Paper>
    </main>
  );
}
