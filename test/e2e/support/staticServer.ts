import { RENDERER_DIST, startWebServer, type WebServer } from '../../../build/webServer';
import { contentSecurityPolicy } from '../../../renderer/vite.config';

/*
 * The built renderer (renderer/dist by default) on 127.0.0.1 with port 0, served by the same
 * static server `npm start` falls back to (build/webServer.ts), started and stopped inside a test.
 * The renderer's pages get the desktop shell's Content-Security-Policy, so a CSP violation breaks
 * the end-to-end tests as it would break the app.
 */

export type StaticServer = WebServer;

export const rendererDist = RENDERER_DIST;

export async function serveStatic(root = rendererDist, options: { readonly csp?: string | null } = {}): Promise<StaticServer> {
  return startWebServer({ root, csp: options.csp === undefined ? contentSecurityPolicy : options.csp });
}
