import { ActionIcon, Button, Checkbox, Group, NumberInput, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { decisionMethodNames, decisionMethods, methodFor, type DecisionMethodName } from '../../shared/governance/decisionMethods';
import { nextOptionId } from './nextOptionId';
import type { TermsPanelProps } from './proposalTerms';

const isMethodName = (value: string): value is DecisionMethodName => (decisionMethodNames as readonly string[]).includes(value);

/** The editor's method panel: the decision method, the terms that method reads, and the options. */
export function ProposalMethodPanel({ terms, canEdit, change }: TermsPanelProps) {
  const { t } = useTranslation();
  const method = methodFor(terms.method);
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Select
          label={t('governance.field.method')}
          description={t(method.labels.help)}
          data={decisionMethodNames.map((value) => ({ value, label: t(decisionMethods[value].labels.name) }))}
          value={terms.method}
          onChange={(value) => value && isMethodName(value) && change({ method: value })}
          readOnly={!canEdit}
          allowDeselect={false}
          data-testid="proposal-method"
        />
        {method.methodTerms.includes('maxChoices') && (
          <NumberInput label={t('governance.field.maxChoices')} min={1} max={50} value={terms.maxChoices} onChange={(value) => typeof value === 'number' && change({ maxChoices: value })} readOnly={!canEdit} data-testid="proposal-max-choices" />
        )}
        {method.methodTerms.includes('blocksCount') && (
          <Checkbox label={t('governance.field.blocksCount')} checked={terms.blocksCount} onChange={(event) => change({ blocksCount: event.currentTarget.checked })} disabled={!canEdit} data-testid="proposal-blocks-count" />
        )}
        {method.usesOptions && (
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
  );
}
