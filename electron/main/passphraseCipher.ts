/*
 * Encryption with a passphrase, for Linux machines without a keyring (where Electron's safeStorage
 * would fall back to 'basic_text', a fixed key: plaintext in disguise). scrypt stretches the
 * passphrase into a key; AES-256-GCM encrypts and authenticates, so a wrong passphrase or a changed
 * byte fails to open instead of yielding garbage. Everything needed to open it again, except the
 * passphrase, is stored beside the ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';

import { BridgeError } from './bridgeError';

export interface ScryptCost {
  /** CPU/memory cost N, a power of two. */
  readonly cost: number;
  readonly blockSize: number;
  readonly parallelization: number;
}

/** About 100 ms and 32 MiB on a cheap laptop; stored with each secret, so it can rise later. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { cost: 2 ** 15, blockSize: 8, parallelization: 1 };

export const MIN_PASSPHRASE_LENGTH = 8;

export interface PassphraseSealed {
  readonly kdf: 'scrypt';
  readonly cost: number;
  readonly blockSize: number;
  readonly parallelization: number;
  /** base64 */
  readonly salt: string;
  /** base64, 12 bytes */
  readonly iv: string;
  /** base64, the 16-byte GCM tag */
  readonly tag: string;
  /** base64 */
  readonly ciphertext: string;
}

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts `plainText`. `associatedData` is authenticated but not stored (the secret's key name), so
 * a sealed value moved to another name in the file no longer opens.
 */
export async function sealWithPassphrase(
  plainText: string,
  passphrase: string,
  associatedData: string,
  scryptCost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<PassphraseSealed> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new BridgeError('passphrase-too-short', `The passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  }
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const key = await deriveKey(passphrase, salt, scryptCost);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
  return {
    kdf: 'scrypt',
    ...scryptCost,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/** Decrypts, or throws 'wrong-passphrase' when the passphrase (or the data) does not match. */
export async function openWithPassphrase(
  sealed: PassphraseSealed,
  passphrase: string,
  associatedData: string,
): Promise<string> {
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new BridgeError('secrets-file-damaged', 'A stored secret is damaged (bad IV or tag length).');
  }
  const key = await deriveKey(passphrase, Buffer.from(sealed.salt, 'base64'), sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new BridgeError('wrong-passphrase', 'The passphrase does not open this secret.');
  }
}

function deriveKey(passphrase: string, salt: Buffer, { cost, blockSize, parallelization }: ScryptCost): Promise<Buffer> {
  // Stored parameters come from a file: bound them so a tampered file cannot ask for gigabytes.
  const isSane =
    Number.isInteger(cost) && cost >= 2 ** 10 && cost <= 2 ** 20 && (cost & (cost - 1)) === 0 &&
    Number.isInteger(blockSize) && blockSize >= 1 && blockSize <= 32 &&
    Number.isInteger(parallelization) && parallelization >= 1 && parallelization <= 16;
  if (!isSane) throw new BridgeError('secrets-file-damaged', 'A stored secret has impossible scrypt parameters.');
  const options: ScryptOptions = {
    N: cost,
    r: blockSize,
    p: parallelization,
    // scrypt needs 128 * N * r bytes; Node refuses more than 32 MiB unless told.
    maxmem: 256 * cost * blockSize,
  };
  return new Promise((resolve, reject) => {
    // NFC: the same passphrase typed through different input methods yields the same key.
    scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
