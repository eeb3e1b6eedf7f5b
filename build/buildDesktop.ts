/*
 * `npm run build:desktop` (after `npm run build:renderer --if-present`): bundles the Electron main
 * process and preload into out/electron/. The UI itself is the renderer's build in renderer/dist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { DESKTOP_OUT_DIR, desktopBundles, desktopPackageJson } from './desktopBundles';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(repoRoot, DESKTOP_OUT_DIR);

const { main, preload } = desktopBundles(repoRoot, outDir);
await mkdir(outDir, { recursive: true });
await Promise.all([build(main), build(preload)]);
const rootPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; description?: string };
await writeFile(join(outDir, 'package.json'), desktopPackageJson(rootPackage));
console.log(`build:desktop: wrote ${DESKTOP_OUT_DIR}/main.cjs and ${DESKTOP_OUT_DIR}/preload.cjs`);

if (!existsSync(join(repoRoot, 'renderer', 'dist', 'index.html'))) {
  console.warn('build:desktop: renderer/dist/index.html is missing: the window will have nothing to show until the renderer is built (npm run build:renderer).');
}
