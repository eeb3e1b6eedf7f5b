/*
 * A small static server over the renderer's build (renderer/dist): what `npm start` falls back to
 * where the Electron binary is missing, and what the end-to-end tests serve the app with. Every
 * response carries the Content-Security-Policy the build wrote beside itself
 * (dist/content-security-policy.txt, from renderer/vite.config.ts), the one `npm run web` sends.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RENDERER_DIST = resolve(fileURLToPath(new URL('../renderer/dist', import.meta.url)));

/** Written by the renderer's build (renderer/vite.config.ts names it too). */
export const CONTENT_SECURITY_POLICY_FILE = 'content-security-policy.txt';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export interface WebServerOptions {
  /** Defaults to renderer/dist. */
  readonly root?: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Overrides the build's policy; null sends none (a benchmark's baseline page). */
  readonly csp?: string | null;
}

export interface WebServer {
  /** The app's address, with a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/** The policy the build wrote; a build without one is refused rather than served unprotected. */
export function builtContentSecurityPolicy(root: string = RENDERER_DIST): string {
  const policy = readFileSync(join(root, CONTENT_SECURITY_POLICY_FILE), 'utf8').trim();
  if (policy === '') throw new Error(`${join(root, CONTENT_SECURITY_POLICY_FILE)} is empty`);
  return policy;
}

/** The file under `root` a request path names, or null when it is not one (climbs out, bad escape). */
export function fileForPath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(root, `.${decoded === '/' ? '/index.html' : decoded}`);
  const inside = relative(root, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || resolve(root, inside) !== file) return null;
  return file;
}

export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const root = resolve(options.root ?? RENDERER_DIST);
  const csp = options.csp === undefined ? builtContentSecurityPolicy(root) : options.csp;
  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      // The raw path, not a URL-normalized one: `/../` must be seen (and refused), not resolved away.
      const rawPath = (request.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
      const file = rawPath.startsWith('/') ? fileForPath(root, rawPath) : null;
      if (file === null) {
        response.writeHead(403).end();
        return;
      }
      try {
        const body = await readFile(file);
        response.writeHead(200, {
          'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          // Revalidate every time: a new build (and its service worker) is seen on the next load.
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
          ...(csp ? { 'content-security-policy': csp } : {}),
        });
        response.end(request.method === 'HEAD' ? undefined : body);
      } catch {
        response.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolveClose, rejectClose) => server.close((error) => (error ? rejectClose(error) : resolveClose())));
    },
  };
}
