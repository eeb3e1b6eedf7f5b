import { Alert, Badge, Group, Stack, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNetwork } from '../data/useNetwork';
import { useSession } from '../session/SessionContext';
import { AssessmentEditor } from './AssessmentEditor';
import { stageLabel } from './reasonText';
import { SelfAssessment } from './SelfAssessment';
import { StageEditor } from './StageEditor';

/** The network's stages of development: the secretariat names them and writes the self-assessment; a member assesses itself. */
export function StagesScreen() {
  const { t } = useTranslation();
  const { session } = useSession();
  const network = useNetwork(session.client);
  const { identity } = session.profile;
  if (!network) {
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
        {network.stages.map((s, i) => (
          <Badge key={s.id} variant="light" data-testid="stage-badge">
            {i + 1}. {stageLabel(t, network, s.id)}
          </Badge>
        ))}
      </Group>
      {!isSecretariat && <SelfAssessment network={network} />}
      {isSecretariat && <StageEditor stages={network.stages} />}
      {isSecretariat && <AssessmentEditor network={network} />}
    </Stack>
  );
}
