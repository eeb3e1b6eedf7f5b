import { Center, Loader, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Platform } from '../platform/platform';
import { TOKEN_SECRET, type DeviceProfile } from '../session/deviceProfile';
import { forgetProfile, loadProfile } from '../session/profileStore';
import { Session } from '../session/session';
import { SessionContext, type SessionContextValue } from '../session/SessionContext';
import { lazyScreen } from './lazyScreen';
import { OfflineNotices } from './OfflineNotices';
import { Shell } from './Shell';

// Onboarding (joining, the demo's seeding) is seen once per device: not in the startup bundle.
const Onboarding = lazyScreen(() => import('../onboarding/Onboarding'), (module) => module.Onboarding);

/** Set across the one reload that applies this device's hub to the desktop app's policy. */
const HUB_RELOAD_FLAG = 'fieldwise.hubReloaded';

type Phase = { readonly kind: 'loading' } | { readonly kind: 'onboarding' } | { readonly kind: 'ready'; readonly session: Session } | { readonly kind: 'failed'; readonly message: string };

export function App({ platform }: { platform: Platform }) {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });

  // Stable across language changes: the session is opened once, with this callback.
  const translate = useRef(t);
  translate.current = t;
  const onDidFailWrite = useCallback((error: unknown) => {
    notifications.show({ color: 'red', title: translate.current('errors.writeFailed'), message: error instanceof Error ? error.message : String(error), autoClose: false });
  }, []);

  const openSession = useCallback(
    async (profile: DeviceProfile, passphrase?: string) => {
      const session = await Session.open(platform, profile, onDidFailWrite);
      await session.unlock(passphrase);
      setPhase({ kind: 'ready', session });
      return session;
    },
    [platform, onDidFailWrite],
  );

  // Once per page: a second open of the same database would fail (and must not happen).
  const hasStarted = useRef(false);
  useEffect(() => {
    if (hasStarted.current) return;
    hasStarted.current = true;
    const start = async () => {
      const profile = await loadProfile(platform.settings);
      if (!profile) {
        setPhase({ kind: 'onboarding' });
        return;
      }
      // The desktop app's policy must allow this device's hub (settings.json may predate it or be
      // lost); when the main process had to change it, the page reloads once to take the new policy.
      if (profile.kind === 'hub') {
        const applied = await platform.bridge.setHubUrl(profile.hubUrl);
        if (applied.isApplied && applied.isReloadRequired && !sessionStorage.getItem(HUB_RELOAD_FLAG)) {
          sessionStorage.setItem(HUB_RELOAD_FLAG, '1');
          window.location.reload();
          return;
        }
        sessionStorage.removeItem(HUB_RELOAD_FLAG);
      }
      await openSession(profile);
    };
    start().catch((error: unknown) => setPhase({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }));
  }, [platform, openSession]);

  const session = phase.kind === 'ready' ? phase.session : null;
  const context = useMemo<SessionContextValue | null>(() => {
    if (!session) return null;
    return {
      session,
      platform,
      async signOut(isErasing) {
        if (isErasing || session.profile.kind === 'demo') await session.closeAndErase();
        else await session.close();
        await platform.bridge.deleteSecret(TOKEN_SECRET);
        // The key's module holds Ed25519: loaded here, not at every start.
        const { DEVICE_KEY_SECRET, forgetDeviceKeyRegistration } = await import('../session/deviceKey');
        // The bundle-signing key belonged to this credential; a new join makes a new one.
        await platform.bridge.deleteSecret(DEVICE_KEY_SECRET);
        if (session.profile.kind === 'hub') forgetDeviceKeyRegistration(platform.settings, session.profile.credentialId);
        await forgetProfile(platform.settings);
        window.location.hash = '';
        setPhase({ kind: 'onboarding' });
      },
    };
  }, [session, platform]);

  return (
    <>
      <OfflineNotices platform={platform} />
      <PhaseView phase={phase} platform={platform} context={context} openSession={openSession} />
    </>
  );
}

function PhaseView({ phase, platform, context, openSession }: { phase: Phase; platform: Platform; context: SessionContextValue | null; openSession: (profile: DeviceProfile, passphrase?: string) => Promise<Session> }) {
  const { t } = useTranslation();
  const loading = (
    <Center h="100vh">
      <Loader aria-label={t('app.loading')} />
    </Center>
  );
  switch (phase.kind) {
    case 'loading':
      return loading;
    case 'failed':
      return (
        <Center h="100vh" p="xl">
          <Text c="red" role="alert">
            {t('errors.openFailed', { message: phase.message })}
          </Text>
        </Center>
      );
    case 'onboarding':
      return (
        <Suspense fallback={loading}>
          <Onboarding platform={platform} onDidChooseProfile={openSession} />
        </Suspense>
      );
    case 'ready':
      return (
        <SessionContext.Provider value={context}>
          <ShellForRole session={phase.session} />
        </SessionContext.Provider>
      );
  }
}

/**
 * The screens read the role from the session's profile as they render; when a sync brings a role
 * the secretariat changed, they are drawn afresh (the route stays) so none keeps the old one.
 */
function ShellForRole({ session }: { session: Session }) {
  const [role, setRole] = useState(session.profile.identity.role);
  useEffect(() => {
    setRole(session.profile.identity.role);
    return session.onDidChangeProfile((profile) => setRole(profile.identity.role));
  }, [session]);
  return <Shell key={role} />;
}
