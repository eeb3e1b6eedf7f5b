import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/*
 * The renderer's build. `base: './'` makes every asset URL relative, so the same dist/ loads from
 * Electron's app://fieldwise/ and from any static server. `npm run web` serves dist/ with the
 * Content-Security-Policy the desktop shell uses, so a violation shows up in the browser too.
 */

/**
 * No inline scripts or styles, no eval. connect-src is open to any hub here (the browser build
 * joins whatever hub it is given); the desktop shell narrows it to the configured hub.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' http: https: ws: wss:",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  // npm sets this while it runs a script; shown in Settings and in the bridge's appInfo.
  define: { __APP_VERSION__: JSON.stringify(process.env.npm_package_version ?? '0.0.0') },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One warning limit that fits a rich-text editor, a component library and a database.
    chunkSizeWarningLimit: 2500,
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 5173, strictPort: true, headers: { 'Content-Security-Policy': contentSecurityPolicy } },
});
