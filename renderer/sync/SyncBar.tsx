import { Badge, Button, Group, PasswordInput, Text } from '@mantine/core';
import { useState } from 'react';
import { useDateTime } from '../i18n/dateTime';
import { useTranslation } from 'react-i18next';
import { hrefOf } from '../app/route';
import { useInbox } from '../inbox/inboxContext';
import { useSession, useSessionSync } from '../session/SessionContext';
import { usePopupComponents } from '../app/usePopupComponents';
import { MediaSyncControl } from './MediaSyncControl';
import { syncLabel, syncLabelText } from './syncStateLabel';
import { usePlatformOnline } from './usePlatformOnline';

const COLORS: Record<string, string> = {
  demo: 'grape',
  locked: 'yellow',
  'no-token': 'orange',
  offline: 'gray',
  connecting: 'blue',
  syncing: 'blue',
  synced: 'teal',
  unreachable: 'gray',
  error: 'red',
};

/** Always visible: where sync stands, how many changes are not yet sent, and "Sync now". */
export function SyncBar() {
  const { t } = useTranslation();
  const { session } = useSession();
  const sync = useSessionSync(session);
  const isOnline = usePlatformOnline();
  const [isUnlocking, setUnlocking] = useState(false);
  const dateTime = useDateTime();
  // The same style as the Sync screen and its log, so all three show the same next try.
  const label = syncLabel(sync, (at) => dateTime.format(at, 'time'), { isOnline });
  const text = syncLabelText(t, label);
  const [isSyncing, setSyncing] = useState(false);
  const reminders = useInbox().inbox?.closingSoon.length ?? 0;

  const syncNow = async () => {
    const engine = session.syncEngine;
    if (!engine) return;
    setSyncing(true);
    try {
      await engine.syncNow();
    } finally {
      setSyncing(false);
    }
  };

  return (
    <div className="fw-syncbar" data-testid="sync-bar" role="status" aria-label={t('sync.barLabel')}>
      <Group gap="sm" wrap="nowrap" className="fw-syncbar-state">
        <span className={`fw-dot fw-dot-${label.state}`} aria-hidden="true" />
        {/* Two lines at most, whole in the tooltip: a revoked device's reason and what to do was cut at one line. */}
        <Text size="sm" data-testid="sync-state" data-state={label.state} data-next-retry-at={label.nextRetryAt ?? ''} c={label.state === 'error' ? 'red.8' : undefined} lineClamp={2} title={text}>
          {text}
        </Text>
      </Group>
      {/* Never squeezed by a long state: "Sync now" was cut to its first letters on a revoked device. */}
      <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
        <Badge variant="light" color={label.pendingCount > 0 ? COLORS[label.state] : 'gray'} className="fw-badge-whole" data-testid="pending-count" data-count={label.pendingCount}>
          {t('sync.pending', { count: label.pendingCount })}
        </Badge>
        {/* Media apart from text: its own progress, and the policy for this connection. */}
        <MediaSyncControl session={session} />
        {reminders > 0 && (
          <Badge component="a" href={hrefOf({ screen: 'inbox' })} variant="filled" color="red" data-testid="vote-reminder" data-count={reminders}>
            {t('inbox.reminder', { count: reminders })}
          </Badge>
        )}
        {label.refusedCount > 0 && (
          <Badge component="a" href={hrefOf({ screen: 'sync' })} variant="light" color="red" className="fw-badge-whole" data-testid="refused-count" data-count={label.refusedCount}>
            {t('sync.refused', { count: label.refusedCount })}
          </Badge>
        )}
        {label.state === 'locked' && (
          <Button size="xs" variant="light" onClick={() => setUnlocking(true)} data-testid="unlock-sync">
            {t('sync.unlock')}
          </Button>
        )}
        <Button size="xs" variant="default" onClick={() => void syncNow()} disabled={!label.isSyncNowPossible} loading={isSyncing} data-testid="sync-now">
          {t('sync.syncNow')}
        </Button>
      </Group>
      <UnlockDialog opened={isUnlocking} onClose={() => setUnlocking(false)} />
    </div>
  );
}

function UnlockDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const [passphrase, setPassphrase] = useState('');
  const [isWrong, setWrong] = useState(false);
  const submit = async () => {
    const isUnlocked = await session.unlock(passphrase);
    setWrong(!isUnlocked);
    if (isUnlocked) {
      setPassphrase('');
      onClose();
    }
  };
  // The dialog's code loads when it is first opened (usePopupComponents), not at start.
  const popups = usePopupComponents(opened);
  if (!popups) return null;
  return (
    <popups.Modal opened={opened} onClose={onClose} title={t('sync.unlockTitle')}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Text size="sm" mb="sm">
          {t('sync.unlockHelp')}
        </Text>
        <PasswordInput label={t('onboarding.passphrase')} value={passphrase} onChange={(event) => setPassphrase(event.currentTarget.value)} error={isWrong ? t('sync.unlockWrong') : undefined} data-autofocus />
        <Group justify="flex-end" mt="md">
          <Button type="submit">{t('sync.unlock')}</Button>
        </Group>
      </form>
    </popups.Modal>
  );
}
