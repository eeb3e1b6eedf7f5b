// Secrets in the desktop shell (electron/main/secretStore.ts, passphraseCipher.ts) with real
// node:crypto and real files in a temp folder: through the OS keychain when safeStorage has one
// (a fake that XORs stands in for it), and with a passphrase where Linux offers only basic_text.
import * as fs from 'node:fs/promises';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openWithPassphrase, sealWithPassphrase, type ScryptCost } from '../../electron/main/passphraseCipher';
import type { FileSystemPort, SafeStoragePort } from '../../electron/main/ports';
import { createSecretStore, type SecretStore } from '../../electron/main/secretStore';

// The lowest cost the cipher accepts keeps these tests fast; one test runs the default cost.
const FAST_SCRYPT: ScryptCost = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };

const TOKEN = 'fw1.device-token.秘密-5f3c9a';

interface FakeSafeStorage extends SafeStoragePort {
  backend: string | undefined;
  isAvailable: boolean;
  shouldReEncrypt: boolean;
  encryptCalls: number;
}

/** A stand-in for the OS keychain: XOR with a key byte, tagged so that foreign bytes fail. */
function fakeSafeStorage(backend: string | undefined = 'gnome_libsecret'): FakeSafeStorage {
  const KEY = 0x5a;
  const fake: FakeSafeStorage = {
    backend,
    isAvailable: true,
    shouldReEncrypt: false,
    encryptCalls: 0,
    isEncryptionAvailable: async () => fake.isAvailable,
    selectedBackend: () => fake.backend,
    encrypt: async (plainText) => {
      fake.encryptCalls += 1;
      return Uint8Array.from(Buffer.from(`v10${plainText}`, 'utf8'), (byte) => byte ^ KEY);
    },
    decrypt: async (encrypted) => {
      const text = Buffer.from(Uint8Array.from(encrypted, (byte) => byte ^ KEY)).toString('utf8');
      if (!text.startsWith('v10')) throw new Error('not encrypted by this keychain');
      return { plainText: text.slice(3), shouldReEncrypt: fake.shouldReEncrypt };
    },
  };
  return fake;
}

describe('passphrase cipher', () => {
  it('round-trips with the default scrypt cost and fails clearly on a wrong passphrase', async () => {
    const sealed = await sealWithPassphrase(TOKEN, 'correct horse battery', 'fieldwise-secret-v1:device-token');
    expect(sealed.cost).toBe(2 ** 15);
    expect(await openWithPassphrase(sealed, 'correct horse battery', 'fieldwise-secret-v1:device-token')).toBe(TOKEN);
    await expect(openWithPassphrase(sealed, 'correct horse batterY', 'fieldwise-secret-v1:device-token')).rejects.toThrow(
      /^wrong-passphrase: /,
    );
  });

  it('uses a fresh salt and IV each time, so equal secrets do not look equal', async () => {
    const first = await sealWithPassphrase(TOKEN, 'passphrase-1', 'ad', FAST_SCRYPT);
    const second = await sealWithPassphrase(TOKEN, 'passphrase-1', 'ad', FAST_SCRYPT);
    expect(first.salt).not.toBe(second.salt);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
  });

  it('detects a changed byte, a sealed value moved to another name, and a tampered cost', async () => {
    const sealed = await sealWithPassphrase(TOKEN, 'passphrase-1', 'fieldwise-secret-v1:a', FAST_SCRYPT);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await expect(openWithPassphrase({ ...sealed, ciphertext: bytes.toString('base64') }, 'passphrase-1', 'fieldwise-secret-v1:a')).rejects.toThrow(
      /wrong-passphrase/,
    );
    await expect(openWithPassphrase(sealed, 'passphrase-1', 'fieldwise-secret-v1:b')).rejects.toThrow(/wrong-passphrase/);
    await expect(openWithPassphrase({ ...sealed, cost: 2 ** 30 }, 'passphrase-1', 'fieldwise-secret-v1:a')).rejects.toThrow(
      /secrets-file-damaged/,
    );
  });

  it('treats the same passphrase typed in another Unicode form as the same', async () => {
    const composed = 'café-密码-pass';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const sealed = await sealWithPassphrase(TOKEN, composed, 'ad', FAST_SCRYPT);
    expect(await openWithPassphrase(sealed, decomposed, 'ad')).toBe(TOKEN);
  });

  it('refuses a passphrase shorter than 8 characters', async () => {
    await expect(sealWithPassphrase(TOKEN, 'short', 'ad', FAST_SCRYPT)).rejects.toThrow(/^passphrase-too-short: /);
  });
});

describe('secret store', () => {
  let dir: string;
  let filePath: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fieldwise-secrets-'));
    filePath = join(dir, 'userData', 'secrets.json');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function store(safeStorage: SafeStoragePort, fileSystem: FileSystemPort = fs): SecretStore {
    return createSecretStore({ safeStorage, fs: fileSystem, filePath, scryptCost: FAST_SCRYPT });
  }

  describe('with an OS keychain', () => {
    it('reports os-keychain and round-trips through safeStorage', async () => {
      const secrets = store(fakeSafeStorage());
      expect(await secrets.protection()).toBe('os-keychain');
      await secrets.set('device-token', TOKEN);
      expect(await secrets.get('device-token')).toBe(TOKEN);
      expect(await secrets.get('missing')).toBeNull();
    });

    it('also on macOS and Windows, where there is no Linux backend to ask', async () => {
      const secrets = store(fakeSafeStorage(undefined));
      expect(await secrets.protection()).toBe('os-keychain');
      await secrets.set('device-token', TOKEN);
      expect(await secrets.get('device-token')).toBe(TOKEN);
    });

    it('keeps no plaintext in the file, which only its owner may read', async () => {
      await store(fakeSafeStorage()).set('device-token', TOKEN);
      const text = await readFile(filePath, 'utf8');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('device-token.秘密');
      expect(JSON.parse(text).secrets['device-token'].protection).toBe('os-keychain');
      if (process.platform !== 'win32') expect((await fs.stat(filePath)).mode & 0o777).toBe(0o600);
    });

    it('deletes a secret and leaves the others', async () => {
      const secrets = store(fakeSafeStorage());
      await secrets.set('device-token', TOKEN);
      await secrets.set('other', 'value');
      await secrets.delete('device-token');
      await secrets.delete('never-stored');
      expect(await secrets.get('device-token')).toBeNull();
      expect(await secrets.get('other')).toBe('value');
    });

    it('re-encrypts when the keychain rotated its key', async () => {
      const safeStorage = fakeSafeStorage();
      const secrets = store(safeStorage);
      await secrets.set('device-token', TOKEN);
      safeStorage.shouldReEncrypt = true;
      expect(await secrets.get('device-token')).toBe(TOKEN);
      expect(safeStorage.encryptCalls).toBe(2);
    });

    it('says so when the keychain that protected a secret is gone', async () => {
      const safeStorage = fakeSafeStorage();
      await store(safeStorage).set('device-token', TOKEN);
      safeStorage.isAvailable = false;
      await expect(store(safeStorage).get('device-token')).rejects.toThrow(/^keychain-unavailable: /);
    });

    it('does not lose a secret when several are written at once', async () => {
      const secrets = store(fakeSafeStorage());
      await Promise.all(Array.from({ length: 8 }, (_, index) => secrets.set(`key-${index}`, `value-${index}`)));
      for (let index = 0; index < 8; index += 1) expect(await secrets.get(`key-${index}`)).toBe(`value-${index}`);
      expect((await fs.readdir(join(dir, 'userData'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    });

    it('keeps the old file when a write fails half-way', async () => {
      const secrets = store(fakeSafeStorage());
      await secrets.set('device-token', TOKEN);
      const failingRename: FileSystemPort = { ...fs, rename: async () => Promise.reject(new Error('disk full')) };
      await expect(store(fakeSafeStorage(), failingRename).set('other', 'value')).rejects.toThrow('disk full');
      expect(await secrets.get('device-token')).toBe(TOKEN);
      expect(await secrets.get('other')).toBeNull();
      expect((await fs.readdir(join(dir, 'userData'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    });
  });

  describe("on Linux with only basic_text (no keyring)", () => {
    it('reports passphrase-required instead of pretending the keychain protects it', async () => {
      const safeStorage = fakeSafeStorage('basic_text');
      expect(await store(safeStorage).protection()).toBe('passphrase-required');
      await store(safeStorage).set('device-token', TOKEN, 'a long passphrase');
      expect(safeStorage.encryptCalls).toBe(0);
    });

    it('round-trips with the passphrase, and the file on disk holds no plaintext', async () => {
      const secrets = store(fakeSafeStorage('basic_text'));
      await secrets.set('device-token', TOKEN, 'a long passphrase');
      expect(await secrets.get('device-token', 'a long passphrase')).toBe(TOKEN);
      const text = await readFile(filePath, 'utf8');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('a long passphrase');
      expect(JSON.parse(text).secrets['device-token']).toMatchObject({ protection: 'passphrase', kdf: 'scrypt' });
    });

    it('fails clearly on a wrong or missing passphrase', async () => {
      const secrets = store(fakeSafeStorage('basic_text'));
      await secrets.set('device-token', TOKEN, 'a long passphrase');
      await expect(secrets.get('device-token', 'another passphrase')).rejects.toThrow(/^wrong-passphrase: /);
      await expect(secrets.get('device-token')).rejects.toThrow(/^passphrase-required: /);
      await expect(secrets.set('other', 'value')).rejects.toThrow(/^passphrase-required: /);
      await expect(secrets.set('other', 'value', 'short')).rejects.toThrow(/^passphrase-too-short: /);
    });

    it('also when the keychain is simply unavailable', async () => {
      const safeStorage = fakeSafeStorage('gnome_libsecret');
      safeStorage.isAvailable = false;
      expect(await store(safeStorage).protection()).toBe('passphrase-required');
    });

    it('refuses a secret moved to another name in the file', async () => {
      const secrets = store(fakeSafeStorage('basic_text'));
      await secrets.set('device-token', TOKEN, 'a long passphrase');
      const file = JSON.parse(await readFile(filePath, 'utf8'));
      file.secrets['backup-token'] = file.secrets['device-token'];
      await fs.writeFile(filePath, JSON.stringify(file));
      await expect(secrets.get('backup-token', 'a long passphrase')).rejects.toThrow(/wrong-passphrase/);
    });
  });

  it('reports a damaged file instead of overwriting it', async () => {
    await fs.mkdir(join(dir, 'userData'));
    await fs.writeFile(filePath, '{"version": 1, "secrets": {"x": {"protection": "plaintext", "value": "hi"}}}');
    const secrets = store(fakeSafeStorage());
    await expect(secrets.get('x')).rejects.toThrow(/^secrets-file-damaged: /);
    await expect(secrets.set('y', 'value')).rejects.toThrow(/^secrets-file-damaged: /);
    await fs.writeFile(filePath, 'not json');
    await expect(secrets.get('x')).rejects.toThrow(/^secrets-file-damaged: /);
    expect(await readFile(filePath, 'utf8')).toBe('not json');
  });
});
