import { Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

// Placeholder while the screen is built on its branch (issue work in progress).
export function WorkbenchScreen({ path }: { path: readonly string[] }) {
  const { t } = useTranslation();
  return (
    <div data-testid="workbench-screen" data-path={path.join('/')}>
      <Title order={2}>{t('nav.workbench')}</Title>
    </div>
  );
}
