/*
 * Where the UI comes from: `app://fieldwise/`, a custom scheme registered as standard (so the page
 * gets a real origin, which IndexedDB and the RxDB store need) and secure (so it counts as a secure
 * context, like https). Nothing is ever loaded from file://.
 */
import type { CustomScheme } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'fieldwise';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Host of the hidden window that renders a report to PDF, on its own session. */
export const PRINT_HOST = 'print';

/**
 * Privileges for `protocol.registerSchemesAsPrivileged`, which must run before the app is ready.
 * No `bypassCSP` (the page's policy applies) and no service workers (nothing needs them).
 */
export const appSchemePrivileges: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    corsEnabled: true,
  },
};
