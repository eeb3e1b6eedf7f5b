/*
 * What the main process's services need from Electron and the OS, as plain interfaces.
 * electronPorts.ts implements them with Electron; the tests implement them with fakes, real
 * node:crypto and real temp files, so the services run without the Electron binary.
 */
import type * as fsPromises from 'node:fs/promises';

export interface SafeStoragePort {
  /** Whether the OS can encrypt for us (keychain, DPAPI, libsecret/kwallet). */
  isEncryptionAvailable(): Promise<boolean>;
  /** Linux's selected backend; 'basic_text' means no keyring (plaintext in disguise). undefined elsewhere. */
  selectedBackend(): string | undefined;
  encrypt(plainText: string): Promise<Uint8Array>;
  decrypt(encrypted: Uint8Array): Promise<{ readonly plainText: string; readonly shouldReEncrypt: boolean }>;
}

export interface FileTypeFilter {
  readonly name: string;
  readonly extensions: readonly string[];
}

export interface DialogPort {
  /** Asks where to save; resolves with the chosen path, or null when the person cancelled. */
  showSaveDialog(options: { readonly defaultPath: string; readonly filters: readonly FileTypeFilter[] }): Promise<string | null>;
}

export interface ShellPort {
  /** Opens a URL in the OS's default handler (browser, mail client). */
  openExternal(url: string): Promise<void>;
}

export interface PrintOptions {
  readonly pageSize: 'A4' | 'Letter';
  readonly isLandscape: boolean;
}

export interface PrinterPort {
  /** Renders a complete HTML document to PDF bytes, without showing it. */
  printToPdf(html: string, options: PrintOptions): Promise<Uint8Array>;
}

export interface NotifierPort {
  /** Whether the OS has a notification service Electron can use. */
  isSupported(): boolean;
  /** Shows one notification with this title and body, as plain text. */
  show(notification: { readonly title: string; readonly body: string }): void;
}

export interface AppPort {
  readonly name: string;
  readonly version: string;
  /** e.g. 'linux 6.1.0 (x64)'; for display and diagnostics. */
  readonly os: string;
  /** Electron's userData folder: the secrets file lives here. */
  readonly userDataDir: string;
  /** Where save dialogs start. */
  readonly downloadsDir: string;
}

/** The part of node:fs/promises the services use; the tests pass the real module. */
export type FileSystemPort = Pick<typeof fsPromises, 'readFile' | 'writeFile' | 'rename' | 'mkdir' | 'rm'>;

export interface MainPorts {
  readonly safeStorage: SafeStoragePort;
  readonly dialog: DialogPort;
  readonly shell: ShellPort;
  readonly fs: FileSystemPort;
  readonly printer: PrinterPort;
  readonly notifier: NotifierPort;
  readonly app: AppPort;
}
