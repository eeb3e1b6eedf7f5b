/*
 * The Electron main process: wiring only. It registers the app:// scheme, locks down sessions and
 * web pages, serves the renderer, answers the bridge's IPC and keeps a single instance. Bundled by
 * build/buildDesktop.ts into out/electron/main.cjs, beside preload.cjs; the renderer is in
 * renderer/dist, two folders up (in development and inside app.asar alike).
 */
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';

import { app, ipcMain, protocol, session, shell, type BrowserWindow } from 'electron';

import { APP_SCHEME, appSchemePrivileges } from './appOrigin';
import { createAppProtocolHandler } from './appProtocolHandler';
import { contentSecurityPolicy } from './contentSecurityPolicy';
import { createDesktopServices } from './desktopServices';
import { createMainWindow } from './createMainWindow';
import { createDesktopSettings } from './desktopSettings';
import { createElectronPorts } from './electronPorts';
import { hardenSession } from './hardenSession';
import { hardenWebContents } from './hardenWebContents';
import { createIpcHandlers } from './ipcHandlers';

const RENDERER_DIST_DIR = join(__dirname, '..', '..', 'renderer', 'dist');
const PRELOAD_PATH = join(__dirname, 'preload.cjs');

// Both must happen before the app is ready.
protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another Fieldwise is running: it gets the 'second-instance' event and comes to the front.
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;

  const settingsPath = join(app.getPath('userData'), 'settings.json');
  // The renderer may change the hub (setHubUrl); everything below asks settings.config() each time.
  const settings = createDesktopSettings({
    fs,
    filePath: settingsPath,
    hubUrlOverride: process.env.FIELDWISE_HUB_URL,
    settingsText: readSettings(settingsPath),
    onDidWarn: (warning) => console.warn(warning),
  });

  app.on('second-instance', () => {
    if (mainWindow === null) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every web page the app ever creates, the print window included.
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, {
      externalLinks: () => settings.config().externalLinks,
      openExternal: (url) => shell.openExternal(url),
      onDidRefuse: (what, url) => console.warn(`Refused a ${what}${url === null ? '' : ` to ${url}`}`),
    });
  });

  app.on('window-all-closed', () => app.quit());

  app
    .whenReady()
    .then(() => {
      // The main window may record voice notes; the print window (electronPorts.ts) may not.
      hardenSession(session.defaultSession, { isMicrophoneAllowed: true });
      session.defaultSession.protocol.handle(
        APP_SCHEME,
        createAppProtocolHandler({
          distDir: RENDERER_DIST_DIR,
          readFile: (path) => fs.readFile(path),
          contentSecurityPolicy: () => contentSecurityPolicy({ hubOrigin: settings.config().hubOrigin }),
        }),
      );

      const services = createDesktopServices({
        ports: createElectronPorts(() => mainWindow),
        settings,
      });
      for (const [channel, handler] of createIpcHandlers(services)) {
        ipcMain.handle(channel, (event, ...args: unknown[]) => handler({ senderFrameUrl: event.senderFrame?.url, args }));
      }

      mainWindow = createMainWindow({ preloadPath: PRELOAD_PATH, isDevToolsAllowed: !app.isPackaged });
      mainWindow.on('closed', () => {
        mainWindow = null;
      });
    })
    .catch((error: unknown) => {
      console.error('Fieldwise could not start:', error);
      app.exit(1);
    });
}

function readSettings(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
