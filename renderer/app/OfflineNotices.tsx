import { Button, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Platform } from '../platform/platform';

/** Set once the person has been told that the browser may evict this site's data. */
export const STORAGE_NOTICE_KEY = 'fieldwise.storageNoticeShown';

const UPDATE_NOTICE_ID = 'fieldwise-app-update';

/**
 * The browser app's two notices about working offline, shown over whatever screen is open:
 * - a new version is installed and waits: offered with a Reload button, kept until pressed or
 *   closed, never applied by itself (a reload in the middle of typing would interrupt the work);
 * - the browser refused to keep this site's storage: said once per device (Settings keeps saying
 *   it), since the browser may then delete what the device holds.
 * The desktop app has neither (its OfflineApp never reports an update or a refusal).
 */
export function OfflineNotices({ platform }: { platform: Platform }) {
  const { t } = useTranslation();
  const translate = useRef(t);
  translate.current = t;

  useEffect(() => {
    platform.offline.start();
    const subscription = platform.offline.isUpdateReady$.subscribe((isReady) => {
      if (!isReady) return;
      notifications.show({
        id: UPDATE_NOTICE_ID,
        color: 'teal',
        autoClose: false,
        title: translate.current('offline.updateTitle'),
        message: (
          <Stack gap="xs" align="flex-start" data-testid="app-update">
            <Text size="sm">{translate.current('offline.updateHelp')}</Text>
            <Button size="xs" onClick={() => platform.offline.applyUpdate()} data-testid="app-update-reload">
              {translate.current('offline.reload')}
            </Button>
          </Stack>
        ),
      });
    });
    return () => subscription.unsubscribe();
  }, [platform]);

  useEffect(() => {
    let isCurrent = true;
    void platform.offline.storagePersistence().then((persistence) => {
      if (!isCurrent || (persistence !== 'refused' && persistence !== 'unsupported')) return;
      if (platform.settings.getItem(STORAGE_NOTICE_KEY)) return;
      platform.settings.setItem(STORAGE_NOTICE_KEY, '1');
      notifications.show({
        color: 'yellow',
        autoClose: false,
        title: translate.current('offline.storageRefusedTitle'),
        message: <span data-testid="storage-notice">{translate.current('offline.storageRefusedHelp')}</span>,
      });
    });
    return () => {
      isCurrent = false;
    };
  }, [platform]);

  return null;
}
