import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './styles/app.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { createElement, Fragment, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import { App } from './app/App';
import { initI18n, LANGUAGE_KEY, pickLanguage } from './i18n/i18n';
import { detectPlatform } from './platform/platform';

/*
 * Startup: the platform is chosen once, here; the UI renders under a strict Content-Security-
 * Policy (no eval, no inline scripts or styles):
 * - zod would probe `new Function` for its fast path; jitless mode never tries.
 * - Mantine would inject its theme's CSS variables and global classes in <style> tags; both are
 *   off, and styles/app.css carries the few variables this theme changes.
 */
z.config({ jitless: true });

const theme = createTheme({
  primaryColor: 'teal',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
  defaultRadius: 'md',
});

async function start(): Promise<void> {
  const platform = detectPlatform();
  const i18n = await initI18n(pickLanguage(platform.settings.getItem(LANGUAGE_KEY), navigator.languages));
  const root = document.getElementById('root');
  if (!root) throw new Error('no #root element');
  createRoot(root).render(
    createElement(
      StrictMode,
      null,
      createElement(
        I18nextProvider,
        { i18n },
        createElement(
          MantineProvider,
          { theme, withCssVariables: false, withGlobalClasses: false, defaultColorScheme: 'light' },
          createElement(Fragment, null, createElement(Notifications, { position: 'bottom-right' }), createElement(App, { platform })),
        ),
      ),
    ),
  );
}

void start();
