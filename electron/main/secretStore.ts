/*
 * Secrets (the device token) in one file under userData, each encrypted: by the OS keychain through
 * safeStorage where there is one, or with a passphrase where Linux offers only 'basic_text'. The
 * file never holds a plaintext secret. Writes go to a temp file and are renamed over the old one,
 * so a crash leaves either the old file or the new one; operations run one at a time, so two
 * concurrent writes cannot lose each other's secret.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';

import { z } from 'zod';

import type { SecretProtection } from '../../shared/bridge/desktopBridge';
import { BridgeError } from './bridgeError';
import { openWithPassphrase, sealWithPassphrase, type ScryptCost } from './passphraseCipher';
import type { FileSystemPort, SafeStoragePort } from './ports';

export interface SecretStore {
  protection(): Promise<SecretProtection>;
  set(key: string, value: string, passphrase?: string): Promise<void>;
  get(key: string, passphrase?: string): Promise<string | null>;
  delete(key: string): Promise<void>;
}

export interface SecretStoreOptions {
  readonly safeStorage: SafeStoragePort;
  readonly fs: FileSystemPort;
  readonly filePath: string;
  /** Tests may lower it; the app keeps the default. */
  readonly scryptCost?: ScryptCost;
}

const keychainEntrySchema = z.strictObject({
  protection: z.literal('os-keychain'),
  ciphertext: z.base64(),
});

const passphraseEntrySchema = z.strictObject({
  protection: z.literal('passphrase'),
  kdf: z.literal('scrypt'),
  cost: z.number().int(),
  blockSize: z.number().int(),
  parallelization: z.number().int(),
  salt: z.base64(),
  iv: z.base64(),
  tag: z.base64(),
  ciphertext: z.base64(),
});

const secretsFileSchema = z.strictObject({
  version: z.literal(1),
  secrets: z.record(z.string(), z.discriminatedUnion('protection', [keychainEntrySchema, passphraseEntrySchema])),
});

type SecretsFile = z.infer<typeof secretsFileSchema>;
type SecretEntry = SecretsFile['secrets'][string];

export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const { safeStorage, fs, filePath } = options;
  let tail: Promise<unknown> = Promise.resolve();

  function serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = tail.then(operation, operation);
    tail = result.catch(() => undefined);
    return result;
  }

  async function protection(): Promise<SecretProtection> {
    // basic_text encrypts with a key hard-coded in Chromium: report it as what it is.
    if (safeStorage.selectedBackend() === 'basic_text') return 'passphrase-required';
    return (await safeStorage.isEncryptionAvailable()) ? 'os-keychain' : 'passphrase-required';
  }

  async function readFile(): Promise<SecretsFile> {
    let text: string;
    try {
      text = await fs.readFile(filePath, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return { version: 1, secrets: {} };
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BridgeError('secrets-file-damaged', `The secrets file ${filePath} is not valid JSON.`);
    }
    const result = secretsFileSchema.safeParse(parsed);
    if (!result.success) {
      throw new BridgeError('secrets-file-damaged', `The secrets file ${filePath} has an unknown layout.`);
    }
    return result.data;
  }

  async function writeFile(file: SecretsFile): Promise<void> {
    await fs.mkdir(dirname(filePath), { recursive: true });
    const tempPath = `${filePath}.${randomUUID()}.tmp`;
    try {
      await fs.writeFile(tempPath, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flush: true });
      await fs.rename(tempPath, filePath);
    } catch (error) {
      await fs.rm(tempPath, { force: true });
      throw error;
    }
  }

  async function seal(key: string, value: string, passphrase: string | undefined): Promise<SecretEntry> {
    if ((await protection()) === 'os-keychain') {
      const encrypted = await safeStorage.encrypt(value);
      return { protection: 'os-keychain', ciphertext: Buffer.from(encrypted).toString('base64') };
    }
    if (passphrase === undefined) {
      throw new BridgeError('passphrase-required', 'This device has no OS keychain: a passphrase is needed to store secrets.');
    }
    return { protection: 'passphrase', ...(await sealWithPassphrase(value, passphrase, associatedData(key), options.scryptCost)) };
  }

  return {
    protection,

    set: (key, value, passphrase) =>
      serialized(async () => {
        const file = await readFile();
        const entry = await seal(key, value, passphrase);
        await writeFile({ ...file, secrets: { ...file.secrets, [key]: entry } });
      }),

    get: (key, passphrase) =>
      serialized(async () => {
        const file = await readFile();
        const entry = Object.hasOwn(file.secrets, key) ? file.secrets[key] : undefined;
        if (entry === undefined) return null;
        if (entry.protection === 'passphrase') {
          if (passphrase === undefined) {
            throw new BridgeError('passphrase-required', 'This secret is protected by a passphrase: ask for it.');
          }
          return openWithPassphrase(entry, passphrase, associatedData(key));
        }
        if (!(await safeStorage.isEncryptionAvailable())) {
          throw new BridgeError('keychain-unavailable', 'The OS keychain that protects this secret is not available.');
        }
        const { plainText, shouldReEncrypt } = await safeStorage.decrypt(Buffer.from(entry.ciphertext, 'base64'));
        if (shouldReEncrypt) {
          // The keychain rotated its key: store the secret under the new one.
          const ciphertext = Buffer.from(await safeStorage.encrypt(plainText)).toString('base64');
          await writeFile({ ...file, secrets: { ...file.secrets, [key]: { protection: 'os-keychain', ciphertext } } });
        }
        return plainText;
      }),

    delete: (key) =>
      serialized(async () => {
        const file = await readFile();
        if (!Object.hasOwn(file.secrets, key)) return;
        const secrets = { ...file.secrets };
        delete secrets[key];
        await writeFile({ ...file, secrets });
      }),
  };
}

function associatedData(key: string): string {
  return `fieldwise-secret-v1:${key}`;
}
