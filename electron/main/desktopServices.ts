/*
 * The main process's side of the bridge: the same DesktopBridge contract the preload exposes,
 * implemented with the injected ports. No domain logic: it stores, asks, writes and opens.
 */
import { join } from 'node:path';

import type { DesktopBridge, SaveFileResult } from '../../shared/bridge/desktopBridge';
import type { DesktopSettings } from './desktopSettings';
import { isAllowedExternalUrl } from './isAllowedExternalUrl';
import type { FileTypeFilter, MainPorts } from './ports';
import { createSecretStore, type SecretStore } from './secretStore';

export interface DesktopServicesOptions {
  readonly ports: MainPorts;
  /** The configuration in force (asked on every call, so a change applies at once) and the hub it connects to. */
  readonly settings: DesktopSettings;
  /** Defaults to `secrets.json` in userData with the default scrypt cost. */
  readonly secretStore?: SecretStore;
}

const SECRETS_FILE_NAME = 'secrets.json';
const PDF_FILTERS: readonly FileTypeFilter[] = [{ name: 'PDF', extensions: ['pdf'] }];

export function createDesktopServices({ ports, settings, secretStore }: DesktopServicesOptions): DesktopBridge {
  const secrets =
    secretStore ??
    createSecretStore({ safeStorage: ports.safeStorage, fs: ports.fs, filePath: join(ports.app.userDataDir, SECRETS_FILE_NAME) });

  async function saveWithDialog(
    suggestedName: string,
    filters: readonly FileTypeFilter[],
    data: Uint8Array | string,
  ): Promise<SaveFileResult> {
    const path = await ports.dialog.showSaveDialog({ defaultPath: join(ports.app.downloadsDir, suggestedName), filters });
    if (path === null) return { isSaved: false };
    await ports.fs.writeFile(path, data);
    return { isSaved: true, path };
  }

  return {
    appInfo: async () => ({ name: ports.app.name, version: ports.app.version, platform: 'electron', os: ports.app.os }),
    secretProtection: () => secrets.protection(),
    setSecret: (key, value, passphrase) => secrets.set(key, value, passphrase),
    getSecret: (key, passphrase) => secrets.get(key, passphrase),
    deleteSecret: (key) => secrets.delete(key),
    saveFile: (request) => saveWithDialog(request.suggestedName, request.filters, request.data),
    printToPdf: async (request) => {
      const pdf = await ports.printer.printToPdf(request.html, {
        pageSize: request.pageSize ?? 'A4',
        isLandscape: request.isLandscape ?? false,
      });
      const name = /\.pdf$/i.test(request.suggestedName) ? request.suggestedName : `${request.suggestedName}.pdf`;
      return saveWithDialog(name, PDF_FILTERS, pdf);
    },
    openExternal: async (url) => {
      if (!isAllowedExternalUrl(url, settings.config().externalLinks)) return false;
      // Open what was checked, re-serialized by the parser, not the raw string.
      await ports.shell.openExternal(new URL(url).href);
      return true;
    },
    setHubUrl: (url) => settings.setHubUrl(url),
    notify: async ({ title, body }) => {
      if (!ports.notifier.isSupported()) return false;
      ports.notifier.show({ title, body });
      return true;
    },
  };
}
