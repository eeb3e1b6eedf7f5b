/*
 * The Content-Security-Policy of every app:// response. Scripts and styles only from the app's own
 * files (no inline scripts or <style>, no eval), no plugins, no <base>, no framing, no form
 * submissions, and network access only to the app itself and the configured hub. The renderer's
 * `npm run web` serves the same policy except connect-src (renderer/vite.config.ts).
 */

export interface ContentSecurityPolicyOptions {
  /** The hub's origin (`https://hub.example.org`), or null before the device has joined one. */
  readonly hubOrigin: string | null;
}

export function contentSecurityPolicy({ hubOrigin }: ContentSecurityPolicyOptions): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    // No 'unsafe-inline' for styles either: Vite emits CSS files, the renderer turns off Mantine's
    // <style> injection (renderer/main.ts), and React `style` props and the editor set styles
    // through the CSSOM, which the policy does not govern.
    ['style-src', "'self'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    // Voice notes play from object URLs of the device blob store (renderer/media); nothing remote.
    ['media-src', "'self'", 'blob:'],
    ['connect-src', "'self'", ...hubSources(hubOrigin)],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((directive) => directive.join(' ')).join('; ');
}

/**
 * The hub's origin in its HTTP form and its WebSocket form (`/v1/live`, `/yjs/`): https + wss for
 * a TLS hub, http + ws for a hub on plain HTTP (a LAN or localhost); never a downgrade of either.
 */
function hubSources(hubOrigin: string | null): string[] {
  if (hubOrigin === null) return [];
  const url = new URL(hubOrigin);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`The hub origin must be http(s): ${hubOrigin}`);
  }
  const webSocketProtocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return [url.origin, `${webSocketProtocol}//${url.host}`];
}
