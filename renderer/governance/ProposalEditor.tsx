import { ActionIcon, Alert, Anchor, Button, Center, Checkbox, Group, Loader, MultiSelect, NumberInput, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type * as Y from 'yjs';
import { PermissionError } from '../../shared/client/permissionError';
import { decisionMethodNames, type DecisionMethodName } from '../../shared/governance/decisionMethods';
import { proposal, proposalMutators, type ProposalProjection } from '../../shared/records/proposal';
import { RecordInputError } from '../../shared/records/recordError';
import { roles, type RecordHeader } from '../../shared/records/recordType';
import { RichTextField } from '../editor/RichTextField';
import { useSession } from '../session/SessionContext';
import { proposalHref } from './GovernanceScreen';
import { fromLocalInput, toLocalInput } from './localTime';
import { nextOptionId } from './nextOptionId';
import { canRunProposals, useMemberNames, useNetwork } from './useGovernance';
import { useDocRead, useRecordDoc } from '../editor/useRecordDoc';

type Method = DecisionMethodName;
type Terms = Omit<ProposalProjection, 'description' | 'state' | 'createdAt' | 'updatedAt'>;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

function useDescribeError() {
  const { t } = useTranslation();
  return (error: unknown): string => {
    if (error instanceof PermissionError) return t('governance.errors.notAllowed');
    if (error instanceof RecordInputError) return t('governance.errors.invalid', { field: error.field, reason: error.reason });
    return error instanceof Error ? error.message : String(error);
  };
}

/** A new proposal: its title, method and voting window; the rest is set in the editor it opens. */
export function CreateProposal() {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const network = useNetwork(client);
  const describe = useDescribeError();
  const [title, setTitle] = useState('');
  const [method, setMethod] = useState<Method>('consent');
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
            <Select label={t('governance.field.method')} data={decisionMethodNames.map((value) => ({ value, label: t(`governance.method.${value}`) }))} value={method} onChange={(value) => value && setMethod(value as Method)} allowDeselect={false} data-testid="proposal-method" />
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

const termsOf = ({ description: _d, state: _s, createdAt: _c, updatedAt: _u, ...terms }: ProposalProjection): Terms => terms;

function ProposalForm({ doc, header }: { doc: Y.Doc; header: RecordHeader }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const network = useNetwork(client);
  const names = useMemberNames(client, network);
  const describe = useDescribeError();
  const p = useDocRead(doc, proposal.read);
  const [terms, setTerms] = useState<Terms>(() => termsOf(p));
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
  const change = (patch: Partial<Terms>) => {
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

  const open = async () => {
    if (terms.method !== 'consent' && terms.options.length < 2) return setMessage({ kind: 'error', text: t('governance.errors.optionsNeeded') });
    if (!(await save())) return;
    try {
      await client.mutate(header.id, proposalMutators.setState, 'open');
      window.location.hash = proposalHref(header.id);
    } catch (error) {
      setMessage({ kind: 'error', text: describe(error) });
    }
  };

  const memberOptions = (network?.members ?? []).map((member) => ({ value: member.orgId, label: names.get(member.orgId) ?? member.orgId }));
  const usesOptions = terms.method !== 'consent';

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
              <RichTextField doc={doc} field="description" label={t('governance.field.description')} isEditable={canEdit} onDidChangeLocally={() => void client.flush()} testId="proposal-description" />
            </Stack>
          </Paper>
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <Select
                label={t('governance.field.method')}
                description={t(`governance.methodHelp.${terms.method}`)}
                data={decisionMethodNames.map((value) => ({ value, label: t(`governance.method.${value}`) }))}
                value={terms.method}
                onChange={(value) => value && change({ method: value as Method })}
                readOnly={!canEdit}
                allowDeselect={false}
                data-testid="proposal-method"
              />
              {terms.method === 'multiple' && (
                <NumberInput label={t('governance.field.maxChoices')} min={1} max={50} value={terms.maxChoices} onChange={(value) => typeof value === 'number' && change({ maxChoices: value })} readOnly={!canEdit} data-testid="proposal-max-choices" />
              )}
              {terms.method === 'consent' && (
                <Checkbox label={t('governance.field.blocksCount')} checked={terms.blocksCount} onChange={(event) => change({ blocksCount: event.currentTarget.checked })} disabled={!canEdit} data-testid="proposal-blocks-count" />
              )}
              {usesOptions && (
                <Stack gap="xs" data-testid="proposal-options">
                  <Text size="sm" fw={500}>
                    {t('governance.field.options')}
                  </Text>
                  {terms.options.map((option, index) => (
                    <Group key={option.id} gap="xs" wrap="nowrap">
                      <TextInput
                        className="fw-grow"
                        aria-label={t('governance.editor.optionLabel', { n: index + 1 })}
                        value={option.label}
                        onChange={(event) => {
                          const label = event.currentTarget.value;
                          change({ options: terms.options.map((o) => (o.id === option.id ? { ...o, label } : o)) });
                        }}
                        readOnly={!canEdit}
                        data-testid="proposal-option"
                      />
                      {canEdit && (
                        <ActionIcon variant="subtle" color="red" aria-label={t('governance.editor.removeOption', { n: index + 1 })} onClick={() => change({ options: terms.options.filter((o) => o.id !== option.id) })}>
                          ×
                        </ActionIcon>
                      )}
                    </Group>
                  ))}
                  {canEdit && (
                    <Group>
                      <Button size="xs" variant="light" onClick={() => change({ options: [...terms.options, { id: nextOptionId(terms.options.map((o) => o.id)), label: '' }] })} data-testid="proposal-add-option">
                        {t('governance.editor.addOption')}
                      </Button>
                    </Group>
                  )}
                </Stack>
              )}
            </Stack>
          </Paper>
        </Stack>
        <Stack gap="md">
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <Select
                label={t('governance.field.eligible')}
                data={(['all-members', 'orgs', 'roles'] as const).map((value) => ({ value, label: t(`governance.eligible.${value}`) }))}
                value={terms.eligible.kind}
                onChange={(kind) => {
                  if (kind === 'all-members') change({ eligible: { kind } });
                  else if (kind === 'orgs') change({ eligible: { kind, orgIds: [] } });
                  else if (kind === 'roles') change({ eligible: { kind, roles: ['member'] } });
                }}
                readOnly={!canEdit}
                allowDeselect={false}
                data-testid="proposal-eligible"
              />
              {terms.eligible.kind === 'orgs' && (
                <MultiSelect label={t('governance.field.eligibleOrgs')} data={memberOptions} value={terms.eligible.orgIds} onChange={(orgIds) => change({ eligible: { kind: 'orgs', orgIds } })} readOnly={!canEdit} searchable data-testid="proposal-eligible-orgs" />
              )}
              {terms.eligible.kind === 'roles' && (
                <MultiSelect
                  label={t('governance.field.eligibleRoles')}
                  data={roles.map((value) => ({ value, label: t(`governance.role.${value}`) }))}
                  value={terms.eligible.roles}
                  onChange={(selected) => change({ eligible: { kind: 'roles', roles: selected as (typeof roles)[number][] } })}
                  readOnly={!canEdit}
                  data-testid="proposal-eligible-roles"
                />
              )}
              <TextInput type="datetime-local" label={t('governance.field.opensAt')} value={toLocalInput(terms.opensAt)} onChange={(event) => { const ms = fromLocalInput(event.currentTarget.value); if (ms !== null) change({ opensAt: ms }); }} readOnly={!canEdit} data-testid="proposal-opens" />
              <TextInput type="datetime-local" label={t('governance.field.closesAt')} value={toLocalInput(terms.closesAt)} onChange={(event) => { const ms = fromLocalInput(event.currentTarget.value); if (ms !== null) change({ closesAt: ms }); }} readOnly={!canEdit} data-testid="proposal-closes" />
              <NumberInput label={t('governance.field.graceHours')} description={t('governance.field.graceHelp')} min={0} max={24 * 60} value={terms.graceHours} onChange={(value) => typeof value === 'number' && change({ graceHours: value })} readOnly={!canEdit} data-testid="proposal-grace" />
              <NumberInput label={t('governance.field.quorum')} description={t('governance.field.quorumHelp')} min={0} max={100} suffix="%" value={Math.round(terms.quorum * 100)} onChange={(value) => typeof value === 'number' && change({ quorum: value / 100 })} readOnly={!canEdit} data-testid="proposal-quorum" />
              <NumberInput label={t('governance.field.threshold')} description={t('governance.field.thresholdHelp')} min={0} max={100} suffix="%" value={Math.round(terms.threshold * 100)} onChange={(value) => typeof value === 'number' && change({ threshold: value / 100 })} readOnly={!canEdit} data-testid="proposal-threshold" />
              <Select label={t('governance.field.secrecy')} data={(['open', 'secret'] as const).map((value) => ({ value, label: t(`governance.secrecy.${value}`) }))} value={terms.secrecy} onChange={(value) => value && change({ secrecy: value as Terms['secrecy'] })} readOnly={!canEdit} allowDeselect={false} data-testid="proposal-secrecy" />
              <Select label={t('governance.field.resultsVisibility')} data={(['live', 'after-close'] as const).map((value) => ({ value, label: t(`governance.visibility.${value}`) }))} value={terms.resultsVisibility} onChange={(value) => value && change({ resultsVisibility: value as Terms['resultsVisibility'] })} readOnly={!canEdit} allowDeselect={false} data-testid="proposal-visibility" />
            </Stack>
          </Paper>
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
        </Stack>
      </div>
    </section>
  );
}
