/*
 * `npm start` (after `npm run build:desktop`): launches the desktop app with the `electron`
 * package's binary, fetching the binary on first run with the package's own installer. Where it
 * cannot be fetched (no internet, a firewall, these development machines), it says so in one line
 * and serves the same app to the browser instead, on 127.0.0.1, until stopped.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DESKTOP_OUT_DIR } from './desktopBundles';
import { electronBinaryPath, missingBinaryExplanation, missingBinaryLine } from './electronBinary';
import { openBrowser } from './openBrowser';
import { startWebServer } from './webServer';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// FIELDWISE_ELECTRON_DIR stands in for the package in tests (one whose download always fails).
const electronDir = process.env.FIELDWISE_ELECTRON_DIR ?? join(repoRoot, 'node_modules', 'electron');
const electronVersion = (JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The browser app's port. Fixed, and the one `npm run web` uses: the browser keeps a site's data
 * per address, so the same address on every start finds the same library.
 */
const WEB_PORT = 5173;

if (!existsSync(join(repoRoot, 'renderer', 'dist', 'index.html'))) {
  console.error('npm start: renderer/dist/index.html is missing; build the renderer first (npm run build:renderer).');
  process.exit(1);
}

/** Runs the package's installer quietly; its first error line, when it failed. */
async function downloadBinary(): Promise<string | undefined> {
  console.log(`npm start: downloading the Electron ${electronVersion} binary (first run only)...`);
  const child = spawn(process.execPath, [join(electronDir, 'install.js')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolveExit) => {
    child.on('error', () => resolveExit(1));
    child.on('exit', (exitCode) => resolveExit(exitCode));
  });
  return code === 0 ? undefined : (stderr.split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 200) ?? `exit code ${code}`);
}

function launchDesktop(binary: string): void {
  // ELECTRON_RUN_AS_NODE would turn the app into a plain Node process.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [join(repoRoot, DESKTOP_OUT_DIR), ...process.argv.slice(2)], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal === null ? 0 : 1));
  });
}

async function serveInBrowser(downloadError: string | undefined): Promise<void> {
  console.log(missingBinaryLine(electronVersion));
  console.log(missingBinaryExplanation(electronVersion, downloadError));
  // FIELDWISE_WEB_PORT=0 takes any free port (the tests do, to run beside a real start).
  const port = process.env.FIELDWISE_WEB_PORT === undefined ? WEB_PORT : Number(process.env.FIELDWISE_WEB_PORT);
  let server;
  try {
    server = await startWebServer({ host: '127.0.0.1', port });
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    console.error(
      inUse
        ? `npm start: port ${port} is taken; Fieldwise may already be running at http://127.0.0.1:${port}/ (or set FIELDWISE_WEB_PORT).`
        : `npm start: the browser app could not be served: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
  const opened = openBrowser(server.url);
  console.log(`Fieldwise is at ${server.url}${opened ? ' (opening it in your browser)' : ' - open it in a browser'}; Ctrl+C stops it.`);
  const running = server;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void running.close().finally(() => process.exit(0));
    });
  }
}

let binary = electronBinaryPath(electronDir);
let downloadError: string | undefined;
if (binary === null) {
  downloadError = await downloadBinary();
  binary = electronBinaryPath(electronDir);
}
if (binary !== null) launchDesktop(binary);
else await serveInBrowser(downloadError);
