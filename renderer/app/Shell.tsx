import { Badge, Center, Group, Loader, NavLink, Text } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { DeviceStandingGate } from '../admin/DeviceStandingGate';
import { useInbox } from '../inbox/inboxContext';
import { InboxProvider } from '../inbox/InboxProvider';
import { LibraryScreen } from '../library/LibraryScreen';
import { useSession } from '../session/SessionContext';
import { SyncBar } from '../sync/SyncBar';
import { areaOf, hrefOf, type Area, type Route } from './route';
import { useRoute } from './useRoute';

// Only the library (the first screen) is in the startup bundle. Every other screen loads when it
// is first opened: the editor (Tiptap, ProseMirror, y-prosemirror), reports, governance and the
// rest. Their chunks are in the offline precache (renderer/vite.config.ts), so they open offline.
const EntryEditor = lazy(() => import('../editor/EntryEditor').then((module) => ({ default: module.EntryEditor })));
const GovernanceScreen = lazy(() => import('../governance/GovernanceScreen').then((module) => ({ default: module.GovernanceScreen })));
const WorkbenchScreen = lazy(() => import('../workbench/WorkbenchScreen').then((module) => ({ default: module.WorkbenchScreen })));
const AdminScreen = lazy(() => import('../admin/AdminScreen').then((module) => ({ default: module.AdminScreen })));
const ReportsScreen = lazy(() => import('../reports/ReportsScreen').then((module) => ({ default: module.ReportsScreen })));
const InboxScreen = lazy(() => import('../inbox/InboxScreen').then((module) => ({ default: module.InboxScreen })));
const OrgDirectory = lazy(() => import('../orgs/OrgDirectory').then((module) => ({ default: module.OrgDirectory })));
const OrgProfile = lazy(() => import('../orgs/OrgProfile').then((module) => ({ default: module.OrgProfile })));
const SettingsScreen = lazy(() => import('../settings/SettingsScreen').then((module) => ({ default: module.SettingsScreen })));
const SyncScreen = lazy(() => import('../sync/SyncScreen').then((module) => ({ default: module.SyncScreen })));

/** The navigation, in order: each item opens its area's first screen and stays active within the area. */
const navItems: readonly { readonly key: Area; readonly route: Route }[] = [
  { key: 'inbox', route: { screen: 'inbox' } },
  { key: 'library', route: { screen: 'library' } },
  { key: 'orgs', route: { screen: 'orgs' } },
  { key: 'governance', route: { screen: 'governance' } },
  { key: 'workbench', route: { screen: 'workbench', section: null } },
  { key: 'reports', route: { screen: 'reports' } },
  { key: 'sync', route: { screen: 'sync' } },
  { key: 'settings', route: { screen: 'settings' } },
  { key: 'admin', route: { screen: 'admin', section: 'invite' } },
];

/** The console is the secretariat's alone (the hub refuses everyone else with `admin-only`): nobody else sees its entry. */
const isNavItemShown = (key: Area, role: string, kind: string): boolean => key !== 'admin' || (role === 'secretariat' && kind === 'hub');

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'inbox':
      return <InboxScreen />;
    case 'library':
      return <LibraryScreen />;
    case 'entry':
      return <EntryEditor key={route.id} id={route.id} />;
    case 'orgs':
      return <OrgDirectory />;
    case 'org':
      return <OrgProfile key={route.id} id={route.id} />;
    case 'governance':
    case 'proposal-new':
    case 'proposal':
    case 'proposal-edit':
      return <GovernanceScreen route={route} />;
    case 'workbench':
    case 'offer-new':
    case 'offer':
      return <WorkbenchScreen route={route} />;
    case 'reports':
      return <ReportsScreen />;
    case 'sync':
      return <SyncScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'admin':
      return <AdminScreen section={route.section} />;
  }
}

export function Shell() {
  return (
    <InboxProvider>
      <ShellLayout />
    </InboxProvider>
  );
}

/** The inbox's entry in the navigation, with the number of unread items (none shown at zero). */
function InboxNavLabel() {
  const { t } = useTranslation();
  const { inbox } = useInbox();
  const count = inbox?.unreadCount ?? 0;
  return (
    <Group component="span" gap={6} wrap="nowrap">
      {t('inbox.nav')}
      {count > 0 && (
        <Badge size="sm" circle={count < 10} color="red" aria-label={t('inbox.unread', { count })} data-testid="inbox-count" data-count={count}>
          {count}
        </Badge>
      )}
    </Group>
  );
}

function ShellLayout() {
  const { t } = useTranslation();
  const { session } = useSession();
  const route = useRoute();
  const area = areaOf(route);
  const { profile } = session;
  return (
    <div className="fw-shell">
      <a className="fw-skip" href="#main" onClick={(event) => {
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        {t('nav.skip')}
      </a>
      <header className="fw-header">
        <div className="fw-brand">
          <Text fw={700} size="md">
            {t('app.name')}
          </Text>
          <Text size="xs" c="dimmed" truncate="end" title={profile.orgName} data-testid="org-name">
            {profile.kind === 'demo' ? t('app.demoBadge') : profile.orgName}
          </Text>
        </div>
        <SyncBar />
      </header>
      <nav className="fw-nav" aria-label={t('nav.label')} data-testid="nav">
        {navItems.filter((item) => isNavItemShown(item.key, profile.identity.role, profile.kind)).map((item) => (
          <NavLink key={item.key} component="a" href={hrefOf(item.route)} label={item.key === 'inbox' ? <InboxNavLabel /> : t(item.key === 'admin' ? 'admin.nav' : `nav.${item.key}`)} active={item.key === area} aria-current={item.key === area ? 'page' : undefined} data-testid={`nav-${item.key}`} />
        ))}
      </nav>
      <main id="main" className="fw-main" tabIndex={-1}>
        <Suspense
          fallback={
            <Center p="xl">
              <Loader aria-label={t('app.loading')} />
            </Center>
          }
        >
          <DeviceStandingGate>
            <Screen route={route} />
          </DeviceStandingGate>
        </Suspense>
      </main>
    </div>
  );
}

