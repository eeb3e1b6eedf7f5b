/*
 * The report HTML waiting to be printed, served to the hidden print window as
 * `app://print/<random id>.html` on the print window's own session. Serving it (instead of a
 * data: URL, which Chromium caps at 2 MB, or a temp file, which could reach other local files)
 * lets the response carry a policy that forbids every load but inline styles and data: images
 * and fonts: a report cannot fetch a tracker or a local file while it renders.
 */
import { randomUUID } from 'node:crypto';

import { APP_SCHEME, PRINT_HOST } from './appOrigin';
import type { ProtocolHandler } from './appProtocolHandler';

export const PRINT_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'";

export interface PrintDocuments {
  /** Keeps `html` until `remove`; returns the URL the print window loads. */
  add(html: string): string;
  remove(url: string): void;
  readonly handler: ProtocolHandler;
}

export function createPrintDocuments(): PrintDocuments {
  const documents = new Map<string, string>();

  function keyOf(url: string): string | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== PRINT_HOST) return null;
    return parsed.pathname;
  }

  return {
    add(html) {
      const url = `${APP_SCHEME}://${PRINT_HOST}/${randomUUID()}.html`;
      documents.set(new URL(url).pathname, html);
      return url;
    },
    remove(url) {
      const key = keyOf(url);
      if (key !== null) documents.delete(key);
    },
    async handler(request) {
      const key = keyOf(request.url);
      const html = key === null ? undefined : documents.get(key);
      return new Response(html ?? 'Not found', {
        status: html === undefined ? 404 : 200,
        headers: {
          'content-type': html === undefined ? 'text/plain; charset=utf-8' : 'text/html; charset=utf-8',
          'content-security-policy': PRINT_CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
        },
      });
    },
  };
}
