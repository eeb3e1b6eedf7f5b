import { fromBase64UrlEncoded, toBase64UrlEncoded } from 'lib0/buffer';
import type { DesktopBridge } from '../../shared/bridge/desktopBridge';
import { newSigningKey, publicKeyOf } from '../../shared/sync/bundle';
import type { FetchPort } from '../../shared/sync/httpTransport';

/*
 * The device's Ed25519 key, which signs the sync bundles it writes (docs/SECURITY.md, Bundles).
 * The secret half is kept like the device token, behind the bridge's secret store (the OS keychain
 * on the desktop, or the passphrase), and never leaves the device; the public half is registered
 * with the hub once. A bundle carries a signature, never the token: a lost USB stick lets nobody
 * act as this device.
 */

export const DEVICE_KEY_SECRET = 'device-signing-key';
const REGISTERED_PREFIX = 'fieldwise.deviceKeyRegistered.';

type SettingsStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The device's secret key, created (and stored) on first use. Null when the store cannot be read. */
export async function ensureDeviceKey(bridge: DesktopBridge, passphrase?: string): Promise<Uint8Array | null> {
  let stored: string | null;
  try {
    stored = await bridge.getSecret(DEVICE_KEY_SECRET, passphrase);
  } catch {
    return null;
  }
  if (stored !== null) {
    const bytes = fromBase64UrlEncoded(stored);
    if (bytes.length === 32) return bytes;
  }
  const { secretKey } = newSigningKey();
  await bridge.setSecret(DEVICE_KEY_SECRET, toBase64UrlEncoded(secretKey), passphrase);
  return secretKey;
}

/** Whether the hub is known to hold this key for this credential (remembered after it said so). */
export function isDeviceKeyRegistered(settings: SettingsStore, credentialId: string, secretKey: Uint8Array): boolean {
  return settings.getItem(REGISTERED_PREFIX + credentialId) === toBase64UrlEncoded(publicKeyOf(secretKey));
}

export type KeyRegistration = 'registered' | 'conflict' | 'failed';

/**
 * Registers the public key with the hub (POST /v1/device-key). Idempotent at the hub; remembered
 * here once it succeeded so it is not asked again.
 */
export async function registerDeviceKey(
  fetchPort: FetchPort,
  settings: SettingsStore,
  options: { hubUrl: string; token: string; credentialId: string; secretKey: Uint8Array },
): Promise<KeyRegistration> {
  if (isDeviceKeyRegistered(settings, options.credentialId, options.secretKey)) return 'registered';
  const publicKey = toBase64UrlEncoded(publicKeyOf(options.secretKey));
  try {
    const response = await fetchPort(`${options.hubUrl}/v1/device-key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ publicKey }),
    });
    await response.text().catch(() => '');
    if (response.status === 200) {
      settings.setItem(REGISTERED_PREFIX + options.credentialId, publicKey);
      return 'registered';
    }
    return response.status === 409 ? 'conflict' : 'failed';
  } catch {
    return 'failed';
  }
}

export function forgetDeviceKeyRegistration(settings: SettingsStore, credentialId: string): void {
  settings.removeItem(REGISTERED_PREFIX + credentialId);
}
