import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNetwork } from '../data/useNetwork';
import { useSession } from '../session/SessionContext';
import { stewardScopeNames } from './adminApi';

/*
 * A steward's screens say what it may run: the grant the secretariat wrote into the network
 * record (synced to every device). The hub enforces the same grant; this only says it in advance,
 * so a steward is not left to find out by refusal.
 */
export function StewardScopes() {
  const { t } = useTranslation();
  const { session } = useSession();
  const network = useNetwork(session.client);
  const { identity } = session.profile;
  if (identity.role !== 'steward') return null;
  const granted: readonly string[] = network?.stewardGrants.find((grant) => grant.orgId === identity.orgId)?.scopes ?? [];
  return (
    <Paper withBorder p="sm" radius="md" mb="sm" data-testid="steward-scopes">
      <Stack gap={6}>
        <Title order={2} size="h6">
          {t('admin.steward.title')}
        </Title>
        <Text size="xs" c="dimmed">
          {granted.length === 0 ? t('admin.steward.none') : t('admin.steward.help')}
        </Text>
        <Group gap="xs">
          {stewardScopeNames.map((scope) => {
            const isGranted = granted.includes(scope);
            return (
              <Badge key={scope} color={isGranted ? 'green' : 'gray'} variant={isGranted ? 'light' : 'outline'} data-testid={`steward-scope-${scope}`} data-granted={isGranted ? 'true' : 'false'} title={t(`admin.scope.${scope}.does`)}>
                {t(`admin.scope.${scope}.name`)} · {isGranted ? t('admin.steward.granted') : t('admin.steward.notGranted')}
              </Badge>
            );
          })}
        </Group>
      </Stack>
    </Paper>
  );
}
