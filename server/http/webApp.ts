import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HubError } from '../hub/hubError';

/*
 * The hub serves the built web app (renderer/dist) at its own address, so a member organization
 * needs nothing but a browser: open the hub's address, join, work (offline too, once the app's
 * service worker holds it). `GET /v1/hub-info` tells the page that its origin is a hub, so the join
 * form fills in the address (docs/PROTOCOL.md).
 *
 * Every file goes out with the Content-Security-Policy the renderer's build wrote beside itself
 * (dist/content-security-policy.txt, from renderer/vite.config.ts: the hub does not import the
 * renderer). Only files under the folder are served, `/` is index.html, and the hub's own paths
 * (/v1/, /yjs/, /health) are never files.
 */

export interface WebAppOptions {
  /** The renderer's build folder. */
  readonly dir: string;
  readonly networkId: string;
}

export const CONTENT_SECURITY_POLICY_FILE = 'content-security-policy.txt';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

const HUB_PATHS = ['/v1/', '/yjs/', '/health'];

/** Whether `dir` holds a web app build this hub can serve (its index and its policy). */
export function isWebAppBuild(dir: string): boolean {
  try {
    readFileSync(join(dir, 'index.html'));
    return readFileSync(join(dir, CONTENT_SECURITY_POLICY_FILE), 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** The file under `root` a raw request path names, or null when it names none (climbs out, bad escape, NUL). */
export function webAppFile(root: string, rawPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const file = resolve(root, `.${decoded === '/' ? '/index.html' : decoded}`);
  const inside = relative(root, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`)) return null;
  return file;
}

export function registerWebApp(app: FastifyInstance, options: WebAppOptions): void {
  const root = resolve(options.dir);
  const csp = readFileSync(join(root, CONTENT_SECURITY_POLICY_FILE), 'utf8').trim();
  const notFound = (request: FastifyRequest) => new HubError('not-found', `no ${request.method} ${request.url.split('?', 1)[0]}`);

  app.get('/v1/hub-info', async (_request, reply) => {
    reply.header('cache-control', 'no-cache');
    return { kind: 'fieldwise-hub', networkId: options.networkId, webApp: true };
  });

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    // The raw path: `/../` must reach the check, not be resolved away before it.
    const rawPath = request.raw.url?.split(/[?#]/, 1)[0] ?? '/';
    if (HUB_PATHS.some((prefix) => rawPath === prefix.replace(/\/$/, '') || rawPath.startsWith(prefix))) throw notFound(request);
    const file = webAppFile(root, rawPath);
    if (file === null) throw new HubError('forbidden', 'not a file of the web app');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      throw notFound(request);
    }
    return reply
      .header('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      // Revalidated on every load: a new build, and its service worker, is seen at once.
      .header('cache-control', 'no-cache')
      .send(body);
  };
  app.get('/', serve);
  app.get('/*', serve);
}
