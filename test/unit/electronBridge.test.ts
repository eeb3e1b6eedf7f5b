// The desktop bridge end to end without Electron: the preload's object (and the bundled preload,
// loaded the way a sandboxed preload is, with only a fake `electron` to require), the IPC
// handlers that guard each channel, and the main-process services behind them, on fake dialogs,
// shell and printer with real files.
import * as fs from 'node:fs/promises';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { desktopBundles } from '../../build/desktopBundles';
import { bridgeChannel } from '../../electron/bridgeChannels';
import { createBridge } from '../../electron/createBridge';
import { createAppProtocolHandler } from '../../electron/main/appProtocolHandler';
import { contentSecurityPolicy } from '../../electron/main/contentSecurityPolicy';
import { createDesktopServices } from '../../electron/main/desktopServices';
import { createDesktopSettings, type DesktopSettings } from '../../electron/main/desktopSettings';
import { createIpcHandlers } from '../../electron/main/ipcHandlers';
import type { FileSystemPort, MainPorts, PrintOptions } from '../../electron/main/ports';
import { createSecretStore } from '../../electron/main/secretStore';
import { DESKTOP_BRIDGE_GLOBAL, desktopBridgeMethods, type DesktopBridge } from '../../shared/bridge/desktopBridge';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const APP_FRAME = 'app://fieldwise/index.html';

describe('preload bridge object', () => {
  it('has exactly the contract methods, frozen, each invoking its own fixed channel', async () => {
    const invoke = vi.fn(async (..._args: unknown[]) => 'answer');
    const bridge = createBridge(invoke);
    expect(Object.keys(bridge).sort()).toEqual([...desktopBridgeMethods].sort());
    expect(Object.isFrozen(bridge)).toBe(true);

    await bridge.appInfo();
    await bridge.secretProtection();
    await bridge.setSecret('device-token', 'v', 'pass phrase');
    await bridge.getSecret('device-token');
    await bridge.deleteSecret('device-token');
    await bridge.saveFile({ suggestedName: 'a.csv', filters: [], data: 'x' });
    await bridge.printToPdf({ html: '<p>', suggestedName: 'r.pdf' });
    await bridge.openExternal('https://example.org/');
    await bridge.setHubUrl('https://hub.example.org');
    await bridge.notify({ title: 'Vote closes soon', body: 'Pool the seed fund' });
    expect(invoke.mock.calls).toEqual([
      ['fieldwise:bridge:appInfo'],
      ['fieldwise:bridge:secretProtection'],
      ['fieldwise:bridge:setSecret', 'device-token', 'v', 'pass phrase'],
      ['fieldwise:bridge:getSecret', 'device-token', undefined],
      ['fieldwise:bridge:deleteSecret', 'device-token'],
      ['fieldwise:bridge:saveFile', { suggestedName: 'a.csv', filters: [], data: 'x' }],
      ['fieldwise:bridge:printToPdf', { html: '<p>', suggestedName: 'r.pdf' }],
      ['fieldwise:bridge:openExternal', 'https://example.org/'],
      ['fieldwise:bridge:setHubUrl', 'https://hub.example.org'],
      ['fieldwise:bridge:notify', { title: 'Vote closes soon', body: 'Pool the seed fund' }],
    ]);
  });
});

describe('bundled preload', () => {
  let code: string;

  beforeAll(async () => {
    const { preload } = desktopBundles(REPO_ROOT, join(tmpdir(), 'fieldwise-preload-check'));
    const result = await build({ ...preload, write: false });
    code = result.outputFiles[0]?.text ?? '';
  });

  it('requires nothing but electron (a sandboxed preload can load nothing else)', () => {
    const required = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1]);
    expect(required).toEqual(['electron']);
    expect(code).not.toMatch(/\bimport\s*\(/);
  });

  it('exposes one frozen object with exactly the contract methods, and never ipcRenderer', async () => {
    const exposed = new Map<string, unknown>();
    const invoke = vi.fn(async (..._args: unknown[]) => ({ name: 'Fieldwise' }));
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (name: string, api: unknown) => exposed.set(name, api) },
      ipcRenderer: { invoke, send: vi.fn(), on: vi.fn(), sendSync: vi.fn() },
    };
    const sandboxRequire = (name: string): unknown => {
      if (name === 'electron') return fakeElectron;
      throw new Error(`a sandboxed preload cannot require ${name}`);
    };
    const module = { exports: {} };
    new Function('require', 'module', 'exports', code)(sandboxRequire, module, module.exports);

    expect([...exposed.keys()]).toEqual([DESKTOP_BRIDGE_GLOBAL]);
    const api = exposed.get(DESKTOP_BRIDGE_GLOBAL) as Record<string, unknown>;
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).sort()).toEqual([...desktopBridgeMethods].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.values(api)).not.toContain(fakeElectron.ipcRenderer);
    expect(Object.values(api)).not.toContain(invoke);

    await (api as unknown as DesktopBridge).appInfo();
    expect(invoke).toHaveBeenCalledExactlyOnceWith('fieldwise:bridge:appInfo');
    expect(fakeElectron.ipcRenderer.send).not.toHaveBeenCalled();
  });
});

interface Harness {
  readonly handlers: ReturnType<typeof createIpcHandlers>;
  readonly ports: MainPorts;
  readonly savePath: { value: string | null };
  readonly printed: { html: string; options: PrintOptions }[];
  readonly opened: string[];
  readonly notified: { title: string; body: string }[];
  readonly notifier: { isSupported: boolean };
  readonly settings: DesktopSettings;
  readonly settingsPath: string;
  /** The settings file's writes and renames, in order. */
  readonly settingsFileCalls: string[];
  call(method: (typeof desktopBridgeMethods)[number], args: unknown[]): Promise<unknown>;
  callFrom(senderFrameUrl: string | undefined, method: (typeof desktopBridgeMethods)[number], args: unknown[]): Promise<unknown>;
}

describe('IPC handlers and services', () => {
  let dir: string;
  let harness: Harness;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fieldwise-bridge-'));
    const savePath = { value: null as string | null };
    const printed: Harness['printed'] = [];
    const opened: string[] = [];
    const notified: Harness['notified'] = [];
    const notifier = { isSupported: true };
    const ports: MainPorts = {
      safeStorage: {
        isEncryptionAvailable: async () => true,
        selectedBackend: () => 'basic_text',
        encrypt: async () => Promise.reject(new Error('basic_text must not be used')),
        decrypt: async () => Promise.reject(new Error('basic_text must not be used')),
      },
      dialog: { showSaveDialog: vi.fn(async () => savePath.value) },
      shell: { openExternal: async (url) => void opened.push(url) },
      fs,
      printer: {
        printToPdf: async (html, options) => {
          printed.push({ html, options });
          return new TextEncoder().encode('%PDF-1.7 fake');
        },
      },
      notifier: { isSupported: () => notifier.isSupported, show: (notification) => void notified.push({ ...notification }) },
      app: { name: 'Fieldwise', version: '0.1.0', os: 'linux 6.1.0 (x64)', userDataDir: join(dir, 'userData'), downloadsDir: join(dir, 'Downloads') },
    };
    const settingsPath = join(dir, 'userData', 'settings.json');
    const settingsFileCalls: string[] = [];
    const recordingFs: FileSystemPort = {
      ...fs,
      writeFile: (...args: Parameters<typeof fs.writeFile>) => {
        settingsFileCalls.push(`writeFile ${String(args[0])}`);
        return fs.writeFile(...args);
      },
      rename: (...args: Parameters<typeof fs.rename>) => {
        settingsFileCalls.push(`rename ${String(args[0])} -> ${String(args[1])}`);
        return fs.rename(...args);
      },
    };
    // No hub yet, as on a fresh install; the links' host comes from externalLinkHosts.
    const settingsText = `${JSON.stringify({ externalLinkHosts: ['hub.example.org'] })}\n`;
    await mkdir(join(dir, 'userData'), { recursive: true });
    await writeFile(settingsPath, settingsText);
    const settings = createDesktopSettings({ fs: recordingFs, filePath: settingsPath, hubUrlOverride: undefined, settingsText, onDidWarn: () => undefined });
    const services = createDesktopServices({
      ports,
      settings,
      secretStore: createSecretStore({
        safeStorage: ports.safeStorage,
        fs,
        filePath: join(dir, 'userData', 'secrets.json'),
        scryptCost: { cost: 2 ** 10, blockSize: 8, parallelization: 1 },
      }),
    });
    const handlers = createIpcHandlers(services);
    const callFrom: Harness['callFrom'] = (senderFrameUrl, method, args) => {
      const handler = handlers.get(bridgeChannel(method));
      if (handler === undefined) throw new Error(`no handler for ${method}`);
      return handler({ senderFrameUrl, args });
    };
    harness = {
      handlers,
      ports,
      savePath,
      printed,
      opened,
      notified,
      notifier,
      settings,
      settingsPath,
      settingsFileCalls,
      callFrom,
      call: (method, args) => callFrom(APP_FRAME, method, args),
    };
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('handles exactly one channel per contract method, named from the contract', () => {
    expect([...harness.handlers.keys()]).toEqual(desktopBridgeMethods.map((method) => `fieldwise:bridge:${method}`));
  });

  it('refuses every method to a frame that is not the app, before looking at the arguments', async () => {
    for (const method of desktopBridgeMethods) {
      for (const sender of ['https://evil.com/', 'file:///tmp/x.html', 'app://print/x.html', undefined]) {
        await expect(harness.callFrom(sender, method, []), `${method} from ${sender}`).rejects.toThrow(/^untrusted-sender: /);
      }
    }
    expect(harness.ports.dialog.showSaveDialog).not.toHaveBeenCalled();
    expect(harness.notified).toEqual([]);
  });

  it('refuses bad arguments with a message that names the method and the problem', async () => {
    const bad: [(typeof desktopBridgeMethods)[number], unknown[]][] = [
      ['appInfo', ['extra']],
      ['setSecret', ['device-token']],
      ['setSecret', ['../../etc/passwd', 'v']],
      ['setSecret', ['device-token', 42]],
      ['setSecret', ['device-token', 'v', 'pass phrase', 'extra']],
      ['getSecret', [{ key: 'device-token' }]],
      ['deleteSecret', ['__proto__']],
      ['saveFile', [{ suggestedName: '../../.bashrc', filters: [], data: 'x' }]],
      ['saveFile', [{ suggestedName: 'a.csv', filters: [], data: 'x', path: '/etc/passwd' }]],
      ['saveFile', [{ suggestedName: 'a.csv', filters: [{ name: 'CSV', extensions: ['.csv'] }], data: 'x' }]],
      ['saveFile', [{ suggestedName: 'a.csv', filters: [], data: { length: 3 } }]],
      ['saveFile', [{ suggestedName: 'C:\\Windows\\a.csv', filters: [], data: 'x' }]],
      ['printToPdf', [{ html: '', suggestedName: 'r.pdf' }]],
      ['printToPdf', [{ html: '<p>', suggestedName: 'r.pdf', pageSize: 'A0' }]],
      ['openExternal', [{ href: 'https://hub.example.org/' }]],
      ['openExternal', []],
      ['setHubUrl', []],
      ['setHubUrl', [42]],
      ['setHubUrl', ['']],
      ['setHubUrl', ['hub.example.org']],
      ['setHubUrl', ['https://hub.example.org', 'extra']],
      ['notify', []],
      ['notify', ['Vote closes soon']],
      ['notify', [{ title: '', body: 'x' }]],
      ['notify', [{ title: 'x'.repeat(201), body: '' }]],
      ['notify', [{ title: 'Vote', body: 'x', icon: 'file:///etc/passwd' }]],
      ['notify', [{ title: 'Vote', body: 'x' }, 'extra']],
    ];
    for (const [method, args] of bad) {
      await expect(harness.call(method, args), `${method}(${JSON.stringify(args)})`).rejects.toThrow(new RegExp(`^invalid-arguments: ${method}: `));
    }
  });

  it('shows a system notification through the notifier port, and says false where the OS has none', async () => {
    expect(await harness.call('notify', [{ title: 'Vote closes soon', body: 'Pool the seed fund: 5 hours left' }])).toBe(true);
    expect(harness.notified).toEqual([{ title: 'Vote closes soon', body: 'Pool the seed fund: 5 hours left' }]);
    harness.notifier.isSupported = false;
    try {
      expect(await harness.call('notify', [{ title: 'Vote closes soon', body: '' }])).toBe(false);
    } finally {
      harness.notifier.isSupported = true;
    }
    expect(harness.notified).toHaveLength(1);
  });

  it('answers app info', async () => {
    expect(await harness.call('appInfo', [])).toEqual({ name: 'Fieldwise', version: '0.1.0', platform: 'electron', os: 'linux 6.1.0 (x64)' });
  });

  it('stores secrets with a passphrase on a basic_text machine, through IPC', async () => {
    expect(await harness.call('secretProtection', [])).toBe('passphrase-required');
    await harness.call('setSecret', ['device-token', 'tok-123', 'a long passphrase']);
    expect(await harness.call('getSecret', ['device-token', 'a long passphrase'])).toBe('tok-123');
    await expect(harness.call('getSecret', ['device-token', 'wrong passphrase'])).rejects.toThrow(/^wrong-passphrase: /);
    expect(await readFile(join(dir, 'userData', 'secrets.json'), 'utf8')).not.toContain('tok-123');
    await harness.call('deleteSecret', ['device-token']);
    expect(await harness.call('getSecret', ['device-token', 'a long passphrase'])).toBeNull();
  });

  it('saves a file where the person chose, text or bytes, and nothing when they cancel', async () => {
    const path = join(dir, 'library.csv');
    harness.savePath.value = path;
    expect(await harness.call('saveFile', [{ suggestedName: '图书馆.csv', filters: [{ name: 'CSV', extensions: ['csv'] }], data: '标题,地区\n' }])).toEqual({
      isSaved: true,
      path,
    });
    expect(await readFile(path, 'utf8')).toBe('标题,地区\n');
    expect(harness.ports.dialog.showSaveDialog).toHaveBeenLastCalledWith({
      defaultPath: join(dir, 'Downloads', '图书馆.csv'),
      filters: [{ name: 'CSV', extensions: ['csv'] }],
    });

    await harness.call('saveFile', [{ suggestedName: 'a.bin', filters: [], data: new Uint8Array([0, 1, 2, 255]) }]);
    expect([...(await readFile(path))]).toEqual([0, 1, 2, 255]);

    harness.savePath.value = null;
    expect(await harness.call('saveFile', [{ suggestedName: 'a.csv', filters: [], data: 'x' }])).toEqual({ isSaved: false });
  });

  it('prints HTML to PDF with the requested page, then saves it as .pdf', async () => {
    const path = join(dir, 'report.pdf');
    harness.savePath.value = path;
    const result = await harness.call('printToPdf', [{ html: '<h1>年度报告</h1>', suggestedName: '年度报告', pageSize: 'Letter', isLandscape: true }]);
    expect(result).toEqual({ isSaved: true, path });
    expect(harness.printed.at(-1)).toEqual({ html: '<h1>年度报告</h1>', options: { pageSize: 'Letter', isLandscape: true } });
    expect(harness.ports.dialog.showSaveDialog).toHaveBeenLastCalledWith({
      defaultPath: join(dir, 'Downloads', '年度报告.pdf'),
      filters: [{ name: 'PDF', extensions: ['pdf'] }],
    });
    expect(await readFile(path, 'utf8')).toBe('%PDF-1.7 fake');

    await harness.call('printToPdf', [{ html: '<p>x</p>', suggestedName: 'r.PDF' }]);
    expect(harness.printed.at(-1)?.options).toEqual({ pageSize: 'A4', isLandscape: false });
  });

  it('opens only allow-listed links, as re-serialized by the URL parser', async () => {
    expect(await harness.call('openExternal', ['HTTPS://HUB.EXAMPLE.ORG/guide'])).toBe(true);
    expect(await harness.call('openExternal', ['https://hub.example.org.evil.com/'])).toBe(false);
    expect(await harness.call('openExternal', ['https://evil.com@hub.example.org/'])).toBe(false);
    expect(await harness.call('openExternal', ['file:///etc/passwd'])).toBe(false);
    expect(await harness.call('openExternal', ['javascript:alert(1)'])).toBe(false);
    expect(harness.opened).toEqual(['https://hub.example.org/guide']);
  });

  it('refuses setHubUrl to a frame that is not the app, changing nothing', async () => {
    const before = await readFile(harness.settingsPath, 'utf8');
    const hubBefore = harness.settings.config().hubOrigin;
    for (const sender of ['https://evil.com/', 'file:///tmp/x.html', 'app://print/x.html', 'app://fieldwise:8080/', undefined]) {
      await expect(harness.callFrom(sender, 'setHubUrl', ['https://evil.com']), String(sender)).rejects.toThrow(/^untrusted-sender: setHubUrl /);
    }
    expect(await readFile(harness.settingsPath, 'utf8')).toBe(before);
    expect(harness.settings.config().hubOrigin).toBe(hubBefore);
  });

  it('refuses a hub URL with credentials, or that is not http(s), with a clear error, changing nothing', async () => {
    const before = await readFile(harness.settingsPath, 'utf8');
    const hubBefore = harness.settings.config().hubOrigin;
    const refused = [
      'https://user:password@hub.example.org',
      'https://user@hub.example.org',
      'http://:pw@hub.example.org',
      'javascript:alert(1)',
      'JavaScript://hub.example.org/%0aalert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'wss://hub.example.org',
      'ftp://hub.example.org',
      'app://fieldwise/',
      '//hub.example.org',
      'https://',
      'not a url',
      `https://hub.example.org/${'a'.repeat(4096)}`,
    ];
    for (const url of refused) {
      await expect(harness.call('setHubUrl', [url]), url).rejects.toThrow(
        /^invalid-arguments: setHubUrl: .*(a hub URL is an http\(s\) URL without user or password|Too big)/s,
      );
    }
    // The service refuses on its own too, whatever calls it.
    await expect(harness.settings.setHubUrl('javascript:alert(1)')).rejects.toThrow(/^invalid-arguments: /);
    expect(await readFile(harness.settingsPath, 'utf8')).toBe(before);
    expect(harness.settings.config().hubOrigin).toBe(hubBefore);
  });

  it('persists a new hub atomically and allows it in the CSP of the next app:// response', async () => {
    const dist = join(dir, 'dist');
    await mkdir(dist, { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Fieldwise</title>');
    const serve = createAppProtocolHandler({
      distDir: dist,
      readFile: (path) => readFile(path),
      contentSecurityPolicy: () => contentSecurityPolicy({ hubOrigin: harness.settings.config().hubOrigin }),
    });
    const connectSrc = async () => {
      const policy = (await serve(new Request('app://fieldwise/index.html'))).headers.get('content-security-policy') ?? '';
      return policy.split(';').map((part) => part.trim().split(/\s+/)).find(([name]) => name === 'connect-src')?.slice(1);
    };
    expect(await connectSrc()).toEqual(["'self'"]);
    harness.settingsFileCalls.length = 0;

    expect(await harness.call('setHubUrl', ['HTTPS://New-Hub.Example.net:8443/fieldwise'])).toEqual({ isApplied: true, isReloadRequired: true });

    // A temp file beside settings.json, renamed over it: never a half-written settings file.
    expect(harness.settingsFileCalls).toHaveLength(2);
    const [write, rename] = harness.settingsFileCalls;
    const tempPath = /^writeFile (.+)$/.exec(write ?? '')?.[1] ?? '';
    expect(dirname(tempPath)).toBe(dirname(harness.settingsPath));
    expect(tempPath).not.toBe(harness.settingsPath);
    expect(rename).toBe(`rename ${tempPath} -> ${harness.settingsPath}`);
    expect((await readdir(join(dir, 'userData'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // The parser's spelling is stored; what else the file held stays.
    expect(JSON.parse(await readFile(harness.settingsPath, 'utf8'))).toEqual({
      externalLinkHosts: ['hub.example.org'],
      hubUrl: 'https://new-hub.example.net:8443/fieldwise',
    });

    expect(await connectSrc()).toEqual(["'self'", 'https://new-hub.example.net:8443', 'wss://new-hub.example.net:8443']);
    // The TLS hub's own pages become trusted links, as when it is configured by hand.
    expect(harness.settings.config().externalLinks.httpsHosts).toEqual(['new-hub.example.net:8443', 'hub.example.org']);

    // The same hub again (as the reloaded page asks): nothing to reload, nothing rewritten.
    harness.settingsFileCalls.length = 0;
    expect(await harness.call('setHubUrl', ['https://new-hub.example.net:8443/fieldwise'])).toEqual({ isApplied: true, isReloadRequired: false });
    expect(harness.settingsFileCalls).toEqual([]);

    // A plain-http hub on the LAN replaces it, in its http and ws forms only.
    expect(await harness.call('setHubUrl', ['http://192.168.1.20:8787'])).toEqual({ isApplied: true, isReloadRequired: true });
    expect(await connectSrc()).toEqual(["'self'", 'http://192.168.1.20:8787', 'ws://192.168.1.20:8787']);
    expect(JSON.parse(await readFile(harness.settingsPath, 'utf8'))).toMatchObject({ hubUrl: 'http://192.168.1.20:8787/' });
  });
});
