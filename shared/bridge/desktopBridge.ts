/*
 * The one contract between the renderer and the platform it runs on. The Electron preload
 * exposes an object that `satisfies DesktopBridge`; the browser build has a web implementation
 * that satisfies the same type (download through a Blob, PDF through the browser's print).
 * Everything crosses as plain data: strings, numbers, booleans, Uint8Array.
 */

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  /** 'electron' or 'web'; for display and diagnostics only, never for branching domain logic. */
  readonly platform: 'electron' | 'web';
  readonly os: string;
}

/** How secrets (the device token) are protected on this machine. */
export type SecretProtection =
  /** The OS keychain encrypts them (macOS Keychain, Windows DPAPI, libsecret/kwallet). */
  | 'os-keychain'
  /** Linux without a keyring: Electron's basic_text fallback would be plaintext, so the app asks for a passphrase. */
  | 'passphrase-required'
  /** The browser build: kept in the origin's storage; the page says so. */
  | 'browser-storage';

export interface SaveFileRequest {
  readonly suggestedName: string;
  /** e.g. [{ name: 'CSV', extensions: ['csv'] }] */
  readonly filters: readonly { readonly name: string; readonly extensions: readonly string[] }[];
  readonly data: Uint8Array | string;
}

export type SaveFileResult = { readonly isSaved: true; readonly path: string } | { readonly isSaved: false };

export interface PrintToPdfRequest {
  /** A complete HTML document (report with inline SVG charts and print styles). */
  readonly html: string;
  readonly suggestedName: string;
  readonly pageSize?: 'A4' | 'Letter';
  readonly isLandscape?: boolean;
}

/**
 * The answer to `setHubUrl`. On the desktop the hub's origin is part of the page's
 * Content-Security-Policy (connect-src), which a page keeps from the moment it loaded: when the
 * hub changed, `isReloadRequired` says the page must reload before it can reach the new hub.
 * `reason` is a sentence for people, e.g. that FIELDWISE_HUB_URL pins another hub.
 */
export type SetHubUrlResult =
  | { readonly isApplied: true; readonly isReloadRequired: boolean }
  | { readonly isApplied: false; readonly reason: string };

/** A system notification: a short title and one or two sentences, plain text. */
export interface NotificationRequest {
  readonly title: string;
  readonly body: string;
}

export interface DesktopBridge {
  readonly appInfo: () => Promise<AppInfo>;
  readonly secretProtection: () => Promise<SecretProtection>;
  /** Stores a secret under `key`; with 'passphrase-required', `passphrase` encrypts it. */
  readonly setSecret: (key: string, value: string, passphrase?: string) => Promise<void>;
  readonly getSecret: (key: string, passphrase?: string) => Promise<string | null>;
  readonly deleteSecret: (key: string) => Promise<void>;
  readonly saveFile: (request: SaveFileRequest) => Promise<SaveFileResult>;
  /** Renders the HTML to PDF and offers to save it. */
  readonly printToPdf: (request: PrintToPdfRequest) => Promise<SaveFileResult>;
  /** Opens an allow-listed external link in the OS browser; returns false when refused. */
  readonly openExternal: (url: string) => Promise<boolean>;
  /**
   * Lets the page connect to this hub from now on (and at the next start): an http(s) URL without
   * user or password; anything else is refused with an `invalid-arguments` error.
   */
  readonly setHubUrl: (url: string) => Promise<SetHubUrlResult>;
  /**
   * Shows a system notification (a vote about to close); resolves true when one was shown, false
   * where the platform cannot or may not (no notification service, the browser's permission not
   * granted). Plain text only: nothing in it is a link or markup.
   */
  readonly notify: (request: NotificationRequest) => Promise<boolean>;
}

/** The names the preload exposes, in one place so both sides and the IPC channels agree. */
export const desktopBridgeMethods = [
  'appInfo',
  'secretProtection',
  'setSecret',
  'getSecret',
  'deleteSecret',
  'saveFile',
  'printToPdf',
  'openExternal',
  'setHubUrl',
  'notify',
] as const satisfies readonly (keyof DesktopBridge)[];

/** The global name under which the bridge is exposed (`window.fieldwise`). */
export const DESKTOP_BRIDGE_GLOBAL = 'fieldwise';
