import { describe, expect, it } from 'vitest';
import { publicKeyOf } from '../../shared/sync/bundle';
import { createWebBridge } from '../../renderer/platform/webBridge';
import { DEVICE_KEY_SECRET, ensureDeviceKey, isDeviceKeyRegistered } from '../../renderer/session/deviceKey';

/* The device's bundle-signing key in the browser build's secret store (the web bridge over a real Map-backed storage). */

function memorySettings(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & { readonly items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

function bridgeOver(storage: ReturnType<typeof memorySettings>) {
  return createWebBridge({
    storage,
    document: {} as Document,
    open: () => null,
    createObjectUrl: () => '',
    revokeObjectUrl: () => undefined,
    userAgent: 'test',
    version: '0.0.0',
    notifications: null,
  });
}

describe('device signing key', () => {
  it('is created once, kept in the secret store, and the same at every later start', async () => {
    const storage = memorySettings();
    const bridge = bridgeOver(storage);
    const first = await ensureDeviceKey(bridge);
    expect(first).toHaveLength(32);
    expect(await bridge.getSecret(DEVICE_KEY_SECRET)).not.toBeNull();
    expect(await ensureDeviceKey(bridgeOver(storage))).toEqual(first);
  });

  it('replaces a stored value that is not a key', async () => {
    const storage = memorySettings();
    const bridge = bridgeOver(storage);
    await bridge.setSecret(DEVICE_KEY_SECRET, 'garbage');
    const key = await ensureDeviceKey(bridge);
    expect(key).toHaveLength(32);
    expect(await ensureDeviceKey(bridge)).toEqual(key);
  });

  it('counts as registered only for the credential and key the hub accepted', async () => {
    const settings = memorySettings();
    const key = (await ensureDeviceKey(bridgeOver(memorySettings())))!;
    expect(isDeviceKeyRegistered(settings, 'cred-1', key)).toBe(false);
    settings.setItem('fieldwise.deviceKeyRegistered.cred-1', Buffer.from(publicKeyOf(key)).toString('base64url'));
    expect(isDeviceKeyRegistered(settings, 'cred-1', key)).toBe(true);
    expect(isDeviceKeyRegistered(settings, 'cred-2', key)).toBe(false);
    const other = (await ensureDeviceKey(bridgeOver(memorySettings())))!;
    expect(isDeviceKeyRegistered(settings, 'cred-1', other)).toBe(false);
  });
});
