/*
 * `npm start` (after `npm run build:desktop`): launches the desktop app with the `electron`
 * package's binary, fetching the binary on first run with the package's own installer. Where it
 * cannot be fetched (these development machines), it says so and how to go on, and exits 1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DESKTOP_OUT_DIR } from './desktopBundles';
import { electronBinaryPath, missingBinaryExplanation } from './electronBinary';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(repoRoot, 'node_modules', 'electron');
const electronVersion = (JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string }).version;

if (!existsSync(join(repoRoot, 'renderer', 'dist', 'index.html'))) {
  console.error('npm start: renderer/dist/index.html is missing; build the renderer first (npm run build:renderer).');
  process.exit(1);
}

let binary = electronBinaryPath(electronDir);
if (binary === null) {
  console.log(`npm start: downloading the Electron ${electronVersion} binary (first run only)...`);
  spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'inherit' });
  binary = electronBinaryPath(electronDir);
}
if (binary === null) {
  console.error(missingBinaryExplanation(electronVersion));
  process.exit(1);
}

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
