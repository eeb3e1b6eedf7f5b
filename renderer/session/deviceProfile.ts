import { z } from 'zod';
import { roleSchema } from '../../shared/records/recordType';
import type { Identity } from '../../shared/client/client';

/*
 * Who this device is in which network: written once when it joins (or opens the demo), read at
 * every start. Not secret: the device token lives apart, behind the bridge's secret store.
 * What comes back from storage is validated like any other input from outside.
 */

export const deviceProfileSchema = z.object({
  kind: z.enum(['hub', 'demo']),
  identity: z.object({ orgId: z.string().min(1), deviceId: z.string().min(1), role: roleSchema }),
  orgName: z.string(),
  networkId: z.string(),
  /** The hub's origin, e.g. https://hub.example.org; '' for the demo. */
  hubUrl: z.string(),
  deviceName: z.string(),
  credentialId: z.string(),
  joinedAt: z.number(),
});
export type DeviceProfile = z.infer<typeof deviceProfileSchema>;

export const PROFILE_KEY = 'fieldwise.profile';
export const TOKEN_SECRET = 'hub-token';

type SettingsStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function readProfile(settings: SettingsStore): DeviceProfile | null {
  const raw = settings.getItem(PROFILE_KEY);
  if (raw === null) return null;
  try {
    const parsed = deviceProfileSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeProfile(settings: SettingsStore, profile: DeviceProfile): void {
  settings.setItem(PROFILE_KEY, JSON.stringify(profile));
}

export function clearProfile(settings: SettingsStore): void {
  settings.removeItem(PROFILE_KEY);
}

/** One local database per network, organization and device: signing in elsewhere never mixes data. */
export function databaseNameOf(profile: { readonly kind: string; readonly networkId: string; readonly identity: Identity }): string {
  const raw = `fieldwise-${profile.kind}-${profile.networkId}-${profile.identity.orgId}-${profile.identity.deviceId}`;
  return raw.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 120);
}

/**
 * A hub address as the person typed it, normalized to its origin (and path prefix), or null when
 * it is not an http(s) URL. Plain http is allowed: a workshop hub on a LAN often has no TLS.
 */
export function normalizeHubUrl(raw: string): string | null {
  const trimmed = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '' || url.username || url.password) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
