import { MultiSelect, NumberInput, Paper, Select, Stack, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { roles } from '../../shared/records/recordType';
import { fromLocalInput, toLocalInput } from './localTime';
import type { ProposalTerms, TermsPanelProps } from './proposalTerms';

/** The editor's rules panel: who may vote, the voting window and grace, quorum, threshold, secrecy and when results show. */
export function ProposalRulesPanel({ terms, canEdit, change, memberOptions }: TermsPanelProps & { readonly memberOptions: readonly { value: string; label: string }[] }) {
  const { t } = useTranslation();
  return (
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
        <Select label={t('governance.field.secrecy')} data={(['open', 'secret'] as const).map((value) => ({ value, label: t(`governance.secrecy.${value}`) }))} value={terms.secrecy} onChange={(value) => value && change({ secrecy: value as ProposalTerms['secrecy'] })} readOnly={!canEdit} allowDeselect={false} data-testid="proposal-secrecy" />
        <Select label={t('governance.field.resultsVisibility')} data={(['live', 'after-close'] as const).map((value) => ({ value, label: t(`governance.visibility.${value}`) }))} value={terms.resultsVisibility} onChange={(value) => value && change({ resultsVisibility: value as ProposalTerms['resultsVisibility'] })} readOnly={!canEdit} allowDeselect={false} data-testid="proposal-visibility" />
      </Stack>
    </Paper>
  );
}
