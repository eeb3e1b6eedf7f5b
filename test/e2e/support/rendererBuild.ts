import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The end-to-end tests and the renderer benchmark load renderer/dist. vitest's globalSetup (see
 * vitest.config.ts) builds it once before any test file runs when it is missing or older than its
 * sources; a fresh build (as `.ci/run` makes) costs only this check. Building here, not in each
 * e2e file, keeps two test files that run at once from rebuilding dist/ under each other.
 */

const root = join(import.meta.dirname, '..', '..', '..');
const builtIndex = join(root, 'renderer', 'dist', 'index.html');
const SOURCES = ['renderer', 'shared', 'package-lock.json'];

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    newest = Math.max(newest, newestMtimeMs(join(path, entry.name)));
  }
  return newest;
}

export function isRendererBuildStale(): boolean {
  if (!existsSync(builtIndex)) return true;
  const builtAt = statSync(builtIndex).mtimeMs;
  return SOURCES.some((source) => existsSync(join(root, source)) && newestMtimeMs(join(root, source)) > builtAt);
}

/** `npm run build:renderer`, run through vite's own bin so it works without npm on the path. */
export function buildRenderer(): void {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  // vitest sets NODE_ENV=test, which vite would honour with React's development build.
  const env = { ...process.env, NODE_ENV: 'production' };
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: root, env, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`renderer build failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
}

export function ensureRendererBuilt(): void {
  if (isRendererBuildStale()) buildRenderer();
}

/** vitest globalSetup. */
export default function setup(): void {
  ensureRendererBuilt();
}
