import { Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

// Placeholder while the screen is built on its branch (issue work in progress).
export function GovernanceScreen({ path }: { path: readonly string[] }) {
  const { t } = useTranslation();
  return (
    <div data-testid="governance-screen" data-path={path.join('/')}>
      <Title order={2}>{t('nav.governance')}</Title>
    </div>
  );
}
