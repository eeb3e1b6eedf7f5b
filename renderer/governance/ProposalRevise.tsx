import { Alert, Button, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { proposalMutators, type ProposalProjection } from '../../shared/records/proposal';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';

/*
 * Revising an open proposal from its screen: its runners change the title or the options' wording
 * while the vote is open, with a note saying why. The hub keeps it as a new version (the history
 * entry names who changed what); ballots cast on the earlier version then ask to be confirmed.
 * Options keep their ids, so a ballot's choice still names the same option.
 */
export function ProposalRevise({ proposalId, proposal: p }: { proposalId: string; proposal: ProposalProjection }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const [isOpen, setOpen] = useState(false);
  const [title, setTitle] = useState(p.title);
  const [labels, setLabels] = useState<string[]>(p.options.map((o) => o.label));
  const [note, setNote] = useState('');
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = () => {
    setTitle(p.title);
    setLabels(p.options.map((o) => o.label));
    setNote('');
    setError(null);
    setOpen(true);
  };
  const options = p.options.map((o, index) => ({ id: o.id, label: (labels[index] ?? o.label).trim() }));
  const isChanged = title.trim() !== p.title || options.some((o, index) => o.label !== p.options[index]?.label);
  const isValid = title.trim() !== '' && options.every((o) => o.label !== '') && note.trim() !== '';
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await session.client.mutate(proposalId, proposalMutators.revise, { terms: { title: title.trim(), options }, note: note.trim() });
      setOpen(false);
    } catch (caught) {
      setError(refusalText(t, caught));
    } finally {
      setBusy(false);
    }
  };

  if (!isOpen) {
    return (
      <Button size="xs" variant="default" onClick={start} data-testid="proposal-revise">
        {t('governance.revise.start')}
      </Button>
    );
  }
  return (
    <Paper withBorder p="md" radius="md" data-testid="proposal-revise-form">
      <Stack gap="sm">
        <Title order={2} size="h5">
          {t('governance.revise.title', { version: p.version + 1 })}
        </Title>
        <Text size="sm" c="dimmed">
          {t('governance.revise.help')}
        </Text>
        <TextInput label={t('governance.trust.field.title')} value={title} onChange={(event) => setTitle(event.currentTarget.value)} required data-testid="proposal-revise-title" />
        {p.options.length > 0 && (
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('governance.trust.field.options')}
            </Text>
            {p.options.map((o, index) => (
              <TextInput
                key={o.id}
                aria-label={t('governance.revise.option', { number: index + 1 })}
                value={labels[index] ?? ''}
                onChange={(event) => {
                  const value = event.currentTarget.value;
                  setLabels((current) => current.map((label, at) => (at === index ? value : label)));
                }}
                data-testid="proposal-revise-option"
              />
            ))}
          </Stack>
        )}
        <Textarea label={t('governance.revise.note')} value={note} onChange={(event) => setNote(event.currentTarget.value)} autosize minRows={2} required data-testid="proposal-revise-note" />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setOpen(false)}>
            {t('governance.trust.back')}
          </Button>
          <Button onClick={() => void save()} loading={isBusy} disabled={!isChanged || !isValid} data-testid="proposal-revise-save">
            {t('governance.revise.save', { version: p.version + 1 })}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
