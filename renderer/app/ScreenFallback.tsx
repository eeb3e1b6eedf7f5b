import { Center, Loader } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Past this, a screen still loading shows a spinner; before it, nothing, so a quick load does not flash one. */
const SPINNER_DELAY_MS = 300;

/** The Suspense fallback while a screen's chunk loads: empty at first, a spinner if it takes a while. */
export function ScreenFallback() {
  const { t } = useTranslation();
  const [isSlow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), SPINNER_DELAY_MS);
    return () => clearTimeout(timer);
  }, []);
  if (!isSlow) return null;
  return (
    <Center p="xl">
      <Loader aria-label={t('app.loading')} />
    </Center>
  );
}
