import type { RevokedDevice } from '../../shared/inbox/inboxInput';
import { readAdminCache } from '../admin/adminCache';

/**
 * The revoked devices in the secretariat's last fetched list of organizations (the console keeps
 * it on this device): the inbox's source for "devices revoked", offline too. Empty elsewhere.
 */
export function revokedDevicesOf(settings: Pick<Storage, 'getItem' | 'setItem'>, networkId: string): RevokedDevice[] {
  const orgs = readAdminCache(settings, networkId).orgs?.value ?? [];
  return orgs.flatMap((org) =>
    org.devices.flatMap((device) => (device.revokedAt === null ? [] : [{ credentialId: device.credentialId, orgId: org.id, deviceName: device.deviceName, revokedAt: device.revokedAt, reason: device.revokeReason }])),
  );
}
