import { DESKTOP_BRIDGE_GLOBAL, type DesktopBridge } from '../../shared/bridge/desktopBridge';
import { dexieStorage } from '../../shared/store/dexieStorage';
import type { StoreStorage } from '../../shared/store/storeStorage';
import type { FetchPort, WebSocketPort } from '../../shared/sync/httpTransport';
import type { Clock, ConnectivityPort } from '../../shared/sync/transport';
import { hubServingPage } from './hubServingPage';
import { browserOfflineApp, desktopOfflineApp, type OfflineApp } from './offlineApp';
import { createBrowserWebBridge } from './webBridge';

/*
 * Everything the UI needs from where it runs, chosen once at startup: the desktop bridge when the
 * Electron preload exposed one, else the web implementation of the same contract. Nothing past
 * this file asks which platform it is on.
 */

export interface Platform {
  readonly bridge: DesktopBridge;
  readonly storage: StoreStorage;
  readonly fetch: FetchPort;
  readonly WebSocket: WebSocketPort;
  readonly gzip: (text: string) => Promise<Uint8Array<ArrayBuffer>>;
  readonly clock: Clock;
  /** Small, non-secret settings (the device profile, the language). */
  readonly settings: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** The offline app shell and storage persistence (a service worker in the browser only). */
  readonly offline: OfflineApp;
  /** The hub that served this page (the browser app at a hub's address), else null. */
  readonly pageHubUrl: () => Promise<string | null>;
  /** The platform's online/offline signal; sync probes the hub the moment it says online. */
  readonly connectivity?: ConnectivityPort;
}

/** navigator.onLine and the window's online/offline events (Electron's renderer has them too). */
function windowConnectivity(): ConnectivityPort {
  return {
    isOnline: () => window.navigator.onLine,
    onDidChange(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      window.addEventListener('online', online);
      window.addEventListener('offline', offline);
      return () => {
        window.removeEventListener('online', online);
        window.removeEventListener('offline', offline);
      };
    },
  };
}

declare const __APP_VERSION__: string | undefined;

async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function desktopBridgeOf(target: object): DesktopBridge | null {
  const candidate = (target as Record<string, unknown>)[DESKTOP_BRIDGE_GLOBAL];
  return typeof candidate === 'object' && candidate !== null ? (candidate as DesktopBridge) : null;
}

export function detectPlatform(): Platform {
  const version = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : '0.1.0';
  const desktopBridge = desktopBridgeOf(window);
  return {
    bridge: desktopBridge ?? createBrowserWebBridge(version),
    // IndexedDB in both: Electron serves the UI from a standard, secure app:// scheme for this.
    storage: dexieStorage(),
    fetch: (url, init) => window.fetch(url, init),
    WebSocket: window.WebSocket,
    gzip,
    clock: {
      now: () => Date.now(),
      setTimeout: (callback, delayMs) => window.setTimeout(callback, delayMs),
      clearTimeout: (handle) => window.clearTimeout(handle as number),
    },
    settings: window.localStorage,
    offline: desktopBridge ? desktopOfflineApp : browserOfflineApp(),
    pageHubUrl: desktopBridge ? () => Promise.resolve(null) : () => hubServingPage(window.location.href, (url) => window.fetch(url)),
    connectivity: windowConnectivity(),
  };
}
