import { request } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserOpenCommand } from '../../build/openBrowser';
import { builtContentSecurityPolicy, fileForPath, RENDERER_DIST, startWebServer, type WebServer } from '../../build/webServer';
import { contentSecurityPolicy } from '../../renderer/vite.config';

/*
 * The static server `npm start` falls back to (build/webServer.ts) and its browser opener.
 */

/** A raw GET, so the path reaches the server exactly as written (fetch would normalize `/../`). */
function rawGet(url: string, path: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the browser app server', () => {
  let root: string;
  let server: WebServer;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldwise-web-'));
    root = join(dir, 'dist');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'app.js'), 'export {};');
    writeFileSync(join(root, 'content-security-policy.txt'), "default-src 'self'\n");
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
    server = await startWebServer({ root });
  });

  afterAll(async () => {
    await server.close();
    rmSync(join(root, '..'), { recursive: true, force: true });
  });

  it('serves index.html for / with the policy the build wrote', async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(await response.text()).toContain('id="root"');
    const script = await fetch(new URL('assets/app.js', server.url));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('refuses paths that climb out of the root, however they are written', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/..\\secret.txt', '/%00index.html', '/%E0%A4%A']) {
      expect([403, 404], path).toContain(await rawGet(server.url, path));
    }
    expect(await rawGet(server.url, '/../secret.txt')).toBe(403);
    expect(await rawGet(server.url, '/..%2fsecret.txt')).toBe(403);
    expect(fileForPath(root, '/../secret.txt')).toBeNull();
    expect(fileForPath(root, '/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
    expect(fileForPath(root, '/')).toBe(join(root, 'index.html'));
  });

  it('answers a missing file with 404 and anything but GET or HEAD with 405', async () => {
    expect(await rawGet(server.url, '/nothing.js')).toBe(404);
    expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('sends the Content-Security-Policy of renderer/vite.config.ts, as the build wrote it', () => {
    expect(builtContentSecurityPolicy(RENDERER_DIST)).toBe(contentSecurityPolicy);
  });

  it('lets no other site frame the app, as the desktop policy does not either', () => {
    const policy = builtContentSecurityPolicy(RENDERER_DIST);
    const directives = new Map(policy.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives.get('frame-ancestors')).toEqual(["'self'"]);
  });
});

describe('opening the browser', () => {
  const url = 'http://127.0.0.1:5173/';

  it('opens it only where a desktop can be expected', () => {
    expect(browserOpenCommand(url, 'linux', {})).toBeNull();
    expect(browserOpenCommand(url, 'linux', { DISPLAY: ':0' })).toEqual({ command: 'xdg-open', args: [url] });
    expect(browserOpenCommand(url, 'linux', { WAYLAND_DISPLAY: 'wayland-0' })).toEqual({ command: 'xdg-open', args: [url] });
    expect(browserOpenCommand(url, 'darwin', {})).toEqual({ command: 'open', args: [url] });
    expect(browserOpenCommand(url, 'win32', {})?.command).toBe('cmd');
  });

  it('never opens it with BROWSER=none', () => {
    expect(browserOpenCommand(url, 'darwin', { BROWSER: 'none' })).toBeNull();
    expect(browserOpenCommand(url, 'linux', { BROWSER: 'none', DISPLAY: ':0' })).toBeNull();
  });
});
