import { Alert, Anchor, Button, Center, Group, Loader, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type * as Y from 'yjs';
import { decisionMethodNames, decisionMethods, methodFor, type DecisionMethodName } from '../../shared/governance/decisionMethods';
import { proposal, proposalMutators } from '../../shared/records/proposal';
import type { RecordHeader } from '../../shared/records/recordType';
import { RichTextField } from '../forms/RichTextField';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';
import { proposalHref } from '../app/route';
import { fromLocalInput, toLocalInput } from './localTime';
import { ProposalMethodPanel } from './ProposalMethodPanel';
import { termsOf, type ProposalTerms } from './proposalTerms';
import { ProposalRulesPanel } from './ProposalRulesPanel';
import { useNetwork } from '../data/useNetwork';
import { useOrgNames } from '../data/useOrgNames';
import { canRunProposals } from './useGovernance';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { ReasonDialog } from './TrustPanels';
import { useDocRead } from '../data/useDocRead';
import { useRecordDoc } from '../data/useRecordDoc';


const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

function useDescribeError() {
  const { t } = useTranslation();
  return (error: unknown): string => refusalText(t, error);
}

/** A new proposal: its title, method and voting window; the rest is set in the editor it opens. */
export function CreateProposal() {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const network = useNetwork(client);
  const describe = useDescribeError();
  const [title, setTitle] = useState('');
  const [method, setMethod] = useState<DecisionMethodName>('consent');
  // Opening defaults to the current minute (not the next): a poll opened right away is open at once.
  const [opensAt, setOpensAt] = useState(() => toLocalInput(Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS));
  const [closesAt, setClosesAt] = useState(() => toLocalInput(Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS + 7 * DAY_MS));
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  if (!canRunProposals(session.profile.identity, network)) {
    return (
      <Stack p="lg" className="fw-screen">
        <Text role="alert">{t('governance.errors.notAllowed')}</Text>
        <Anchor href="#/governance">{t('governance.backToList')}</Anchor>
      </Stack>
    );
  }

  const submit = async () => {
    const opens = fromLocalInput(opensAt);
    const closes = fromLocalInput(closesAt);
    if (!title.trim()) return setError(t('governance.errors.titleNeeded'));
    if (opens === null || closes === null) return setError(t('governance.errors.timeNeeded'));
    if (closes <= opens) return setError(t('governance.errors.closesBeforeOpens'));
    setBusy(true);
    try {
      const id = await client.create('proposal', { title: title.trim(), method, options: [], opensAt: opens, closesAt: closes });
      window.location.hash = proposalHref(id, 'edit');
    } catch (caught) {
      setError(describe(caught));
      setBusy(false);
    }
  };

  return (
    <section className="fw-screen fw-governance" aria-labelledby="new-proposal-title" data-testid="proposal-create">
      <Group gap="xs">
        <Anchor href="#/governance" size="sm">
          {t('governance.backToList')}
        </Anchor>
      </Group>
      <Title order={1} size="h3" id="new-proposal-title">
        {t('governance.create.title')}
      </Title>
      <Paper withBorder p="md" radius="md" className="fw-gov-form">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <Stack gap="sm">
            <TextInput label={t('governance.field.title')} value={title} onChange={(event) => setTitle(event.currentTarget.value)} required data-testid="proposal-title" data-autofocus />
            <Select label={t('governance.field.method')} data={decisionMethodNames.map((value) => ({ value, label: t(decisionMethods[value].labels.name) }))} value={method} onChange={(value) => value && setMethod(value as DecisionMethodName)} allowDeselect={false} data-testid="proposal-method" />
            <TextInput type="datetime-local" label={t('governance.field.opensAt')} value={opensAt} onChange={(event) => setOpensAt(event.currentTarget.value)} data-testid="proposal-opens" />
            <TextInput type="datetime-local" label={t('governance.field.closesAt')} value={closesAt} onChange={(event) => setClosesAt(event.currentTarget.value)} data-testid="proposal-closes" />
            {error && (
              <Text c="red.8" size="sm" role="alert" data-testid="proposal-error">
                {error}
              </Text>
            )}
            <Group justify="flex-end">
              <Button type="submit" loading={isBusy} data-testid="proposal-create-submit">
                {t('governance.create.submit')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </section>
  );
}

/** The proposal editor for its runners: every term, the rich-text description, and opening or cancelling it. */
export function ProposalEditor({ id }: { id: string }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const opened = useRecordDoc(session.client, id, 'proposal');
  if (opened.kind === 'loading')
    return (
      <Center p="xl">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  if (opened.kind === 'missing')
    return (
      <Stack p="lg" className="fw-screen">
        <Text role="alert">{t('governance.notFound')}</Text>
        <Anchor href="#/governance">{t('governance.backToList')}</Anchor>
      </Stack>
    );
  return <ProposalForm doc={opened.doc} header={opened.header} />;
}

function ProposalForm({ doc, header }: { doc: Y.Doc; header: RecordHeader }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const network = useNetwork(client);
  const names = useOrgNames(client);
  const describe = useDescribeError();
  const p = useDocRead(doc, proposal.read);
  const [terms, setTerms] = useState<ProposalTerms>(() => termsOf(p));
  const [isDirty, setDirty] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'saved'; text: string } | null>(null);
  const [isBusy, setBusy] = useState(false);
  // Changes from another device show while nothing here waits to be saved.
  useEffect(() => {
    if (!isDirty) setTerms(termsOf(p));
  }, [p, isDirty]);

  const isRunner = canRunProposals(session.profile.identity, network);
  const isDraft = p.state === 'draft';
  const canEdit = isRunner && isDraft;
  const change = (patch: Partial<ProposalTerms>) => {
    setTerms((current) => ({ ...current, ...patch }));
    setDirty(true);
    setMessage(null);
  };

  const problem = (): string | null => {
    if (!terms.title.trim()) return t('governance.errors.titleNeeded');
    if (terms.closesAt <= terms.opensAt) return t('governance.errors.closesBeforeOpens');
    if (terms.options.some((option) => !option.label.trim())) return t('governance.errors.optionLabelNeeded');
    if (terms.eligible.kind === 'orgs' && terms.eligible.orgIds.length === 0) return t('governance.errors.orgsNeeded');
    if (terms.eligible.kind === 'roles' && terms.eligible.roles.length === 0) return t('governance.errors.rolesNeeded');
    return null;
  };

  const save = async (): Promise<boolean> => {
    const found = problem();
    if (found) {
      setMessage({ kind: 'error', text: found });
      return false;
    }
    setBusy(true);
    try {
      await client.mutate(header.id, proposalMutators.setTerms, { ...terms, title: terms.title.trim(), options: terms.options.map((o) => ({ ...o, label: o.label.trim() })) });
      setDirty(false);
      setMessage({ kind: 'saved', text: t('governance.editor.saved') });
      return true;
    } catch (error) {
      setMessage({ kind: 'error', text: describe(error) });
      return false;
    } finally {
      setBusy(false);
    }
  };

  // Opening cannot be undone: it is saved first, then confirmed with a reason (TrustPanels).
  const [isConfirmingOpen, setConfirmingOpen] = useState(false);
  const voters = eligibleOrgIds(network?.members ?? [], terms.eligible);
  const open = async () => {
    if (methodFor(terms.method).usesOptions && terms.options.length < 2) return setMessage({ kind: 'error', text: t('governance.errors.optionsNeeded') });
    // The hub refuses an opening at or after closing (terms-locked): nobody could vote in it.
    if (terms.closesAt <= Date.now()) return setMessage({ kind: 'error', text: t('governance.errors.closesInPast') });
    if (!(await save())) return;
    setConfirmingOpen(true);
  };
  const confirmOpen = async (reason: string) => {
    await client.mutate(header.id, proposalMutators.openVote, { reason, eligibleOrgIds: voters });
    window.location.hash = proposalHref(header.id);
  };

  const memberOptions = (network?.members ?? []).map((member) => ({ value: member.orgId, label: names.get(member.orgId) ?? member.orgId }));

  return (
    <section className="fw-screen fw-governance" aria-labelledby="proposal-editor-title" data-testid="proposal-editor" data-proposal-id={header.id}>
      <Group gap="xs">
        <Anchor href={proposalHref(header.id)} size="sm" data-testid="proposal-editor-back">
          {t('governance.editor.back')}
        </Anchor>
      </Group>
      <Title order={1} size="h3" id="proposal-editor-title">
        {t('governance.editor.title')}
      </Title>
      {!canEdit && (
        <Alert color="gray" data-testid="proposal-read-only">
          {isRunner ? t('governance.editor.notDraft') : t('governance.errors.notAllowed')}
        </Alert>
      )}
      <div className="fw-gov-editor">
        <Stack gap="md">
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <TextInput label={t('governance.field.title')} value={terms.title} onChange={(event) => change({ title: event.currentTarget.value })} readOnly={!canEdit} data-testid="proposal-title" />
              <RichTextField doc={doc} field="description" label={t('governance.field.description')} isEditable={canEdit} onDidChangeLocally={() => void client.flushOutbox()} testId="proposal-description" />
            </Stack>
          </Paper>
          <ProposalMethodPanel terms={terms} canEdit={canEdit} change={change} />
        </Stack>
        <Stack gap="md">
          <ProposalRulesPanel terms={terms} canEdit={canEdit} change={change} memberOptions={memberOptions} />
          {message && (
            <Text size="sm" c={message.kind === 'error' ? 'red.8' : 'teal.8'} role={message.kind === 'error' ? 'alert' : 'status'} data-testid={message.kind === 'error' ? 'proposal-error' : 'proposal-saved'}>
              {message.text}
            </Text>
          )}
          {canEdit && (
            <Group justify="flex-end">
              <Button variant="default" onClick={() => void save()} loading={isBusy} disabled={!isDirty} data-testid="proposal-save">
                {t('governance.editor.save')}
              </Button>
              <Button onClick={() => void open()} loading={isBusy} data-testid="proposal-open">
                {t('governance.editor.open')}
              </Button>
            </Group>
          )}
          <ReasonDialog
            isOpen={isConfirmingOpen}
            title={t('governance.trust.confirmTitle.open')}
            body={t('governance.trust.confirmBody.open', { count: voters.length })}
            confirmLabel={t('governance.trust.actConfirm.open')}
            onConfirm={confirmOpen}
            onClose={() => setConfirmingOpen(false)}
            testId="proposal-confirm"
          />
        </Stack>
      </div>
    </section>
  );
}
