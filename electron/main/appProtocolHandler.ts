/*
 * Serves `app://fieldwise/...` from the built renderer (renderer/dist) and nothing else, with the
 * Content-Security-Policy on every response. Electron calls the handler through `protocol.handle`;
 * it takes a plain fetch Request, so the tests call it directly on real files.
 */
import { extname } from 'node:path';

import { resolveAppPath } from './resolveAppPath';

export interface AppProtocolHandlerOptions {
  readonly distDir: string;
  readonly readFile: (path: string) => Promise<Uint8Array>;
  /** Asked on every response, so a changed hub origin applies from the next page load. */
  readonly contentSecurityPolicy: () => string;
}

export type ProtocolHandler = (request: Request) => Promise<Response>;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export function createAppProtocolHandler(options: AppProtocolHandlerOptions): ProtocolHandler {
  const { distDir, readFile } = options;

  function respond(status: number, body: Uint8Array | string | null, contentType: string): Response {
    return new Response(typeof body === 'string' || body === null ? body : Buffer.from(body), {
      status,
      headers: {
        'content-type': contentType,
        'content-security-policy': options.contentSecurityPolicy(),
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      },
    });
  }

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return respond(405, 'Method not allowed', 'text/plain; charset=utf-8');
    }
    const filePath = resolveAppPath(distDir, request.url);
    if (filePath === null) return respond(404, 'Not found', 'text/plain; charset=utf-8');

    const candidates = [filePath];
    // A path without an extension is a client-side route (`/library`): the app's page answers it.
    if (extname(filePath) === '') {
      const indexPath = resolveAppPath(distDir, new URL('/', request.url).href);
      if (indexPath !== null) candidates.push(indexPath);
    }
    for (const candidate of candidates) {
      try {
        const body = await readFile(candidate);
        return respond(200, request.method === 'HEAD' ? null : body, contentTypeOf(candidate));
      } catch (error) {
        if (!isMissingFile(error)) {
          return respond(500, 'Cannot read this file of the app', 'text/plain; charset=utf-8');
        }
      }
    }
    return respond(404, 'Not found', 'text/plain; charset=utf-8');
  };
}

function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}
