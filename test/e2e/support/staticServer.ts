import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, relative, sep } from 'node:path';
import { contentSecurityPolicy } from '../../../renderer/vite.config';

/*
 * A static server over a built Vite page (renderer/dist by default) on 127.0.0.1 with port 0: what
 * `npm run web` does, started and stopped inside a test. The renderer's pages get the desktop
 * shell's Content-Security-Policy, so a CSP violation breaks the end-to-end tests as it would
 * break the app.
 */

export interface StaticServer {
  /** The page's address, with a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export const rendererDist = join(import.meta.dirname, '..', '..', '..', 'renderer', 'dist');

export async function serveStatic(root = rendererDist, options: { readonly csp?: string | null } = {}): Promise<StaticServer> {
  const csp = options.csp === undefined ? contentSecurityPolicy : options.csp;
  const server: Server = createServer((request, response) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
      // A path that climbs out of the root is not served.
      if (relative(root, file).split(sep)[0] === '..') {
        response.writeHead(403).end();
        return;
      }
      try {
        const body = await readFile(file);
        response.writeHead(200, {
          'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-store',
          ...(csp ? { 'content-security-policy': csp } : {}),
        });
        response.end(body);
      } catch {
        response.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
