/*
 * The ports of ports.ts, implemented with Electron. Wiring only: every decision lives in the
 * services and is tested there.
 */
import * as fs from 'node:fs/promises';
import { release } from 'node:os';

import { app, BrowserWindow, dialog, Notification, safeStorage, session, shell } from 'electron';

import { APP_SCHEME } from './appOrigin';
import { hardenSession } from './hardenSession';
import type { MainPorts, PrinterPort } from './ports';
import { createPrintDocuments } from './printDocuments';
import { printWindowOptions } from './windowOptions';

/** In memory (no `persist:` prefix): nothing a report loads outlives the print. */
const PRINT_PARTITION = 'fieldwise-print';

export function createElectronPorts(parentWindow: () => BrowserWindow | null): MainPorts {
  return {
    safeStorage: {
      isEncryptionAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
      selectedBackend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined),
      encrypt: async (plainText) => new Uint8Array(await safeStorage.encryptStringAsync(plainText)),
      decrypt: async (encrypted) => {
        const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(encrypted));
        return { plainText: result, shouldReEncrypt };
      },
    },
    dialog: {
      async showSaveDialog({ defaultPath, filters }) {
        const options = { defaultPath, filters: filters.map(({ name, extensions }) => ({ name, extensions: [...extensions] })) };
        const parent = parentWindow();
        const result = parent === null ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(parent, options);
        return result.canceled || result.filePath === '' ? null : result.filePath;
      },
    },
    shell: { openExternal: (url) => shell.openExternal(url) },
    fs,
    printer: createElectronPrinter(),
    notifier: {
      isSupported: () => Notification.isSupported(),
      // Silent of actions and links: a click only brings the app forward, as the OS does by default.
      show: ({ title, body }) => new Notification({ title, body }).show(),
    },
    app: {
      name: app.getName(),
      version: app.getVersion(),
      os: `${process.platform} ${release()} (${process.arch})`,
      userDataDir: app.getPath('userData'),
      downloadsDir: app.getPath('downloads'),
    },
  };
}

function createElectronPrinter(): PrinterPort {
  const documents = createPrintDocuments();
  let isSessionReady = false;

  function preparePrintSession(): void {
    if (isSessionReady) return;
    const printSession = session.fromPartition(PRINT_PARTITION);
    hardenSession(printSession);
    printSession.protocol.handle(APP_SCHEME, documents.handler);
    isSessionReady = true;
  }

  return {
    async printToPdf(html, { pageSize, isLandscape }) {
      preparePrintSession();
      const url = documents.add(html);
      const window = new BrowserWindow(printWindowOptions(PRINT_PARTITION));
      try {
        await window.loadURL(url);
        const pdf = await window.webContents.printToPDF({ pageSize, landscape: isLandscape, printBackground: true });
        return new Uint8Array(pdf);
      } finally {
        documents.remove(url);
        window.destroy();
      }
    },
  };
}
