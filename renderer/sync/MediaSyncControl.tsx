import { Badge, Button, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BlobPolicy, BlobSyncStatus } from '../../shared/sync/blobSync';
import { blobPolicies } from '../../shared/sync/syncState';
import { usePopupComponents } from '../app/usePopupComponents';
import type { Session } from '../session/session';
import { mediaSyncLabel, mediaSyncText } from './mediaSyncLabel';

function useBlobSyncStatus(session: Session): BlobSyncStatus | null {
  const [status, setStatus] = useState<BlobSyncStatus | null>(session.blobSync?.status ?? null);
  useEffect(() => {
    setStatus(session.blobSync?.status ?? null);
    return session.onDidChangeBlobSync(setStatus);
  }, [session]);
  return status;
}

const POLICY_KEYS: Record<BlobPolicy, string> = { full: 'mediaSync.policy.full', previews: 'mediaSync.policy.previews', none: 'mediaSync.policy.none' };

/** The sync bar's media part: progress apart from text, and the policy for this connection. */
export function MediaSyncControl({ session }: { readonly session: Session }) {
  const { t } = useTranslation();
  const status = useBlobSyncStatus(session);
  const popups = usePopupComponents(status !== null);
  if (!status) return null;
  const label = mediaSyncLabel(status);
  const text = mediaSyncText(label);
  const choose = (policy: BlobPolicy) => void session.blobSync?.setPolicy(policy);
  return (
    <>
      {text && (
        <Badge variant="light" color={label.kind === 'progress' ? 'blue' : 'gray'} className="fw-badge-whole" data-testid="media-sync" data-kind={label.kind} data-state={status.state}>
          {t(text.key, text.values)}
        </Badge>
      )}
      {!popups ? (
        // The menu's code is on its way (usePopupComponents): the same button, not yet a menu.
        <Button size="xs" variant="subtle" aria-label={t('mediaSync.policyTitle')}>
          {t('mediaSync.policyButton')}
        </Button>
      ) : (
        <popups.Menu position="top-end" withinPortal>
          <popups.Menu.Target>
            <Button size="xs" variant="subtle" data-testid="media-policy" data-policy={status.policy} aria-label={t('mediaSync.policyTitle')}>
              {t('mediaSync.policyButton')}
            </Button>
          </popups.Menu.Target>
          <popups.Menu.Dropdown>
            <popups.Menu.Label>{t('mediaSync.policyTitle')}</popups.Menu.Label>
            {blobPolicies.map((policy) => (
              <popups.Menu.Item key={policy} onClick={() => choose(policy)} data-testid={`media-policy-${policy}`} aria-checked={status.policy === policy} role="menuitemradio">
                {status.policy === policy ? '✓ ' : ''}
                {t(POLICY_KEYS[policy])}
              </popups.Menu.Item>
            ))}
            <Text size="xs" c="dimmed" px="sm" py={4} maw={260}>
              {t('mediaSync.policyHelp')}
            </Text>
          </popups.Menu.Dropdown>
        </popups.Menu>
      )}
    </>
  );
}
