import { ActionIcon, Alert, Badge, Button, Group, NumberInput, Paper, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PermissionError } from '../../shared/client/permissionError';
import { suggestStage } from '../../shared/matching/suggestStage';
import { networkMutators, type NetworkAssessment, type NetworkProjection } from '../../shared/records/network';
import { orgMutators } from '../../shared/records/org';
import { RecordInputError } from '../../shared/records/recordError';
import { isAllowed } from '../../shared/rules/rules';
import { useObservable } from '../app/useObservable';
import { useOrgNames } from '../library/useOrgNames';
import { useSession } from '../session/SessionContext';
import { formatDateTime, stageLabel } from './reasonText';
import { useNetwork } from './useWorkbenchData';

type Stage = NetworkProjection['stages'][number];

function useErrorText() {
  const { t } = useTranslation();
  return (error: unknown) =>
    error instanceof PermissionError ? t('editor.errors.notAllowed') : error instanceof RecordInputError ? t('editor.errors.invalid', { reason: error.message }) : String(error);
}

/** The secretariat names the network's stages, in order. */
function StageEditor({ networkId, stages }: { networkId: string; stages: readonly Stage[] }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const errorText = useErrorText();
  const [draft, setDraft] = useState<Stage[]>([...stages]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => setDraft([...stages]), [stages]);
  const save = () =>
    session.client.mutate(networkId, networkMutators.setDetails, { stages: draft }).then(
      () => setMessage({ ok: true, text: t('workbench.stages.saved') }),
      (error: unknown) => setMessage({ ok: false, text: errorText(error) }),
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
function AssessmentEditor({ networkId, network }: { networkId: string; network: NetworkProjection }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const errorText = useErrorText();
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
    session.client.mutate(networkId, networkMutators.setAssessment, value.questions.length === 0 ? null : value).then(
      () => setMessage({ ok: true, text: t('workbench.stages.saved') }),
      (error: unknown) => setMessage({ ok: false, text: errorText(error) }),
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

/** An organization answers the self-assessment for itself and sees the stage it suggests. */
function SelfAssessment({ network }: { network: NetworkProjection }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const errorText = useErrorText();
  const names = useOrgNames(client);
  const own = useObservable(() => client.observeRecord<'org'>(identity.orgId), [client, identity.orgId], null);
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const saved = own?.projection.selfAssessment ?? null;
  useEffect(() => {
    if (saved) setAnswers(saved.answers);
  }, [saved]);
  const assessment = network.assessment;
  const suggestion = useMemo(() => (assessment ? suggestStage(answers, assessment) : null), [answers, assessment]);
  if (!own) return null;
  const canEdit = isAllowed({ role: identity.role, type: 'org', ownership: 'own', action: 'edit' });
  const p = own.projection;
  const run = (work: Promise<void>, ok: string) => work.then(() => setMessage({ ok: true, text: ok }), (error: unknown) => setMessage({ ok: false, text: errorText(error) }));

  return (
    <Paper withBorder p="md" radius="md" data-testid="self-assessment">
      <Stack gap="sm">
        <Title order={3} size="h6">
          {t('workbench.stages.yourStage', { stage: stageLabel(t, network, p.stage) })}
        </Title>
        {!assessment ? (
          <Text size="sm" c="dimmed">
            {t('workbench.stages.noAssessment')}
          </Text>
        ) : (
          <>
            {assessment.questions.map((q) => (
              <Radio.Group key={q.id} label={q.text} value={answers[q.id] ?? null} onChange={(value) => setAnswers((a) => ({ ...a, [q.id]: value }))} data-testid="assessment-question" data-question-id={q.id}>
                <Group gap="md" mt={4}>
                  {q.answers.map((a) => (
                    <Radio key={a.id} value={a.id} label={a.text} disabled={!canEdit} data-testid={`answer-${q.id}-${a.id}`} />
                  ))}
                </Group>
              </Radio.Group>
            ))}
            <Group gap="xs" data-testid="stage-suggestion" data-stage={suggestion?.stage ?? ''} data-total={suggestion?.total ?? 0}>
              <Text size="sm">
                {suggestion?.stage
                  ? t('workbench.stages.suggested', { stage: stageLabel(t, network, suggestion.stage), total: suggestion.total })
                  : t('workbench.stages.noSuggestion', { total: suggestion?.total ?? 0 })}
              </Text>
              {suggestion && suggestion.unanswered.length > 0 && (
                <Badge size="xs" color="yellow" variant="light">
                  {t('workbench.stages.unanswered', { count: suggestion.unanswered.length })}
                </Badge>
              )}
            </Group>
            {canEdit && (
              <Group gap="xs">
                <Button size="xs" variant="default" onClick={() => void run(client.mutate(identity.orgId, orgMutators.setSelfAssessment, answers), t('workbench.stages.answersSaved'))} data-testid="assessment-answers-save">
                  {t('workbench.stages.saveAnswers')}
                </Button>
                {suggestion?.stage && suggestion.stage !== p.stage && (
                  <Button size="xs" onClick={() => void run(client.mutate(identity.orgId, orgMutators.setStage, suggestion.stage!), t('workbench.stages.stageAdopted'))} data-testid="stage-adopt">
                    {t('workbench.stages.adopt', { stage: stageLabel(t, network, suggestion.stage) })}
                  </Button>
                )}
              </Group>
            )}
            {message && (
              <Text size="xs" c={message.ok ? 'teal.8' : 'red.8'} data-testid="self-assessment-message">
                {message.text}
              </Text>
            )}
          </>
        )}
        {p.stageHistory.length > 0 && (
          <Stack gap={2} data-testid="stage-history">
            <Text size="xs" fw={600}>
              {t('orgs.stageHistory')}
            </Text>
            {p.stageHistory.map((step, i) => (
              <Text key={i} size="xs" c="dimmed">
                {formatDateTime(i18n.language, step.at)} · {stageLabel(t, network, step.stage)}
                {step.byOrg ? ` · ${names.get(step.byOrg) ?? step.byOrg}` : ''}
              </Text>
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}

export function StagesScreen() {
  const { t } = useTranslation();
  const { session } = useSession();
  const view = useNetwork(session.client);
  const { identity } = session.profile;
  if (!view) {
    return (
      <Alert color="gray" data-testid="stages-no-network">
        {t('workbench.noNetwork')}
      </Alert>
    );
  }
  const isSecretariat = identity.role === 'secretariat';
  return (
    <Stack gap="md" data-testid="stages-screen">
      <Title order={2} size="h4">
        {t('workbench.stages.title')}
      </Title>
      <Group gap={4}>
        {view.projection.stages.map((s, i) => (
          <Badge key={s.id} variant="light" data-testid="stage-badge">
            {i + 1}. {stageLabel(t, view.projection, s.id)}
          </Badge>
        ))}
      </Group>
      {!isSecretariat && <SelfAssessment network={view.projection} />}
      {isSecretariat && <StageEditor networkId={view.header.id} stages={view.projection.stages} />}
      {isSecretariat && <AssessmentEditor networkId={view.header.id} network={view.projection} />}
    </Stack>
  );
}
