import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../renderer/vite.config';

/*
 * `npm start` where the Electron binary is missing and cannot be downloaded: one line says so, the
 * explanation follows (no stack trace), and the same app is served to the browser until stopped.
 * The test runs the start script's launch step (build/startDesktop.ts; `npm start` first runs
 * build:desktop, which would rebuild renderer/dist under the other test files that read it) against
 * a stand-in `electron` package whose installer fails with a stack trace, as it does offline.
 */

const repoRoot = join(import.meta.dirname, '..', '..');
const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

describe('npm start without an Electron binary', { timeout: 60_000 }, () => {
  let electronDir: string;
  let child: ChildProcess | null = null;
  let stdout = '';
  let stderr = '';

  beforeAll(() => {
    electronDir = mkdtempSync(join(tmpdir(), 'fieldwise-no-electron-'));
    writeFileSync(join(electronDir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.5.0' }));
    writeFileSync(join(electronDir, 'install.js'), "console.error(new TypeError('fetch failed').stack); process.exit(1);\n");
  });

  afterAll(async () => {
    if (child?.exitCode === null && child.pid) {
      process.kill(-child.pid, 'SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    rmSync(electronDir, { recursive: true, force: true });
  });

  it('says so in one line, serves the app with its Content-Security-Policy, and stops when told', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, FIELDWISE_ELECTRON_DIR: electronDir, FIELDWISE_WEB_PORT: '0', BROWSER: 'none' };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    // Its own process group: stopping it stops tsx's child too, and nothing is left behind.
    child = spawn(process.execPath, [tsx, 'build/startDesktop.ts'], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address printed:\n${stdout}\n${stderr}`)), 30_000);
      const poll = setInterval(() => {
        const found = /Fieldwise is at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (found) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(found[1]!);
        }
      }, 50);
      child!.once('exit', (code) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code}):\n${stdout}\n${stderr}`));
      });
    });

    const lines = stdout.split('\n');
    const notice = lines.findIndex((line) => line.includes('opens in your browser instead'));
    expect(notice).toBeGreaterThanOrEqual(0);
    expect(lines[notice]).toContain('Electron 45.5.0');
    // The explanation comes below that line, with the download's error in a few words, no trace.
    expect(lines.slice(notice + 1).join('\n')).toContain('ELECTRON_MIRROR');
    expect(stdout).toContain('TypeError: fetch failed');
    expect(`${stdout}${stderr}`).not.toMatch(/^\s+at /m);
    expect(lines.slice(0, notice).join('\n')).not.toContain('ELECTRON_MIRROR');

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    expect(html).toBe(readFileSync(join(repoRoot, 'renderer', 'dist', 'index.html'), 'utf8'));
    const worker = await fetch(new URL('sw.js', url));
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(new URL('/..%2fpackage.json', url))).status).toBe(403);

    // Keeps running until stopped; stopped, it closes its server and exits cleanly.
    expect(child.exitCode).toBeNull();
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
    // No process of its group is left behind (signal 0 only asks whether any is there).
    const isGroupAlive = () => {
      try {
        process.kill(-child!.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let waitedMs = 0; isGroupAlive() && waitedMs < 5_000; waitedMs += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isGroupAlive()).toBe(false);
  });
});
