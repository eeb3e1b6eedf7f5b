import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/*
 * The renderer's build. `base: './'` makes every asset URL relative, so the same dist/ loads from
 * Electron's app://fieldwise/ and from any static server. `npm run web` serves dist/ with the
 * Content-Security-Policy the desktop shell uses, so a violation shows up in the browser too.
 *
 * The browser build works offline after its first visit: a service worker (vite-plugin-pwa's
 * generateSW, workbox) precaches the whole app shell. It is registered by the app's own code only
 * when the page runs in a browser (renderer/platform/offlineApp.ts), never in Electron's app://,
 * and never by an injected inline script, which the policy below would refuse.
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
  // Voice notes play from object URLs of the device blob store (renderer/media).
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self' http: https: ws: wss:",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  // No other site may frame the app (clickjacking of the join and edit screens); the app's own
  // print frame (a srcdoc of this origin) still may, which 'none' would put at risk.
  "frame-ancestors 'self'",
].join('; ');

/**
 * The policy also travels with the build, as dist/content-security-policy.txt: whatever serves
 * dist/ (`npm start`'s browser fallback, the hub) sends exactly this header without importing
 * the renderer's build configuration.
 */
export const CONTENT_SECURITY_POLICY_FILE = 'content-security-policy.txt';

function emitContentSecurityPolicy(): Plugin {
  return {
    name: 'fieldwise-content-security-policy',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: CONTENT_SECURITY_POLICY_FILE, source: `${contentSecurityPolicy}\n` });
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [
    react(),
    emitContentSecurityPolicy(),
    VitePWA({
      strategies: 'generateSW',
      // An update waits for the person to accept it (the banner), never a reload mid-work.
      registerType: 'prompt',
      injectRegister: false,
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{js,css,html,woff2,png,svg}'],
        // The editor's and the store's chunks are larger than workbox's 2 MiB default; a chunk
        // left out of the precache would be missing offline.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        // Hash routes (#/library): every navigation in scope is the one page. The hub's API and
        // Yjs endpoints share the origin when the hub serves the app and are never the page.
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/v1\//, /^\/yjs\//],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
      },
    }),
  ],
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
