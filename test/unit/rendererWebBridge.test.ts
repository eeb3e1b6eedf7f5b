import { afterEach, describe, expect, it, vi } from 'vitest';
import { desktopBridgeMethods, type DesktopBridge } from '../../shared/bridge/desktopBridge';
import { createWebBridge, externalLinkOrNull, hubOriginOrNull, safeFileName, type WebBridgePorts } from '../../renderer/platform/webBridge';

/*
 * The web implementation of the desktop bridge, on fake ports (no DOM here): it satisfies the
 * contract, keeps secrets where it says, opens only https links, parsed, without an opener, and
 * takes only the hub addresses the desktop takes.
 */

function fakePorts() {
  const stored = new Map<string, string>();
  const opened: { url: string; target: string; features: string }[] = [];
  const clicked: { href: string; download: string }[] = [];
  const revoked: string[] = [];
  const link = { href: '', download: '', rel: '', click: () => clicked.push({ href: link.href, download: link.download }), remove: () => undefined };
  const ports: WebBridgePorts = {
    storage: {
      getItem: (key) => stored.get(key) ?? null,
      setItem: (key, value) => void stored.set(key, value),
      removeItem: (key) => void stored.delete(key),
    },
    document: { createElement: () => link, body: { append: () => undefined } } as unknown as Document,
    open: (url, target, features) => opened.push({ url, target, features }),
    createObjectUrl: () => 'blob:fieldwise/1',
    revokeObjectUrl: (url) => revoked.push(url),
    userAgent: 'test',
    version: '1.2.3',
    notifications: null,
  };
  return { ports, stored, opened, clicked, revoked };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('web bridge', () => {
  it('satisfies the desktop bridge contract, every method a function', async () => {
    const bridge = createWebBridge(fakePorts().ports) satisfies DesktopBridge;
    for (const name of desktopBridgeMethods) expect(typeof bridge[name], name).toBe('function');
    expect(await bridge.appInfo()).toEqual({ name: 'Fieldwise', version: '1.2.3', platform: 'web', os: 'test' });
  });

  it('shows a notification through the browser only when the permission is granted, and never asks for it', async () => {
    const shown: { title: string; body: string; tag: string }[] = [];
    let permission: 'granted' | 'denied' | 'default' = 'default';
    const notifications = { permission: () => permission, show: (title: string, options: { body: string; tag: string }) => void shown.push({ title, ...options }) };
    const bridge = createWebBridge({ ...fakePorts().ports, notifications });
    const request = { title: 'Vote closes soon', body: 'Pool the seed fund: 5 hours left' };
    expect(await bridge.notify(request)).toBe(false);
    permission = 'denied';
    expect(await bridge.notify(request)).toBe(false);
    expect(shown).toEqual([]);
    permission = 'granted';
    expect(await bridge.notify(request)).toBe(true);
    expect(shown).toEqual([{ ...request, tag: 'fieldwise:Vote closes soon' }]);
    // A browser without the API: nothing, and no error.
    expect(await createWebBridge(fakePorts().ports).notify(request)).toBe(false);
  });

  it('keeps secrets in the origin storage and says so', async () => {
    const { ports, stored } = fakePorts();
    const bridge = createWebBridge(ports);
    expect(await bridge.secretProtection()).toBe('browser-storage');
    expect(await bridge.getSecret('hub-token')).toBeNull();
    await bridge.setSecret('hub-token', 'secret-value');
    expect(await bridge.getSecret('hub-token')).toBe('secret-value');
    expect([...stored.keys()]).toEqual(['fieldwise.secret.hub-token']);
    await bridge.deleteSecret('hub-token');
    expect(await bridge.getSecret('hub-token')).toBeNull();
  });

  it('opens an https link in a new tab without an opener', async () => {
    const { ports, opened } = fakePorts();
    const bridge = createWebBridge(ports);
    expect(await bridge.openExternal('https://example.org/report?id=1')).toBe(true);
    expect(opened).toEqual([{ url: 'https://example.org/report?id=1', target: '_blank', features: 'noopener,noreferrer' }]);
  });

  it('refuses every external link that is not plain https', async () => {
    const { ports, opened } = fakePorts();
    const bridge = createWebBridge(ports);
    const refused = [
      'http://example.org/',
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'blob:https://example.org/1',
      'ftp://example.org/',
      '//example.org/path',
      '/relative/path',
      'example.org',
      'https://user:password@example.org/',
      'https://',
      'not a url',
      '',
      // A prefix check would let these through; the parser does not.
      'https:evil.example.org@/',
      'javascript://https://example.org/%0aalert(1)',
    ];
    for (const url of refused) {
      expect(await bridge.openExternal(url), url).toBe(false);
      expect(externalLinkOrNull(url), url).toBeNull();
    }
    expect(opened).toEqual([]);
  });

  it('normalizes what it opens through the URL parser', () => {
    expect(externalLinkOrNull('HTTPS://Example.ORG/a/../b')).toBe('https://example.org/b');
  });

  it('downloads a file through a Blob link with a safe name, then frees the Blob', async () => {
    vi.useFakeTimers();
    const { ports, clicked, revoked } = fakePorts();
    const bridge = createWebBridge(ports);
    const result = await bridge.saveFile({ suggestedName: '../报告/2026:Q1.csv', filters: [{ name: 'CSV', extensions: ['csv'] }], data: 'a,b\n1,2\n' });
    expect(result).toEqual({ isSaved: true, path: '-报告-2026-Q1.csv' });
    expect(clicked).toEqual([{ href: 'blob:fieldwise/1', download: '-报告-2026-Q1.csv' }]);
    expect(revoked).toEqual([]);
    vi.runAllTimers();
    expect(revoked).toEqual(['blob:fieldwise/1']);
  });

  it('suggests file names without path separators or control characters', () => {
    expect(safeFileName('a/b\\c\u0000d.txt')).toBe('a-b-c-d.txt');
    expect(safeFileName('...')).toBe('fieldwise-export');
    expect(safeFileName('')).toBe('fieldwise-export');
  });

  it('takes an http(s) hub address with nothing to apply: the browser build may connect to any hub', async () => {
    const bridge = createWebBridge(fakePorts().ports);
    for (const url of ['https://hub.example.org', 'https://hub.example.org:8443/fieldwise', 'http://192.168.1.20:8787', 'HTTP://LOCALHOST:8787']) {
      expect(await bridge.setHubUrl(url), url).toEqual({ isApplied: true, isReloadRequired: false });
    }
    expect(hubOriginOrNull('HTTPS://Hub.Example.org:443/a/b')).toBe('https://hub.example.org');
  });

  it('refuses hub addresses with credentials or another scheme, as the desktop does', async () => {
    const bridge = createWebBridge(fakePorts().ports);
    const refused = [
      'https://user:password@hub.example.org',
      'https://user@hub.example.org',
      'javascript:alert(1)',
      'JavaScript://hub.example.org/%0aalert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'wss://hub.example.org',
      '//hub.example.org',
      'hub.example.org',
      'https://',
      '',
    ];
    for (const url of refused) {
      await expect(bridge.setHubUrl(url), url).rejects.toThrow(/^invalid-arguments: setHubUrl: /);
      expect(hubOriginOrNull(url), url).toBeNull();
    }
  });
});
