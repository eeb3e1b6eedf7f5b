/*
 * The options of the app's windows, as pure data so that the tests can read every security setting.
 * Most are Electron's defaults already; they are spelled out so that a default changing upstream, or
 * an edit here, shows up in a test rather than in a release.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the bundled preload (out/electron/preload.cjs). */
  readonly preloadPath: string;
  /** Developer tools in development builds only. */
  readonly isDevToolsAllowed: boolean;
}

/** Settings every window of the app shares, the print window included. */
const lockedDown = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
} as const satisfies WebPreferences;

export function windowOptions({ preloadPath, isDevToolsAllowed }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Fieldwise',
    width: 1280,
    height: 800,
    // The UI is made to work at 1024x768 screens; below that it would not.
    minWidth: 1024,
    minHeight: 600,
    // Shown on 'ready-to-show', so the window does not flash empty.
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: {
      ...lockedDown,
      preload: preloadPath,
      devTools: isDevToolsAllowed,
      // Chromium's spellchecker fetches its dictionaries from Google on Windows and Linux; an
      // offline-first app for NGOs should not call a third party on its own.
      spellcheck: false,
    },
  };
}

/**
 * The hidden window that renders a report to PDF: no preload (it needs no bridge), no JavaScript
 * (a report is static HTML and SVG), its own in-memory session (no cookies or storage shared with
 * the app, and only the print document handler serves it).
 */
export function printWindowOptions(partition: string): BrowserWindowConstructorOptions {
  return {
    show: false,
    width: 794,
    height: 1123,
    webPreferences: {
      ...lockedDown,
      javascript: false,
      devTools: false,
      spellcheck: false,
      partition,
    },
  };
}
