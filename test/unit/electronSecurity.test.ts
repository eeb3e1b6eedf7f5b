// The desktop shell's security settings and guards (electron/main/), run without Electron: window
// options, the Content-Security-Policy, the external-link allow-list, the sender check, the app://
// file server (on real files), navigation and permission guards, and the shell's configuration.
// Each guard is also attacked with the inputs that break naive string checks.
import * as fs from 'node:fs/promises';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { APP_ENTRY_URL, appSchemePrivileges } from '../../electron/main/appOrigin';
import { contentTypeOf, createAppProtocolHandler } from '../../electron/main/appProtocolHandler';
import { contentSecurityPolicy } from '../../electron/main/contentSecurityPolicy';
import { desktopConfig, hubOriginOf } from '../../electron/main/desktopConfig';
import { createDesktopSettings } from '../../electron/main/desktopSettings';
import { hardenSession, type GuardedSession } from '../../electron/main/hardenSession';
import {
  hardenWebContents,
  navigationDecision,
  type GuardedWebContents,
  type NavigationEvent,
} from '../../electron/main/hardenWebContents';
import { allowListHost, isAllowedExternalUrl, type ExternalLinkAllowList } from '../../electron/main/isAllowedExternalUrl';
import { isTrustedSender } from '../../electron/main/isTrustedSender';
import type { FileSystemPort } from '../../electron/main/ports';
import { createPrintDocuments, PRINT_CONTENT_SECURITY_POLICY } from '../../electron/main/printDocuments';
import { resolveAppPath } from '../../electron/main/resolveAppPath';
import { printWindowOptions, windowOptions } from '../../electron/main/windowOptions';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Parses a CSP header into directive -> sources. */
function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name !== undefined && name !== '') directives.set(name, sources);
  }
  return directives;
}

describe('window options', () => {
  const options = windowOptions({ preloadPath: '/app/out/electron/preload.cjs', isDevToolsAllowed: false });
  const prefs = options.webPreferences ?? {};

  it('isolates and sandboxes the renderer, without Node', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and insecure content, experimental features and <webview> off', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('loads the given preload and allows developer tools only when asked', () => {
    expect(prefs.preload).toBe('/app/out/electron/preload.cjs');
    expect(prefs.devTools).toBe(false);
    expect(windowOptions({ preloadPath: '/p.cjs', isDevToolsAllowed: true }).webPreferences?.devTools).toBe(true);
  });

  it('calls no third party on its own: no spellchecker dictionary downloads', () => {
    expect(prefs.spellcheck).toBe(false);
  });

  it('fits a 1024x768 screen', () => {
    expect(options.minWidth).toBeLessThanOrEqual(1024);
    expect(options.minHeight).toBeLessThanOrEqual(768);
  });

  it('renders reports to PDF in a sandboxed window without JavaScript, preload or shared session', () => {
    const print = printWindowOptions('fieldwise-print');
    expect(print.show).toBe(false);
    expect(print.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      javascript: false,
      webSecurity: true,
      partition: 'fieldwise-print',
    });
    expect(print.webPreferences).not.toHaveProperty('preload');
    expect(print.webPreferences?.partition).not.toMatch(/^persist:/);
  });
});

describe('app:// scheme', () => {
  it('is registered as standard and secure, with fetch and CORS, without bypassing the CSP', () => {
    expect(appSchemePrivileges).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    });
    expect(APP_ENTRY_URL).toBe('app://fieldwise/index.html');
  });
});

describe('Content-Security-Policy', () => {
  it('allows scripts only from the app, no plugins, no <base>, no framing', () => {
    const csp = parseCsp(contentSecurityPolicy({ hubOrigin: null }));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    // Voice notes play from the device's own blobs (object URLs), never from another origin.
    expect(csp.get('media-src')).toEqual(["'self'", 'blob:']);
  });

  it('never allows inline scripts or styles, or eval', () => {
    const policy = contentSecurityPolicy({ hubOrigin: 'https://hub.example.org' });
    expect(parseCsp(policy).get('style-src')).toEqual(["'self'"]);
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toContain('*');
  });

  it('connects only to the app and the configured hub, in its http and WebSocket forms', () => {
    const csp = parseCsp(contentSecurityPolicy({ hubOrigin: 'https://hub.example.org:8443' }));
    expect(csp.get('connect-src')).toEqual(["'self'", 'https://hub.example.org:8443', 'wss://hub.example.org:8443']);
    const external = [...csp.values()].flat().filter((source) => /^[a-z]+:\/\//.test(source));
    expect(external).toEqual(['https://hub.example.org:8443', 'wss://hub.example.org:8443']);
  });

  it('pairs a plain-http hub (LAN, localhost) with ws:, and a TLS hub only with wss:', () => {
    expect(parseCsp(contentSecurityPolicy({ hubOrigin: 'http://127.0.0.1:8787' })).get('connect-src')).toEqual([
      "'self'",
      'http://127.0.0.1:8787',
      'ws://127.0.0.1:8787',
    ]);
    const tls = parseCsp(contentSecurityPolicy({ hubOrigin: 'https://hub.example.org' })).get('connect-src') ?? [];
    expect(tls).not.toContain('http://hub.example.org');
    expect(tls).not.toContain('ws://hub.example.org');
  });

  it('connects to nothing but the app before a hub is configured', () => {
    expect(parseCsp(contentSecurityPolicy({ hubOrigin: null })).get('connect-src')).toEqual(["'self'"]);
  });

  it('refuses a hub origin that is not http(s)', () => {
    expect(() => contentSecurityPolicy({ hubOrigin: 'javascript:alert(1)' })).toThrow(/http\(s\)/);
  });
});

describe('external link allow-list', () => {
  const allowList: ExternalLinkAllowList = { httpsHosts: ['allowed.org', 'docs.allowed.org'], isMailtoAllowed: true };
  const isAllowed = (url: string): boolean => isAllowedExternalUrl(url, allowList);

  it('opens https links to allow-listed hosts, whatever the case of the URL', () => {
    expect(isAllowed('https://allowed.org/guide?lang=zh#water')).toBe(true);
    expect(isAllowed('https://docs.allowed.org/')).toBe(true);
    expect(isAllowed('HTTPS://ALLOWED.ORG/Guide')).toBe(true);
    expect(isAllowed('https://allowed.org:443/')).toBe(true);
  });

  it('refuses hosts that only look like an allowed one', () => {
    expect(isAllowed('https://allowed.org.evil.com/')).toBe(false);
    expect(isAllowed('https://evil.com/allowed.org')).toBe(false);
    expect(isAllowed('https://evil.com?https://allowed.org')).toBe(false);
    expect(isAllowed('https://evilallowed.org/')).toBe(false);
    expect(isAllowed('https://allowed.org./')).toBe(false);
    expect(isAllowed('https://allowed.org%2eevil.com/')).toBe(false);
    expect(isAllowed('https://sub.allowed.org/')).toBe(false);
  });

  it('refuses credentials in the URL, either way round', () => {
    expect(isAllowed('https://evil.com@allowed.org/')).toBe(false);
    expect(isAllowed('https://allowed.org@evil.com/')).toBe(false);
    expect(isAllowed('https://allowed.org:pw@evil.com/')).toBe(false);
    expect(isAllowed('https:\\\\evil.com\\@allowed.org/')).toBe(false);
  });

  it('refuses IDN look-alikes (Cyrillic а, fullwidth letters resolve to another host)', () => {
    expect(isAllowed('https://\u0430llowed.org/')).toBe(false);
    expect(isAllowed('https://xn--llowed-2fg.org/')).toBe(false);
    // Fullwidth "ａｌｌｏｗｅｄ.org" is folded by the URL parser to allowed.org: the same host, allowed.
    expect(isAllowed('https://\uff41\uff4c\uff4c\uff4f\uff57\uff45\uff44.org/')).toBe(true);
  });

  it('refuses other schemes, the http downgrade and other ports', () => {
    for (const url of [
      'http://allowed.org/',
      'javascript:alert(1)',
      'JavaScript://allowed.org/%0aalert(1)',
      'file:///etc/passwd',
      'file://allowed.org/etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      'smb://allowed.org/share',
      'ms-msdt:/id PCWDiagnostic',
      'app://fieldwise/index.html',
      'https://allowed.org:8443/',
      'ftp://allowed.org/',
      '//allowed.org/',
      'allowed.org',
      '',
    ]) {
      expect(isAllowed(url), url).toBe(false);
    }
  });

  it('refuses over-long URLs', () => {
    expect(isAllowed(`https://allowed.org/${'a'.repeat(5000)}`)).toBe(false);
  });

  it('opens mailto: to one address with a subject and body, and nothing more', () => {
    expect(isAllowed('mailto:office@xishan.example?subject=Hello&body=Hi')).toBe(true);
    expect(isAllowed('mailto:a@b.example,c@d.example')).toBe(false);
    expect(isAllowed('mailto:office@xishan.example?attach=/etc/passwd')).toBe(false);
    expect(isAllowed('mailto:office@xishan.example?ATTACH=~/.ssh/id_rsa')).toBe(false);
    expect(isAllowed('mailto:office@xishan.example?cc=spy@evil.example')).toBe(false);
    expect(isAllowed('mailto:not-an-address')).toBe(false);
    expect(isAllowedExternalUrl('mailto:office@xishan.example', { ...allowList, isMailtoAllowed: false })).toBe(false);
  });

  it('spells configured hosts the way URL.host does, and refuses anything but a bare host', () => {
    expect(allowListHost('Docs.Example.org')).toBe('docs.example.org');
    expect(allowListHost('bücher.example')).toBe('xn--bcher-kva.example');
    expect(allowListHost('example.org:8443')).toBe('example.org:8443');
    expect(allowListHost('example.org:443')).toBe('example.org');
    for (const bad of ['evil.com/x', 'a@b.org', 'b.org#x', 'b.org?x', 'https://b.org', '']) {
      expect(allowListHost(bad), bad).toBeNull();
    }
  });
});

describe('IPC sender check', () => {
  it('trusts only frames showing the app itself', () => {
    expect(isTrustedSender('app://fieldwise/index.html')).toBe(true);
    expect(isTrustedSender('app://fieldwise/')).toBe(true);
    expect(isTrustedSender('app://fieldwise/library?tag=water#top')).toBe(true);
  });

  it('refuses file:, http(s):, other app hosts, credentials, ports and malformed URLs', () => {
    for (const url of [
      'file:///home/user/index.html',
      'https://fieldwise/index.html',
      'http://fieldwise/',
      'https://evil.com/app://fieldwise/',
      'app://print/report.html',
      'app://fieldwise.evil.com/',
      'app://evil.com/fieldwise',
      'app://evil@fieldwise/',
      'app://fieldwise:8080/',
      'app://FIELDWISE/',
      'devtools://devtools/bundled/inspector.html',
      'about:blank',
      'data:text/html,hi',
      'app:fieldwise',
      'fieldwise',
      ' ',
      '',
    ]) {
      expect(isTrustedSender(url), url).toBe(false);
    }
  });

  it('refuses a frame that is gone', () => {
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});

describe('resolveAppPath', () => {
  const dist = resolve('/srv/fieldwise/renderer/dist');

  it('maps app URLs to files inside the renderer build', () => {
    expect(resolveAppPath(dist, 'app://fieldwise/')).toBe(join(dist, 'index.html'));
    expect(resolveAppPath(dist, 'app://fieldwise/index.html')).toBe(join(dist, 'index.html'));
    expect(resolveAppPath(dist, 'app://fieldwise/assets/index-G06.js?v=1#x')).toBe(join(dist, 'assets', 'index-G06.js'));
    expect(resolveAppPath(dist, 'app://fieldwise/fonts/Noto%20Sans%20SC.woff2')).toBe(join(dist, 'fonts', 'Noto Sans SC.woff2'));
    expect(resolveAppPath(dist, 'app://fieldwise/assets/%E4%B8%AD.svg')).toBe(join(dist, 'assets', '中.svg'));
  });

  it('never leaves the folder: dot segments are folded inside it, encoded separators refused', () => {
    const attempts = [
      'app://fieldwise/../../../etc/passwd',
      'app://fieldwise/%2e%2e/%2e%2e/etc/passwd',
      'app://fieldwise/%2E%2E/secret',
      'app://fieldwise/.%2e/.%2e/etc/passwd',
      'app://fieldwise/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://fieldwise/..%5c..%5cwindows%5cwin.ini',
      'app://fieldwise/assets/..\\..\\secret',
      'app://fieldwise/%2fetc%2fpasswd',
      'app://fieldwise/C:%5cWindows%5cwin.ini',
      'app://fieldwise/c:/windows/win.ini',
      'app://fieldwise/index.html%00.png',
      'app://fieldwise/%252e%252e/secret',
    ];
    for (const url of attempts) {
      const path = resolveAppPath(dist, url);
      if (path !== null) expect(path.startsWith(dist + '/') || path === dist, `${url} -> ${path}`).toBe(true);
    }
    // The encoded-separator attempts in particular are refused outright.
    expect(resolveAppPath(dist, 'app://fieldwise/assets/..%2f..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppPath(dist, 'app://fieldwise/..%5c..%5cwindows%5cwin.ini')).toBeNull();
    expect(resolveAppPath(dist, 'app://fieldwise/%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppPath(dist, 'app://fieldwise/C:%5cWindows%5cwin.ini')).toBeNull();
    expect(resolveAppPath(dist, 'app://fieldwise/index.html%00.png')).toBeNull();
    // Dot segments fold within the URL, so they land on the folder's own files.
    expect(resolveAppPath(dist, 'app://fieldwise/%2e%2e/%2e%2e/etc/passwd')).toBe(join(dist, 'etc', 'passwd'));
  });

  it('refuses other hosts, schemes and malformed escapes', () => {
    expect(resolveAppPath(dist, 'app://print/index.html')).toBeNull();
    expect(resolveAppPath(dist, 'app://fieldwise:99/index.html')).toBeNull();
    expect(resolveAppPath(dist, 'file:///srv/fieldwise/renderer/dist/index.html')).toBeNull();
    expect(resolveAppPath(dist, 'https://fieldwise/index.html')).toBeNull();
    expect(resolveAppPath(dist, 'app://fieldwise/%E4%B8')).toBeNull();
    expect(resolveAppPath(dist, 'not a url')).toBeNull();
  });
});

describe('app:// protocol handler (real files)', () => {
  let root: string;
  let dist: string;
  const csp = contentSecurityPolicy({ hubOrigin: 'https://hub.example.org' });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'fieldwise-protocol-'));
    dist = join(root, 'renderer', 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Fieldwise</title>');
    await writeFile(join(dist, 'assets', 'index.js'), 'console.log(1)');
    await writeFile(join(root, 'secret.txt'), 'device token: do not serve');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function handler() {
    return createAppProtocolHandler({ distDir: dist, readFile: (path) => readFile(path), contentSecurityPolicy: () => csp });
  }

  it('serves the renderer build with its content type and the CSP header', async () => {
    const response = await handler()(new Request('app://fieldwise/index.html'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Fieldwise</title>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(csp);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');

    const script = await handler()(new Request('app://fieldwise/assets/index.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(csp);
  });

  it('answers client-side routes with the app page, and missing files with 404 (with the CSP)', async () => {
    const route = await handler()(new Request('app://fieldwise/library'));
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('Fieldwise');
    const missing = await handler()(new Request('app://fieldwise/assets/missing.js'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(csp);
  });

  it('does not serve a file outside the renderer build', async () => {
    for (const url of ['app://fieldwise/../secret.txt', 'app://fieldwise/%2e%2e/%2e%2e/secret.txt', 'app://fieldwise/..%2f..%2fsecret.txt']) {
      const response = await handler()(new Request(url));
      expect(await response.text(), url).not.toContain('device token');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await handler()(new Request('app://fieldwise/index.html', { method: 'POST', body: 'x' }));
    expect(response.status).toBe(405);
    const head = await handler()(new Request('app://fieldwise/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('names content types by extension, defaulting to octet-stream', () => {
    expect(contentTypeOf('/a/b.woff2')).toBe('font/woff2');
    expect(contentTypeOf('/a/b.SVG')).toBe('image/svg+xml');
    expect(contentTypeOf('/a/b.exe')).toBe('application/octet-stream');
  });
});

describe('print documents', () => {
  it('serves each report once under a random URL, with a policy that loads nothing external', async () => {
    const documents = createPrintDocuments();
    const url = documents.add('<h1>报告</h1>');
    expect(new URL(url).host).toBe('print');
    expect(documents.add('<h1>other</h1>')).not.toBe(url);

    const response = await documents.handler(new Request(url));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<h1>报告</h1>');
    expect(response.headers.get('content-security-policy')).toBe(PRINT_CONTENT_SECURITY_POLICY);
    const csp = parseCsp(PRINT_CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.has('script-src')).toBe(false);

    documents.remove(url);
    expect((await documents.handler(new Request(url))).status).toBe(404);
    expect((await documents.handler(new Request('app://fieldwise/index.html'))).status).toBe(404);
  });
});

describe('navigation and new windows', () => {
  const allowList: ExternalLinkAllowList = { httpsHosts: ['allowed.org'], isMailtoAllowed: true };

  function fakeContents() {
    const listeners = new Map<string, ((...args: never[]) => void)[]>();
    let windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
    const contents: GuardedWebContents = {
      on(event: string, listener: (...args: never[]) => void) {
        listeners.set(event, [...(listeners.get(event) ?? []), listener]);
        return contents;
      },
      setWindowOpenHandler(handler) {
        windowOpenHandler = handler;
      },
    };
    const navigate = (event: string, url: string, isMainFrame = true): boolean => {
      let isPrevented = false;
      const details: NavigationEvent = { url, isMainFrame, preventDefault: () => (isPrevented = true) };
      for (const listener of listeners.get(event) ?? []) (listener as (details: NavigationEvent) => void)(details);
      return isPrevented;
    };
    return { contents, navigate, listeners, openWindow: (url: string) => windowOpenHandler?.({ url }) };
  }

  function harden() {
    const fake = fakeContents();
    const openExternal = vi.fn(async (_url: string) => undefined);
    hardenWebContents(fake.contents, { externalLinks: () => allowList, openExternal });
    return { ...fake, openExternal };
  }

  it('decides by the parsed URL: the app stays, allowed links go out, the rest is refused', () => {
    expect(navigationDecision('app://fieldwise/library', allowList)).toBe('stay');
    expect(navigationDecision('https://allowed.org/x', allowList)).toBe('open-external');
    expect(navigationDecision('https://allowed.org.evil.com/', allowList)).toBe('refuse');
    expect(navigationDecision('app://evil/', allowList)).toBe('refuse');
    expect(navigationDecision('file:///etc/passwd', allowList)).toBe('refuse');
  });

  it('blocks navigation away from the app and opens allow-listed links in the OS browser instead', async () => {
    const { navigate, openExternal } = harden();
    expect(navigate('will-navigate', 'app://fieldwise/library')).toBe(false);
    expect(navigate('will-navigate', 'https://evil.com/phish')).toBe(true);
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(openExternal).not.toHaveBeenCalled();
    expect(navigate('will-navigate', 'https://allowed.org/guide')).toBe(true);
    expect(openExternal).toHaveBeenCalledExactlyOnceWith('https://allowed.org/guide');
  });

  it('keeps subframes in the app and refuses redirects out of it', () => {
    const { navigate, openExternal } = harden();
    expect(navigate('will-frame-navigate', 'https://allowed.org/', false)).toBe(true);
    expect(navigate('will-frame-navigate', 'app://fieldwise/frame.html', false)).toBe(false);
    expect(navigate('will-redirect', 'https://allowed.org/')).toBe(true);
    expect(navigate('will-redirect', 'app://fieldwise/index.html')).toBe(false);
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('denies every new window, opening only allow-listed links outside', () => {
    const { openWindow, openExternal } = harden();
    expect(openWindow('https://evil.com/')).toEqual({ action: 'deny' });
    expect(openWindow('app://fieldwise/index.html')).toEqual({ action: 'deny' });
    expect(openWindow('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(openExternal).not.toHaveBeenCalled();
    expect(openWindow('https://allowed.org/x')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledExactlyOnceWith('https://allowed.org/x');
  });

  it('refuses to attach a <webview>', () => {
    const { navigate } = harden();
    expect(navigate('will-attach-webview', 'https://allowed.org/')).toBe(true);
  });
});

describe('session permissions', () => {
  type RequestHandler = Parameters<GuardedSession['setPermissionRequestHandler']>[0];
  type CheckHandler = Parameters<GuardedSession['setPermissionCheckHandler']>[0];

  function hardened(policy?: Parameters<typeof hardenSession>[1]) {
    let requestHandler: RequestHandler | undefined;
    let checkHandler: CheckHandler | undefined;
    let deviceHandler: Parameters<GuardedSession['setDevicePermissionHandler']>[0] | undefined;
    let downloadListener: ((event: { preventDefault(): void }) => void) | undefined;
    const session: GuardedSession = {
      setPermissionRequestHandler: (handler) => (requestHandler = handler),
      setPermissionCheckHandler: (handler) => (checkHandler = handler),
      setDevicePermissionHandler: (handler) => (deviceHandler = handler),
      on: (_event, listener) => (downloadListener = listener),
    };
    hardenSession(session, policy);
    const request = (permission: string, details: unknown): boolean => {
      const callback = vi.fn();
      requestHandler?.({}, permission, callback, details);
      expect(callback, permission).toHaveBeenCalledOnce();
      return callback.mock.calls[0]![0] as boolean;
    };
    const check = (permission: string, origin: string, details: unknown): boolean | undefined => checkHandler?.({}, permission, origin, details);
    return { request, check, device: (details: unknown) => deviceHandler?.(details), download: (event: { preventDefault(): void }) => downloadListener?.(event) };
  }

  const appPage = 'app://fieldwise/index.html#/entry/e1';
  const microphone = { requestingUrl: appPage, isMainFrame: true, mediaTypes: ['audio'] };

  it('denies every permission request and check, every device and every download', () => {
    const { request, check, device, download } = hardened();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'fullscreen', 'openExternal', 'hid', 'serial', 'usb']) {
      expect(request(permission, { requestingUrl: appPage, isMainFrame: true }), permission).toBe(false);
      expect(check(permission, 'app://fieldwise', {}), permission).toBe(false);
    }
    // The print window's session: not even the app's own microphone request.
    expect(request('media', microphone)).toBe(false);
    expect(device({ deviceType: 'usb' })).toBe(false);
    const event = { preventDefault: vi.fn() };
    download(event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });

  it("grants the main window's app page the microphone, audio only", () => {
    const { request, check } = hardened({ isMicrophoneAllowed: true });
    expect(request('media', microphone)).toBe(true);
    expect(check('media', 'app://fieldwise', { mediaType: 'audio', securityOrigin: 'app://fieldwise/' })).toBe(true);
    expect(check('media', 'app://fieldwise', { mediaType: 'audio' })).toBe(true);
  });

  it('refuses the camera, audio with video, another origin, a subframe and every other permission, with the microphone allowed', () => {
    const { request, check, device } = hardened({ isMicrophoneAllowed: true });
    expect(request('media', { ...microphone, mediaTypes: ['video'] })).toBe(false);
    expect(request('media', { ...microphone, mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(request('media', { ...microphone, mediaTypes: [] })).toBe(false);
    expect(request('media', { ...microphone, mediaTypes: undefined })).toBe(false);
    expect(request('media', { ...microphone, isMainFrame: false })).toBe(false);
    expect(request('media', undefined)).toBe(false);
    for (const requestingUrl of ['https://evil.example/', 'app://fieldwise.evil/index.html', 'app://print/index.html', 'app://fieldwise:8080/', 'app://user:pw@fieldwise/', 'file:///home/a/index.html', 'http://127.0.0.1:5173/', 'not a url', 42]) {
      expect(request('media', { ...microphone, requestingUrl }), String(requestingUrl)).toBe(false);
    }
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'display-capture', 'mediaKeySystem', 'hid', 'usb']) {
      expect(request(permission, microphone), permission).toBe(false);
      expect(check(permission, 'app://fieldwise', { mediaType: 'audio' }), permission).toBe(false);
    }
    expect(check('media', 'app://fieldwise', { mediaType: 'video' })).toBe(false);
    expect(check('media', 'https://evil.example', { mediaType: 'audio' })).toBe(false);
    expect(check('media', 'app://fieldwise', { mediaType: 'audio', securityOrigin: 'https://evil.example' })).toBe(false);
    expect(device({ deviceType: 'hid' })).toBe(false);
  });
});

describe('desktop configuration', () => {
  it('takes the hub from settings.json, the override first, and trusts the TLS hub host for links', () => {
    const { config, warnings } = desktopConfig({
      hubUrlOverride: undefined,
      settingsText: JSON.stringify({ hubUrl: 'https://hub.example.org/some/path', externalLinkHosts: ['Docs.Example.org'] }),
    });
    expect(warnings).toEqual([]);
    expect(config.hubOrigin).toBe('https://hub.example.org');
    expect(config.externalLinks.httpsHosts).toEqual(['hub.example.org', 'docs.example.org']);
    expect(desktopConfig({ hubUrlOverride: 'http://127.0.0.1:8787', settingsText: null }).config.hubOrigin).toBe('http://127.0.0.1:8787');
    expect(desktopConfig({ hubUrlOverride: 'http://127.0.0.1:8787', settingsText: null }).config.externalLinks.httpsHosts).toEqual([]);
  });

  it('leaves out bad values with a warning instead of allowing more', () => {
    const { config, warnings } = desktopConfig({
      hubUrlOverride: undefined,
      settingsText: JSON.stringify({ hubUrl: 'javascript:alert(1)', externalLinkHosts: ['evil.com/path', 'ok.example'] }),
    });
    expect(config.hubOrigin).toBeNull();
    expect(config.externalLinks.httpsHosts).toEqual(['ok.example']);
    expect(warnings).toHaveLength(2);
    expect(desktopConfig({ hubUrlOverride: undefined, settingsText: '{not json' }).warnings).toHaveLength(1);
    expect(hubOriginOf('https://user:pw@hub.example.org')).toBeNull();
    expect(hubOriginOf('wss://hub.example.org')).toBeNull();
  });
});

describe('desktop settings: the hub the renderer sets', () => {
  let dir: string;
  let settingsPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fieldwise-settings-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  let caseNumber = 0;
  async function settingsWith(settingsText: string | null, hubUrlOverride?: string, fileSystem: FileSystemPort = fs) {
    caseNumber += 1;
    settingsPath = join(dir, `case-${caseNumber}`, 'settings.json');
    if (settingsText !== null) {
      await mkdir(dirname(settingsPath), { recursive: true });
      await writeFile(settingsPath, settingsText);
    }
    const warnings: string[] = [];
    const settings = createDesktopSettings({ fs: fileSystem, filePath: settingsPath, hubUrlOverride, settingsText, onDidWarn: (warning) => warnings.push(warning) });
    return { settings, warnings };
  }

  const tempFiles = async () => (await readdir(dirname(settingsPath))).filter((name) => name.endsWith('.tmp'));

  it('starts from settings.json and reports what it leaves out', async () => {
    const { settings, warnings } = await settingsWith(JSON.stringify({ hubUrl: 'https://hub.example.org', externalLinkHosts: ['evil.com/path'] }));
    expect(settings.config().hubOrigin).toBe('https://hub.example.org');
    expect(warnings).toHaveLength(1);
  });

  it('creates settings.json (and its folder) on a fresh install', async () => {
    const { settings } = await settingsWith(null);
    expect(settings.config().hubOrigin).toBeNull();
    expect(await settings.setHubUrl('https://hub.example.org')).toEqual({ isApplied: true, isReloadRequired: true });
    expect(JSON.parse(await readFile(settingsPath, 'utf8'))).toEqual({ hubUrl: 'https://hub.example.org/' });
    expect(settings.config().hubOrigin).toBe('https://hub.example.org');
  });

  it('keeps the old file and the old hub when the write fails half-way', async () => {
    const before = JSON.stringify({ hubUrl: 'https://hub.example.org' });
    const failingRename: FileSystemPort = { ...fs, rename: async () => Promise.reject(new Error('disk full')) };
    const { settings } = await settingsWith(before, undefined, failingRename);
    await expect(settings.setHubUrl('https://other.example.net')).rejects.toThrow('disk full');
    expect(await readFile(settingsPath, 'utf8')).toBe(before);
    expect(settings.config().hubOrigin).toBe('https://hub.example.org');
    expect(await tempFiles()).toEqual([]);
  });

  it('applies changes one at a time: the last one asked for wins, in the file and in force', async () => {
    const { settings } = await settingsWith(null);
    const hubs = Array.from({ length: 6 }, (_, index) => `https://hub-${index}.example.org`);
    await Promise.all(hubs.map((hub) => settings.setHubUrl(hub)));
    expect(JSON.parse(await readFile(settingsPath, 'utf8'))).toEqual({ hubUrl: 'https://hub-5.example.org/' });
    expect(settings.config().hubOrigin).toBe('https://hub-5.example.org');
    expect(await tempFiles()).toEqual([]);
  });

  it('does not overwrite a settings.json it cannot read as its own, and says why', async () => {
    for (const damaged of ['{not json', '[]', '"hub"', JSON.stringify({ externalLinkHosts: 'not a list' })]) {
      const { settings } = await settingsWith(damaged);
      const result = await settings.setHubUrl('https://hub.example.org');
      expect(result, damaged).toMatchObject({ isApplied: false, reason: expect.stringMatching(/settings/) });
      expect(await readFile(settingsPath, 'utf8')).toBe(damaged);
      expect(settings.config().hubOrigin).toBeNull();
    }
  });

  it('lets FIELDWISE_HUB_URL pin the hub: another one is refused with a reason, the same one applies', async () => {
    const { settings } = await settingsWith(null, 'http://127.0.0.1:8787');
    const refused = await settings.setHubUrl('https://hub.example.org');
    expect(refused).toEqual({ isApplied: false, reason: expect.stringContaining('FIELDWISE_HUB_URL') });
    expect(settings.config().hubOrigin).toBe('http://127.0.0.1:8787');
    expect(await settings.setHubUrl('http://127.0.0.1:8787/')).toEqual({ isApplied: true, isReloadRequired: false });
    await expect(readFile(settingsPath, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('module layout', () => {
  it('keeps electron out of the tested logic: only the wiring files import it at run time', async () => {
    const wiring = new Set(['electron/main/main.ts', 'electron/main/electronPorts.ts', 'electron/main/createMainWindow.ts', 'electron/preload.ts']);
    const { readdir } = await import('node:fs/promises');
    const logicFiles = [
      ...(await readdir(join(REPO_ROOT, 'electron/main'))).map((name) => `electron/main/${name}`),
      ...(await readdir(join(REPO_ROOT, 'electron'))).map((name) => `electron/${name}`),
    ].filter((path) => path.endsWith('.ts') && !wiring.has(path));
    expect(logicFiles.length).toBeGreaterThan(10);

    const result = await build({
      entryPoints: logicFiles.map((path) => join(REPO_ROOT, path)),
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      outdir: join(tmpdir(), 'fieldwise-layout-check'),
      external: ['electron'],
      logLevel: 'silent',
    });
    const importsElectron = Object.entries(result.metafile.inputs)
      .filter(([, input]) => input.imports.some((entry) => entry.path === 'electron'))
      .map(([path]) => path);
    expect(importsElectron).toEqual([]);
  });
});

