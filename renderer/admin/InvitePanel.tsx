import { Alert, Button, Code, CopyButton, Group, NumberInput, Paper, SegmentedControl, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import i18next from 'i18next';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNetwork } from '../data/useNetwork';
import { normalizeHubUrl } from '../session/deviceProfile';
import { useSession } from '../session/SessionContext';
import { formatDateTime } from '../workbench/reasonText';
import { MAX_INVITATION_DAYS } from '../../shared/sync/adminProtocol';
import { adminRoles, type AdminRole, type InvitationCreated } from './adminApi';
import { useAdmin } from './adminContext';
import { invitationLetterHtml } from './invitationLetter';
import { parseInvitation } from './invitationLink';
import { invitationQr } from './invitationQr';

const DEFAULT_EXPIRY_DAYS = 14;
const MIN_INVITATION_DAYS = 1;

const isValidDays = (days: number) => Number.isInteger(days) && days >= MIN_INVITATION_DAYS && days <= MAX_INVITATION_DAYS;

/** Invite a new organization, or another device of one already in the network. */
export function InvitePanel() {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client, orgs, invitations, failureText } = useAdmin();
  const [kind, setKind] = useState<'new' | 'device'>('new');
  const [orgName, setOrgName] = useState('');
  const [role, setRole] = useState<AdminRole>('member');
  const [orgId, setOrgId] = useState<string | null>(null);
  const [days, setDays] = useState<number>(DEFAULT_EXPIRY_DAYS);
  const [hubAddress, setHubAddress] = useState(session.profile.hubUrl);
  const [error, setError] = useState<string | null>(null);
  /** Said at the field: a number the hub would refuse is never quietly changed into one it takes. */
  const [daysError, setDaysError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const [created, setCreated] = useState<(InvitationCreated & { hubUrl: string }) | null>(null);

  const orgOptions = (orgs.value ?? []).filter((org) => org.revokedAt === null).map((org) => ({ value: org.id, label: `${org.name} (${t(`roles.${org.role}`)})` }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDaysError(null);
    const hubUrl = normalizeHubUrl(hubAddress);
    if (!hubUrl) return setError(t('onboarding.errors.badHub'));
    if (kind === 'new' && orgName.trim() === '') return setError(t('admin.invite.errors.noName'));
    if (kind === 'device' && !orgId) return setError(t('admin.invite.errors.noOrg'));
    if (!isValidDays(days)) return setDaysError(t('admin.invite.errors.days', { days: String(days) }));
    setBusy(true);
    const result = await client.invite(kind === 'new' ? { orgName: orgName.trim(), role, expiresInDays: days, hubAddress: hubUrl } : { orgId: orgId ?? '', expiresInDays: days, hubAddress: hubUrl });
    setBusy(false);
    if (!result.ok) return setError(failureText(result.failure));
    setCreated({ ...result.value, hubUrl: parseInvitation(result.value.link)?.hubUrl ?? hubUrl });
    setOrgName('');
    void invitations.reload();
    void orgs.reload();
  };

  if (created) return <InvitationCard created={created} onDone={() => setCreated(null)} />;

  return (
    <Paper withBorder p="md" radius="md" maw={640} data-testid="admin-invite">
      <form onSubmit={(event) => void submit(event)}>
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('admin.invite.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('admin.invite.help')}
          </Text>
          <SegmentedControl
            value={kind}
            onChange={(value) => setKind(value === 'device' ? 'device' : 'new')}
            data={[
              { value: 'new', label: t('admin.invite.newOrg') },
              { value: 'device', label: t('admin.invite.anotherDevice') },
            ]}
            data-testid="invite-kind"
          />
          {kind === 'new' ? (
            <>
              <TextInput label={t('admin.invite.orgName')} description={t('admin.invite.orgNameHelp')} value={orgName} maxLength={200} onChange={(e) => setOrgName(e.currentTarget.value)} data-testid="invite-org-name" />
              <Select
                label={t('admin.invite.role')}
                value={role}
                onChange={(value) => value && setRole(value as AdminRole)}
                data={adminRoles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
                allowDeselect={false}
                data-testid="invite-role"
              />
            </>
          ) : (
            <Select label={t('admin.invite.org')} description={t('admin.invite.orgHelp')} value={orgId} onChange={setOrgId} data={orgOptions} searchable nothingFoundMessage={t('admin.invite.noOrgs')} data-testid="invite-org" />
          )}
          <NumberInput
            label={t('admin.invite.days')}
            description={t('admin.invite.daysHelp')}
            value={days}
            onChange={(value) => {
              setDays(typeof value === 'number' ? value : Number(value));
              setDaysError(null);
            }}
            min={MIN_INVITATION_DAYS}
            max={MAX_INVITATION_DAYS}
            // Mantine clamps on blur by default: a typed 0 became 1 and the invitation a one-day one.
            clampBehavior="none"
            allowDecimal={false}
            allowNegative={false}
            error={daysError}
            data-testid="invite-days"
          />
          <TextInput label={t('admin.invite.hubAddress')} description={t('admin.invite.hubAddressHelp')} value={hubAddress} onChange={(e) => setHubAddress(e.currentTarget.value)} spellCheck={false} data-testid="invite-hub" />
          {error && (
            <Alert color="red" role="alert" data-testid="invite-error">
              {error}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={isBusy} data-testid="invite-submit">
              {t('admin.invite.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/** The invitation just made: its link, QR code and letter, shown this once (the hub keeps only a hash). */
function InvitationCard({ created, onDone }: { readonly created: InvitationCreated & { hubUrl: string }; readonly onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const { session, platform } = useSession();
  const network = useNetwork(session.client);
  const [letterLanguage, setLetterLanguage] = useState(i18n.language === 'en' ? 'en' : 'zh-CN');
  const [printError, setPrintError] = useState<string | null>(null);
  const qr = useMemo(() => invitationQr(created.link), [created.link]);
  const { invitation } = created;

  const printLetter = async () => {
    setPrintError(null);
    // The letter's language may not be the one on screen; its catalog loads on demand (i18n.ts).
    await i18next.loadLanguages(letterLanguage);
    const letterT = i18next.getFixedT(letterLanguage);
    const html = invitationLetterHtml(letterT, {
      networkName: network?.name ?? '',
      secretariatName: session.profile.orgName,
      orgName: invitation.orgName,
      roleLabel: letterT(`roles.${invitation.role}`),
      link: created.link,
      code: created.code,
      hubUrl: created.hubUrl,
      expiresAt: invitation.expiresAt,
      language: letterLanguage,
    });
    try {
      await platform.bridge.printToPdf({ html, suggestedName: `${t('admin.letter.fileName', { org: invitation.orgName })}.pdf`, pageSize: 'A4' });
    } catch (caught) {
      setPrintError(t('admin.letter.failed', { message: caught instanceof Error ? caught.message : String(caught) }));
    }
  };

  return (
    <Paper withBorder p="md" radius="md" maw={760} data-testid="invitation-created">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('admin.created.title', { org: invitation.orgName })}
        </Title>
        <Alert color="yellow" data-testid="invitation-once">
          {t('admin.created.once')}
        </Alert>
        <Group align="flex-start" wrap="wrap" gap="lg">
          <svg className="fw-admin-qr" viewBox={`0 0 ${qr.sizeModules} ${qr.sizeModules}`} width={200} height={200} role="img" aria-label={t('admin.created.qr')} shapeRendering="crispEdges" data-testid="invitation-qr">
            <rect width={qr.sizeModules} height={qr.sizeModules} fill="#fff" />
            <path d={qr.path} fill="#000" />
          </svg>
          <Stack gap="xs" style={{ flex: 1, minWidth: 260 }}>
            <Text size="sm" fw={500}>
              {t('admin.created.link')}
            </Text>
            <Code block data-testid="invitation-link">
              {created.link}
            </Code>
            <CopyButton value={created.link}>
              {({ copied, copy }) => (
                <Button variant="light" size="xs" onClick={copy} data-testid="invitation-copy">
                  {copied ? t('admin.created.copied') : t('admin.created.copy')}
                </Button>
              )}
            </CopyButton>
            <Text size="xs" c="dimmed">
              {t('admin.created.apart', { code: created.code, hub: created.hubUrl })}
            </Text>
            <Text size="sm" data-testid="invitation-expires">
              {t('admin.created.expires', { time: formatDateTime(i18n.language, invitation.expiresAt), role: t(`roles.${invitation.role}`) })}
            </Text>
          </Stack>
        </Group>
        <Group align="flex-end">
          <Select
            label={t('admin.letter.language')}
            value={letterLanguage}
            onChange={(value) => value && setLetterLanguage(value)}
            data={[
              { value: 'zh-CN', label: '中文' },
              { value: 'en', label: 'English' },
            ]}
            allowDeselect={false}
            w={140}
            data-testid="letter-language"
          />
          <Button onClick={() => void printLetter()} data-testid="letter-print">
            {t('admin.letter.print')}
          </Button>
          <Button variant="default" onClick={onDone} data-testid="invitation-done">
            {t('admin.created.done')}
          </Button>
        </Group>
        {printError && (
          <Alert color="red" role="alert">
            {printError}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
