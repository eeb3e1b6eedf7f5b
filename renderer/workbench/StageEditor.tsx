import { ActionIcon, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NETWORK_RECORD_ID, networkMutators, type NetworkProjection } from '../../shared/records/network';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';

type Stage = NetworkProjection['stages'][number];

/** The secretariat names the network's stages, in order. */
export function StageEditor({ stages }: { stages: readonly Stage[] }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const [draft, setDraft] = useState<Stage[]>([...stages]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => setDraft([...stages]), [stages]);
  const save = () =>
    session.client.mutate(NETWORK_RECORD_ID, networkMutators.setDetails, { stages: draft }).then(
      () => setMessage({ ok: true, text: t('workbench.stages.saved') }),
      (error: unknown) => setMessage({ ok: false, text: refusalText(t, error) }),
    );
  return (
    <Paper withBorder p="md" radius="md" data-testid="stage-editor">
      <Stack gap="xs">
        <Title order={3} size="h6">
          {t('workbench.stages.networkStages')}
        </Title>
        {draft.map((stage, i) => (
          <Group key={i} gap="xs" data-testid="stage-row">
            <TextInput size="xs" aria-label={t('workbench.stages.id')} placeholder={t('workbench.stages.id')} value={stage.id} onChange={(e) => setDraft(draft.map((s, j) => (j === i ? { ...s, id: e.currentTarget.value } : s)))} />
            <TextInput size="xs" aria-label={t('workbench.stages.label')} placeholder={t('workbench.stages.label')} value={stage.label} onChange={(e) => setDraft(draft.map((s, j) => (j === i ? { ...s, label: e.currentTarget.value } : s)))} />
            <ActionIcon variant="subtle" color="red" aria-label={t('workbench.stages.remove')} onClick={() => setDraft(draft.filter((_, j) => j !== i))}>
              ×
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button size="xs" variant="default" onClick={() => setDraft([...draft, { id: '', label: '' }])}>
            {t('workbench.stages.add')}
          </Button>
          <Button size="xs" onClick={() => void save()} data-testid="stages-save">
            {t('workbench.stages.save')}
          </Button>
        </Group>
        {message && <Text size="xs" c={message.ok ? 'teal.8' : 'red.8'}>{message.text}</Text>}
      </Stack>
    </Paper>
  );
}
