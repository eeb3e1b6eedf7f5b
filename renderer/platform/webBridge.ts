import type {
  AppInfo,
  DesktopBridge,
  NotificationRequest,
  PrintToPdfRequest,
  SaveFileRequest,
  SaveFileResult,
  SecretProtection,
  SetHubUrlResult,
} from '../../shared/bridge/desktopBridge';

/*
 * The browser's side of the desktop bridge contract: what `window.fieldwise` offers in Electron,
 * done with what a page may do. Secrets sit in the origin's localStorage (the page says so:
 * `secretProtection()` answers 'browser-storage'), files go out as downloads, PDFs through the
 * browser's print dialog, and external links open in a new tab without an opener. A hub address
 * is checked as the desktop checks it, and then there is nothing to apply: the browser build's
 * policy lets the page connect to any hub (renderer/vite.config.ts).
 *
 * Everything the bridge touches comes in through `WebBridgePorts`, so its pure parts run in Node.
 */

export interface WebBridgePorts {
  readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  readonly document: Document;
  readonly open: (url: string, target: string, features: string) => unknown;
  readonly createObjectUrl: (blob: Blob) => string;
  readonly revokeObjectUrl: (url: string) => void;
  readonly userAgent: string;
  readonly version: string;
  /**
   * The browser's Notification API, or null where there is none. The bridge never asks for the
   * permission: a page that pops a permission prompt on its own is one people learn to refuse.
   */
  readonly notifications: WebNotificationPort | null;
}

export interface WebNotificationPort {
  readonly permission: () => 'granted' | 'denied' | 'default';
  readonly show: (title: string, options: { readonly body: string; readonly tag: string }) => void;
}

const SECRET_PREFIX = 'fieldwise.secret.';

/**
 * The only external links a page may open: https, parsed with the URL parser (never matched by
 * prefix), with no credentials in them. Returns the normalized URL or null.
 */
export function externalLinkOrNull(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '') return null;
  return url.href;
}

/**
 * The origin of a hub address the bridge accepts: http(s) as the URL parser reads it, with no
 * user or password; null for anything else. The same rule as the desktop's `hubOriginOf`
 * (electron/main/desktopConfig.ts), which the renderer cannot import.
 */
export function hubOriginOrNull(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.origin;
}

/** A file name safe to suggest for a download: no path separators or control characters. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\p{Cc}]+/gu, '-').replace(/^\.+/, '').trim();
  return cleaned.slice(0, 200) || 'fieldwise-export';
}

function toBlobPart(data: Uint8Array | string): BlobPart {
  // A copy: the caller's bytes may be a view into a larger (or shared) buffer.
  return typeof data === 'string' ? data : new Uint8Array(data);
}

function mimeTypeOf(request: SaveFileRequest): string {
  const extension = request.filters[0]?.extensions[0]?.toLowerCase();
  switch (extension) {
    case 'csv':
      return 'text/csv;charset=utf-8';
    case 'json':
      return 'application/json';
    case 'html':
      return 'text/html;charset=utf-8';
    case 'pdf':
      return 'application/pdf';
    default:
      return typeof request.data === 'string' ? 'text/plain;charset=utf-8' : 'application/octet-stream';
  }
}

/**
 * A frame whose document came from `srcdoc` inherits the app page's Content-Security-Policy, which
 * allows no inline <style>: the report's own stylesheet would be dropped and it would print
 * unstyled (no A4 page rule, no CJK font stack). Its rules go in again as a constructed stylesheet,
 * which the policy does not govern; no script runs in the frame for it.
 */
export function adoptInlineStyles(frame: HTMLIFrameElement): void {
  const frameWindow = frame.contentWindow as (Window & typeof globalThis) | null;
  const frameDocument = frame.contentDocument;
  if (!frameWindow || !frameDocument) return;
  const css = [...frameDocument.querySelectorAll('style')].map((style) => style.textContent ?? '').join('\n');
  if (css.trim() === '') return;
  const sheet = new frameWindow.CSSStyleSheet();
  sheet.replaceSync(css);
  frameDocument.adoptedStyleSheets = [...frameDocument.adoptedStyleSheets, sheet];
}

export function createWebBridge(ports: WebBridgePorts): DesktopBridge {
  const { storage, document } = ports;

  return {
    appInfo: async (): Promise<AppInfo> => ({ name: 'Fieldwise', version: ports.version, platform: 'web', os: ports.userAgent }),
    secretProtection: async (): Promise<SecretProtection> => 'browser-storage',
    // The passphrase only matters where the platform asks for one ('passphrase-required'); the
    // browser keeps the secret as the origin's storage keeps everything else.
    setSecret: async (key, value) => storage.setItem(SECRET_PREFIX + key, value),
    getSecret: async (key) => storage.getItem(SECRET_PREFIX + key),
    deleteSecret: async (key) => storage.removeItem(SECRET_PREFIX + key),

    async saveFile(request: SaveFileRequest): Promise<SaveFileResult> {
      const name = safeFileName(request.suggestedName);
      const url = ports.createObjectUrl(new Blob([toBlobPart(request.data)], { type: mimeTypeOf(request) }));
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.rel = 'noopener';
      document.body.append(link);
      try {
        link.click();
      } finally {
        link.remove();
        // The download has started from the click; a late revoke keeps slow browsers safe.
        setTimeout(() => ports.revokeObjectUrl(url), 60_000);
      }
      // The browser does not tell a page where (or whether) it saved a download.
      return { isSaved: true, path: name };
    },

    async printToPdf(request: PrintToPdfRequest): Promise<SaveFileResult> {
      // The report prints from a sandboxed frame: no scripts run in it, and the browser's print
      // dialog offers "Save as PDF". Whether the person saved is not something a page learns.
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-same-origin allow-modals');
      frame.setAttribute('aria-hidden', 'true');
      frame.title = safeFileName(request.suggestedName);
      frame.className = 'fw-print-frame';
      const loaded = new Promise<void>((resolve) => frame.addEventListener('load', () => resolve(), { once: true }));
      frame.srcdoc = request.html;
      document.body.append(frame);
      await loaded;
      try {
        adoptInlineStyles(frame);
        frame.contentWindow?.focus();
        frame.contentWindow?.print();
      } finally {
        frame.remove();
      }
      return { isSaved: false };
    },

    async openExternal(url: string): Promise<boolean> {
      const safe = externalLinkOrNull(url);
      if (safe === null) return false;
      ports.open(safe, '_blank', 'noopener,noreferrer');
      return true;
    },

    async notify({ title, body }: NotificationRequest): Promise<boolean> {
      const notifications = ports.notifications;
      if (notifications === null || notifications.permission() !== 'granted') return false;
      // One tag per title: a second reminder of the same vote replaces the first, never stacks.
      notifications.show(title, { body, tag: `fieldwise:${title}` });
      return true;
    },

    async setHubUrl(url: string): Promise<SetHubUrlResult> {
      // Refused the way the desktop's main process refuses it, so the renderer sees one behaviour.
      if (hubOriginOrNull(url) === null) {
        throw new Error('invalid-arguments: setHubUrl: a hub URL is an http(s) URL without user or password');
      }
      return { isApplied: true, isReloadRequired: false };
    },
  };
}

/** The bridge for this page, on the browser's real globals. */
export function createBrowserWebBridge(version: string): DesktopBridge {
  return createWebBridge({
    storage: window.localStorage,
    document: window.document,
    open: (url, target, features) => window.open(url, target, features),
    createObjectUrl: (blob) => URL.createObjectURL(blob),
    revokeObjectUrl: (url) => URL.revokeObjectURL(url),
    userAgent: window.navigator.userAgent,
    version,
    notifications:
      typeof window.Notification === 'function'
        ? { permission: () => window.Notification.permission, show: (title, options) => void new window.Notification(title, options) }
        : null,
  });
}
