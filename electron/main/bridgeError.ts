/*
 * The errors the bridge's services throw on purpose. Electron passes only an error's message to the
 * renderer, so the message starts with the code (`wrong-passphrase: ...`) for the UI to branch on,
 * followed by a sentence for people.
 */

export type BridgeErrorCode =
  | 'untrusted-sender'
  | 'invalid-arguments'
  | 'passphrase-required'
  | 'passphrase-too-short'
  | 'wrong-passphrase'
  | 'keychain-unavailable'
  | 'secrets-file-damaged';

export class BridgeError extends Error {
  override readonly name = 'BridgeError';

  constructor(
    readonly code: BridgeErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
