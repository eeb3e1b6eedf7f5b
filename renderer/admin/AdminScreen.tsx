import { Alert, Button, Group, Text, Title } from '@mantine/core';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { adminSections, hrefOf, type AdminSection } from '../app/route';
import { inboxStateOf } from '../../shared/inbox/inboxState';
import { revocationsOf } from '../inbox/revocationWatch';
import { useSession } from '../session/SessionContext';
import { formatDateTime } from '../workbench/reasonText';
import { adminClient } from './adminApi';
import { AdminContext, type AdminContextValue } from './adminContext';
import { adminFailureText } from './adminFailureText';
import { AuditLog } from './AuditLog';
import { InvitationList } from './InvitationList';
import { InvitePanel } from './InvitePanel';
import { NetworkSettingsPanel } from './NetworkSettingsPanel';
import { OrgsPanel } from './OrgsPanel';
import { useAdminResource } from './useAdminResource';

/*
 * The secretariat's console (#/admin/<section>): invite, the invitations, organizations and their
 * devices, network settings, the audit log. Every act is a request to the hub, which alone decides
 * (it refuses anyone but the secretariat with `admin-only`); with no connection the console says
 * so and shows the lists as last fetched, with their time.
 */

export function AdminScreen({ section }: { readonly section: AdminSection }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { profile } = session;
  if (profile.kind !== 'hub' || profile.identity.role !== 'secretariat') {
    return (
      <section className="fw-screen" aria-labelledby="admin-title">
        <Title order={1} size="h3" id="admin-title">
          {t('admin.title')}
        </Title>
        <Alert color="gray" data-testid="admin-not-secretariat">
          {t('admin.notSecretariat')}
        </Alert>
      </section>
    );
  }
  return <Console section={section} />;
}

function Console({ section }: { readonly section: AdminSection }) {
  const { t, i18n } = useTranslation();
  const { session, platform } = useSession();
  const client = useMemo(() => adminClient(session), [session]);
  const orgs = useAdminResource(platform.settings, session, 'orgs', async () => {
    const result = await client.listOrgs();
    return result.ok ? { ok: true, value: result.value.orgs } : result;
  });
  // What the console learns of revocations (a fetch, or its own revoke's answer) reaches the inbox at once, not after the next sync.
  useEffect(() => {
    if (orgs.value && !orgs.isStale) void inboxStateOf(session.client).setRevocations(revocationsOf(orgs.value, orgs.fetchedAt ?? 0)).catch(() => undefined);
  }, [session, orgs.value, orgs.isStale, orgs.fetchedAt]);
  const invitations = useAdminResource(platform.settings, session, 'invitations', async () => {
    const result = await client.listInvitations();
    return result.ok ? { ok: true, value: result.value.invitations } : result;
  });
  const context = useMemo<AdminContextValue>(() => ({ client, orgs, invitations, failureText: (failure) => adminFailureText(t, failure, (key) => i18n.exists(key)) }), [client, orgs, invitations, t, i18n]);
  const isOffline = orgs.failure?.kind === 'offline' || invitations.failure?.kind === 'offline';

  return (
    <AdminContext.Provider value={context}>
      <section className="fw-screen" aria-labelledby="admin-title" data-testid="admin-screen" data-section={section}>
        <Group justify="space-between" wrap="nowrap">
          <Title order={1} size="h3" id="admin-title">
            {t('admin.title')}
          </Title>
          <Button variant="default" size="xs" onClick={() => void Promise.all([orgs.reload(), invitations.reload()])} loading={orgs.isLoading || invitations.isLoading} data-testid="admin-reload">
            {t('admin.reload')}
          </Button>
        </Group>
        {isOffline && (
          <Alert color="yellow" data-testid="admin-offline">
            <Text size="sm">{t('admin.needsConnection')}</Text>
            {orgs.fetchedAt !== null && (
              <Text size="xs" c="dimmed">
                {t('admin.lastFetched', { time: formatDateTime(i18n.language, orgs.fetchedAt) })}
              </Text>
            )}
          </Alert>
        )}
        <nav className="fw-wb-tabs" aria-label={t('admin.sections')} data-testid="admin-tabs">
          {adminSections.map((s) => (
            <a key={s} href={hrefOf({ screen: 'admin', section: s })} className="fw-wb-tab" aria-current={s === section ? 'page' : undefined} data-testid={`admin-tab-${s}`}>
              {t(`admin.section.${s}`)}
            </a>
          ))}
        </nav>
        {section === 'invite' && <InvitePanel />}
        {section === 'invitations' && <InvitationList />}
        {section === 'orgs' && <OrgsPanel />}
        {section === 'settings' && <NetworkSettingsPanel />}
        {section === 'audit' && <AuditLog />}
      </section>
    </AdminContext.Provider>
  );
}
