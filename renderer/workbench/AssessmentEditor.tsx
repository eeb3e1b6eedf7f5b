import { ActionIcon, Button, Group, NumberInput, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NETWORK_RECORD_ID, networkMutators, type NetworkAssessment, type NetworkProjection } from '../../shared/records/network';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';
import { stageLabel } from './reasonText';

interface DraftQuestion {
  id: string;
  text: string;
  weight: number;
  answers: { id: string; text: string; points: number }[];
}

const nextId = (prefix: string, taken: readonly { id: string }[]) => {
  let n = taken.length + 1;
  while (taken.some((x) => x.id === `${prefix}${n}`)) n++;
  return `${prefix}${n}`;
};

/** The secretariat writes the self-assessment: questions, answers with points, and stage thresholds. */
export function AssessmentEditor({ network }: { network: NetworkProjection }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const toDraft = (a: NetworkAssessment | null) => ({
    questions: (a?.questions ?? []).map((q) => ({ ...q, answers: q.answers.map((x) => ({ ...x })) })) as DraftQuestion[],
    thresholds: new Map((a?.thresholds ?? []).map((th) => [th.stage, th.minPoints])),
  });
  const [draft, setDraft] = useState(() => toDraft(network.assessment));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => setDraft(toDraft(network.assessment)), [network.assessment]);
  const setQuestion = (i: number, change: (q: DraftQuestion) => DraftQuestion) => setDraft((d) => ({ ...d, questions: d.questions.map((q, j) => (j === i ? change(q) : q)) }));
  const save = () => {
    const value: NetworkAssessment = {
      questions: draft.questions,
      thresholds: network.stages.flatMap((s) => (draft.thresholds.has(s.id) ? [{ stage: s.id, minPoints: draft.thresholds.get(s.id)! }] : [])),
    };
    session.client.mutate(NETWORK_RECORD_ID, networkMutators.setAssessment, value.questions.length === 0 ? null : value).then(
      () => setMessage({ ok: true, text: t('workbench.stages.saved') }),
      (error: unknown) => setMessage({ ok: false, text: refusalText(t, error) }),
    );
  };
  return (
    <Paper withBorder p="md" radius="md" data-testid="assessment-editor">
      <Stack gap="sm">
        <Title order={3} size="h6">
          {t('workbench.stages.assessment')}
        </Title>
        {draft.questions.map((q, i) => (
          <Paper key={q.id} withBorder p="xs" radius="sm" data-testid="question-editor">
            <Stack gap={4}>
              <Group gap="xs" align="flex-end">
                <TextInput size="xs" className="fw-wb-grow" label={t('workbench.stages.question')} value={q.text} onChange={(e) => { const text = e.currentTarget.value; setQuestion(i, (x) => ({ ...x, text })); }} data-testid="question-text" />
                <NumberInput size="xs" w={90} label={t('workbench.stages.weight')} value={q.weight} min={0} max={100} step={0.5} onChange={(v) => setQuestion(i, (x) => ({ ...x, weight: Number(v) || 0 }))} />
                <Button size="xs" variant="subtle" color="red" onClick={() => setDraft((d) => ({ ...d, questions: d.questions.filter((_, j) => j !== i) }))}>
                  {t('workbench.stages.remove')}
                </Button>
              </Group>
              {q.answers.map((a, k) => (
                <Group key={a.id} gap="xs" data-testid="answer-editor">
                  <TextInput size="xs" className="fw-wb-grow" aria-label={t('workbench.stages.answer')} placeholder={t('workbench.stages.answer')} value={a.text} onChange={(e) => { const text = e.currentTarget.value; setQuestion(i, (x) => ({ ...x, answers: x.answers.map((y, m) => (m === k ? { ...y, text } : y)) })); }} data-testid="answer-text" />
                  <NumberInput size="xs" w={90} aria-label={t('workbench.stages.points')} placeholder={t('workbench.stages.points')} value={a.points} onChange={(v) => setQuestion(i, (x) => ({ ...x, answers: x.answers.map((y, m) => (m === k ? { ...y, points: Number(v) || 0 } : y)) }))} data-testid="answer-points" />
                  <ActionIcon variant="subtle" color="red" aria-label={t('workbench.stages.remove')} onClick={() => setQuestion(i, (x) => ({ ...x, answers: x.answers.filter((_, m) => m !== k) }))}>
                    ×
                  </ActionIcon>
                </Group>
              ))}
              <Group>
                <Button size="compact-xs" variant="default" onClick={() => setQuestion(i, (x) => ({ ...x, answers: [...x.answers, { id: nextId('a', x.answers), text: '', points: 0 }] }))} data-testid="answer-add">
                  {t('workbench.stages.addAnswer')}
                </Button>
              </Group>
            </Stack>
          </Paper>
        ))}
        <Group>
          <Button size="xs" variant="default" onClick={() => setDraft((d) => ({ ...d, questions: [...d.questions, { id: nextId('q', d.questions), text: '', weight: 1, answers: [] }] }))} data-testid="question-add">
            {t('workbench.stages.addQuestion')}
          </Button>
        </Group>
        <Text size="sm" fw={600}>
          {t('workbench.stages.thresholds')}
        </Text>
        <Group gap="xs">
          {network.stages.map((s) => (
            <NumberInput
              key={s.id}
              size="xs"
              w={140}
              label={stageLabel(t, network, s.id)}
              value={draft.thresholds.get(s.id) ?? ''}
              onChange={(v) =>
                setDraft((d) => {
                  const thresholds = new Map(d.thresholds);
                  if (v === '') thresholds.delete(s.id);
                  else thresholds.set(s.id, Number(v));
                  return { ...d, thresholds };
                })
              }
              data-testid={`threshold-${s.id}`}
            />
          ))}
        </Group>
        <Group>
          <Button size="xs" onClick={save} data-testid="assessment-save">
            {t('workbench.stages.saveAssessment')}
          </Button>
          {message && (
            <Text size="xs" c={message.ok ? 'teal.8' : 'red.8'} data-testid="assessment-message">
              {message.text}
            </Text>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
