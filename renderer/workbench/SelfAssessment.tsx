import { Badge, Button, Group, Paper, Radio, Stack, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { suggestStage } from '../../shared/matching/suggestStage';
import type { NetworkProjection } from '../../shared/records/network';
import { orgMutators } from '../../shared/records/org';
import { isAllowed } from '../../shared/rules/rules';
import { useObservable } from '../app/useObservable';
import { useOrgNames } from '../data/useOrgNames';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';
import { formatDateTime, stageLabel } from './reasonText';

/** An organization answers the self-assessment for itself and sees the stage it suggests. */
export function SelfAssessment({ network }: { network: NetworkProjection }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
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
  const run = (work: Promise<void>, ok: string) => work.then(() => setMessage({ ok: true, text: ok }), (error: unknown) => setMessage({ ok: false, text: refusalText(t, error) }));

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
