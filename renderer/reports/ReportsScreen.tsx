import { Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

// Placeholder while the screen is built on its branch (issue work in progress).
export function ReportsScreen() {
  const { t } = useTranslation();
  return (
    <div data-testid="reports-screen">
      <Title order={2}>{t('nav.reports')}</Title>
    </div>
  );
}
