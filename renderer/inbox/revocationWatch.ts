import type { Revocations } from '../../shared/inbox/inboxInput';
import type { StoredInboxState } from '../../shared/inbox/inboxState';
import { adminClient, type AdminOrg, type AdminPort } from '../admin/adminApi';
import type { SessionSync } from '../session/session';

/** The revoked organizations and devices in the hub's list of organizations. */
export function revocationsOf(orgs: readonly AdminOrg[], fetchedAt: number): Revocations {
  return {
    fetchedAt,
    orgs: orgs.flatMap((org) => (org.revokedAt === null ? [] : [{ orgId: org.id, name: org.name, revokedAt: org.revokedAt, reason: org.revokeReason }])),
    devices: orgs.flatMap((org) =>
      org.devices.flatMap((device) => (device.revokedAt === null ? [] : [{ credentialId: device.credentialId, orgId: org.id, deviceName: device.deviceName, revokedAt: device.revokedAt, reason: device.revokeReason }])),
    ),
  };
}

/** What the watch needs of a secretariat's session: its hub, and the sync engine's word. */
export interface RevocationSession extends AdminPort {
  readonly syncState: SessionSync;
  onDidChangeSync(listener: (sync: SessionSync) => void): () => void;
}

/**
 * For the secretariat's device: after every successful sync, asks the hub's administration for its
 * list of organizations and keeps the revocations in the inbox state, whose change recomputes the
 * inbox. Revocations are not records (a revoked device cannot be told through sync, and members may
 * not read them), so sync alone never brings them; the administration endpoints are the
 * secretariat's only, so no other device asks. One request at a time: syncs that end while one is
 * out are answered by one more when it is back. A failed request keeps the last list.
 */
export function watchRevocations(session: RevocationSession, state: Pick<StoredInboxState, 'setRevocations'>, now: () => number): () => void {
  const admin = adminClient(session);
  let lastSyncedAt: number | null = null;
  let isRunning = false;
  let isWanted = false;
  let isLive = true;
  const fetchOnce = async () => {
    if (isRunning) {
      isWanted = true;
      return;
    }
    isRunning = true;
    try {
      do {
        isWanted = false;
        const result = await admin.listOrgs();
        if (!isLive) return;
        if (result.ok) await state.setRevocations(revocationsOf(result.value.orgs, now()));
      } while (isWanted && isLive);
    } catch {
      // The store is closing (signing out): nothing to keep.
    } finally {
      isRunning = false;
    }
  };
  const onSync = (sync: SessionSync) => {
    if (sync.kind !== 'engine' || sync.status.state !== 'synced' || sync.status.lastSyncedAt === lastSyncedAt) return;
    lastSyncedAt = sync.status.lastSyncedAt;
    void fetchOnce();
  };
  const unsubscribe = session.onDidChangeSync(onSync);
  onSync(session.syncState);
  return () => {
    isLive = false;
    unsubscribe();
  };
}
