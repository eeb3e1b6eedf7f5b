import { BrowserWindow } from 'electron';

import { APP_ENTRY_URL } from './appOrigin';
import { windowOptions, type WindowOptionsInput } from './windowOptions';

/** The app's one window, showing app://fieldwise/index.html once it has painted. */
export function createMainWindow(input: WindowOptionsInput): BrowserWindow {
  const window = new BrowserWindow(windowOptions(input));
  window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    console.error(`Could not load ${APP_ENTRY_URL}:`, error);
  });
  return window;
}
