import { Badge, Group, NavLink, Text } from '@mantine/core';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { DeviceStandingGate } from '../admin/DeviceStandingGate';
import { useInbox } from '../inbox/inboxContext';
import { InboxProvider } from '../inbox/InboxProvider';
import { LibraryScreen } from '../library/LibraryScreen';
import { useSession } from '../session/SessionContext';
import { SyncBar } from '../sync/SyncBar';
import { areaOf, hrefOf, type Area, type Route } from './route';
import { lazyScreen } from './lazyScreen';
import { ScreenFallback } from './ScreenFallback';
import { useRoute } from './useRoute';

// Only the library (the first screen) is in the startup bundle. Every other screen loads when it
// is first opened, with the screens' strings (i18n.ts): the editor (Tiptap, ProseMirror,
// y-prosemirror), reports, governance and the rest. Their chunks are in the offline precache
// (renderer/vite.config.ts), so they open offline.
const EntryEditor = lazyScreen(() => import('../editor/EntryEditor'), (module) => module.EntryEditor);
const GovernanceScreen = lazyScreen(() => import('../governance/GovernanceScreen'), (module) => module.GovernanceScreen);
const WorkbenchScreen = lazyScreen(() => import('../workbench/WorkbenchScreen'), (module) => module.WorkbenchScreen);
const AdminScreen = lazyScreen(() => import('../admin/AdminScreen'), (module) => module.AdminScreen);
const ReportsScreen = lazyScreen(() => import('../reports/ReportsScreen'), (module) => module.ReportsScreen);
const InboxScreen = lazyScreen(() => import('../inbox/InboxScreen'), (module) => module.InboxScreen);
const OrgDirectory = lazyScreen(() => import('../orgs/OrgDirectory'), (module) => module.OrgDirectory);
const OrgProfile = lazyScreen(() => import('../orgs/OrgProfile'), (module) => module.OrgProfile);
const SettingsScreen = lazyScreen(() => import('../settings/SettingsScreen'), (module) => module.SettingsScreen);
const SyncScreen = lazyScreen(() => import('../sync/SyncScreen'), (module) => module.SyncScreen);

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
          <NavLink key={item.key} component="a" href={hrefOf(item.route)} label={item.key === 'inbox' ? <InboxNavLabel /> : t(`nav.${item.key}`)} active={item.key === area} aria-current={item.key === area ? 'page' : undefined} data-testid={`nav-${item.key}`} />
        ))}
      </nav>
      <main id="main" className="fw-main" tabIndex={-1}>
        <Suspense fallback={<ScreenFallback />}>
          <DeviceStandingGate>
            <Screen route={route} />
          </DeviceStandingGate>
        </Suspense>
      </main>
    </div>
  );
}

