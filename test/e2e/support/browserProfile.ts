import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core';

/*
 * Debian's Chromium driven through playwright-core, which never downloads a browser. A profile is a
 * user-data folder: closing the browser and launching it again on the same folder is a restart of
 * the app on the same device (IndexedDB, localStorage and all).
 */

export const CHROMIUM_PATH = process.env.FIELDWISE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
] as const;

/**
 * A microphone for MediaRecorder without hardware or a prompt: Chromium's fake capture device
 * (a beep) and its auto-accepting permission UI.
 */
export const FAKE_MICROPHONE_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] as const;

/** The smallest screen the app supports (issue 4: works at 1024x768 and up). */
export const VIEWPORT = { width: 1024, height: 768 } as const;

const launchOptions: LaunchOptions = { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true };

/** One device's browser profile in a temporary folder, launched as often as a test needs. */
export class BrowserProfile {
  readonly userDataDir: string;
  private current: BrowserContext | null = null;

  constructor(readonly name: string) {
    this.userDataDir = mkdtempSync(join(tmpdir(), `fieldwise-e2e-${name}-`));
  }

  get context(): BrowserContext {
    if (!this.current) throw new Error(`profile ${this.name} is not running`);
    return this.current;
  }

  /**
   * Launches Chromium on this profile and returns its one page. The scripts and styles under
   * `appUrl` are fetched by the test process and handed to the page, as Electron's app:// protocol
   * serves them from disk: offline emulation (`context.setOffline`) then cuts the page off the
   * network (the hub) but not off the app's own code, whose editor loads lazily. The page itself
   * still comes from the static server: a document Playwright fulfils has no loopback address, and
   * Chromium's Local Network Access checks would then refuse its requests to a hub on 127.0.0.1.
   * As in Electron, no service worker runs then (the app registers one only in a browser, and a
   * worker's fetches would bypass the routing) and storage is kept; without `appUrl` the page is
   * the browser app, service worker, storage request and all.
   */
  async launch(options: { readonly appUrl?: string; readonly locale?: string; readonly extraArgs?: readonly string[] } = {}): Promise<Page> {
    if (this.current) throw new Error(`profile ${this.name} is already running`);
    const context = await chromium.launchPersistentContext(this.userDataDir, {
      ...launchOptions,
      args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
      viewport: VIEWPORT,
      locale: options.locale ?? 'en-US',
      serviceWorkers: options.appUrl ? 'block' : 'allow',
    });
    this.current = context;
    if (options.appUrl) {
      await context.route(`${options.appUrl}**`, async (route) => {
        if (route.request().isNavigationRequest()) await route.fallback();
        else {
          // A request still in flight when the browser closes (the onboarding screen's hub probe
          // after a sign-out) fails in the page, not as an unhandled error in the test.
          try {
            await route.fulfill({ response: await route.fetch() });
          } catch {
            await route.abort().catch(() => undefined);
          }
        }
      });
    }
    context.once('close', () => {
      if (this.current === context) this.current = null;
    });
    const page = context.pages()[0] ?? (await context.newPage());
    if (options.appUrl) {
      // Like the desktop app's data folder, the storage is kept: the browser app's notice that a
      // browser may evict it does not apply (Playwright's grantPermissions has no name for this).
      // The grant lasts as long as its session: the session is left open with the context.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Browser.grantPermissions', { origin: new URL(options.appUrl).origin, permissions: ['durableStorage'] });
    }
    page.on('pageerror', (error) => console.error(`[${this.name}] page error: ${error.message}`));
    return page;
  }

  /** Closes the browser the way a person quits the app. */
  async close(): Promise<void> {
    const context = this.current;
    this.current = null;
    await context?.close();
  }

  /**
   * Kills the browser process with SIGKILL, as a crash or a pulled plug does: no unload, no
   * flush. Resolves once the process is gone and Playwright has seen its pipe close.
   */
  async kill(): Promise<void> {
    const context = this.context;
    const pid = browserPidOf(this.userDataDir);
    const closed = new Promise<void>((resolve) => context.once('close', () => resolve()));
    process.kill(pid, 'SIGKILL');
    await closed;
    this.current = null;
    // Its helpers (zygote, renderers, network service) notice their parent is gone and exit; the
    // next launch would otherwise meet a profile still held by a dying process.
    for (let waitedMs = 0; helperPidsOf(this.userDataDir).length > 0 && waitedMs < 10_000; waitedMs += 100) await sleep(100);
  }

  async dispose(): Promise<void> {
    await this.close().catch(() => undefined);
    rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

function chromiumProcesses(userDataDir: string): { pid: number; isBrowser: boolean }[] {
  const found: { pid: number; isBrowser: boolean }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!args.includes(`--user-data-dir=${userDataDir}`)) continue;
    found.push({ pid: Number(name), isBrowser: !args.some((arg) => arg.startsWith('--type=')) });
  }
  return found;
}

/** The browser process (not a renderer or helper) running on this profile. */
export function browserPidOf(userDataDir: string): number {
  const browsers = chromiumProcesses(userDataDir).filter((candidate) => candidate.isBrowser);
  if (browsers.length !== 1) throw new Error(`expected one browser process on ${userDataDir}, found ${browsers.length}`);
  return browsers[0]!.pid;
}

function helperPidsOf(userDataDir: string): number[] {
  return chromiumProcesses(userDataDir).map((candidate) => candidate.pid);
}
