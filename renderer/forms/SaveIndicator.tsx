import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SaveTracker } from './saveTracker';
import { useSaveState } from './useSaveTracking';

/** "Saved on this device" / "Saving…" / "Not saved" (the failure's reason in its title). */
export function SaveIndicator({ tracker }: { tracker: SaveTracker }) {
  const { t } = useTranslation();
  const state = useSaveState(tracker);
  return (
    <Text size="xs" c={state.state === 'failed' ? 'red.8' : 'dimmed'} data-testid="save-state" data-state={state.state} role="status" aria-live="polite" title={state.state === 'failed' ? state.message : undefined}>
      {t(`editor.save.${state.state}`)}
    </Text>
  );
}
