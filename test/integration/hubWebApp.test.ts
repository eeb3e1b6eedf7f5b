import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';

/*
 * The hub serves the built web app at its own address (server/http/webApp.ts): index.html for `/`,
 * each file with its content type and the build's Content-Security-Policy, nothing outside the
 * build folder however the path is written, and its own API exactly as before.
 */

const POLICY = "default-src 'self'; script-src 'self'";

/** A raw GET: the path goes out exactly as written (fetch would resolve `/../`). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the hub serving the web app', () => {
  let dir: string;
  let hub: TestHub;
  let bare: TestHub;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fieldwise-webapp-'));
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), 'export {};');
    writeFileSync(join(dist, 'assets', 'index-abc.css'), 'body{}');
    writeFileSync(join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    writeFileSync(join(dist, 'content-security-policy.txt'), `${POLICY}\n`);
    writeFileSync(join(dir, 'secret.txt'), 'outside the build');
    [hub, bare] = await Promise.all([startTestHub({ webAppDir: dist }), startTestHub()]);
  });

  afterAll(async () => {
    await Promise.all([hub?.close(), bare?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at its own address with the build\'s Content-Security-Policy', async () => {
    const page = await fetch(`${hub.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(POLICY);
    expect(await page.text()).toContain('<div id="root"></div>');
    const types = await Promise.all(['/assets/index-abc.js', '/assets/index-abc.css', '/sw.js'].map(async (path) => (await fetch(`${hub.url}${path}`)).headers.get('content-type')));
    expect(types).toEqual(['text/javascript; charset=utf-8', 'text/css; charset=utf-8', 'text/javascript; charset=utf-8']);
    expect((await fetch(`${hub.url}/sw.js`)).headers.get('content-security-policy')).toBe(POLICY);
  });

  it('refuses paths that climb out of the build, however they are written', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/index.html%00']) {
      const answer = await rawGet(hub.url, path);
      expect([403, 404], path).toContain(answer.status);
      expect(answer.body, path).not.toContain('outside the build');
    }
    expect((await rawGet(hub.url, '/../secret.txt')).status).toBe(403);
    expect((await rawGet(hub.url, '/..%2fsecret.txt')).status).toBe(403);
  });

  it('tells the page it is a hub, and keeps its API paths its own', async () => {
    const info = await fetch(`${hub.url}/v1/hub-info`);
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({ kind: 'fieldwise-hub', networkId: hub.hub.networkId, webApp: true });
    const unknown = await fetch(`${hub.url}/v1/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not-found' } });
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
    expect((await fetch(`${hub.url}/missing.js`)).status).toBe(404);
    const joined = await hub.join(await hub.invite('Web app co-op'));
    expect(joined.token).toBeTruthy();
  });

  it('serves no app and no hub-info where it was given no build', async () => {
    expect((await fetch(`${bare.url}/`)).status).toBe(404);
    expect((await fetch(`${bare.url}/v1/hub-info`)).status).toBe(404);
  });
});
