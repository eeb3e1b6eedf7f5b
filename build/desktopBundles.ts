/*
 * How esbuild bundles the desktop shell: the main process and the preload, each into one CommonJS
 * file. The preload must be a single file: a sandboxed preload's `require` knows only `electron`
 * and a few Node modules, so nothing else may be left to load at run time.
 */
import { join } from 'node:path';

import type { BuildOptions } from 'esbuild';

export interface DesktopBundles {
  readonly main: BuildOptions;
  readonly preload: BuildOptions;
}

/** Where `npm run build:desktop` writes; main.ts finds preload.cjs beside itself. */
export const DESKTOP_OUT_DIR = join('out', 'electron');

export function desktopBundles(repoRoot: string, outDir: string = join(repoRoot, DESKTOP_OUT_DIR)): DesktopBundles {
  const common = {
    bundle: true,
    format: 'cjs',
    external: ['electron'],
    logLevel: 'warning',
    // Readable output: it is what a security review of the packaged app reads.
    minify: false,
    tsconfig: join(repoRoot, 'tsconfig.json'),
  } as const satisfies BuildOptions;
  return {
    main: {
      ...common,
      entryPoints: [join(repoRoot, 'electron', 'main', 'main.ts')],
      outfile: join(outDir, 'main.cjs'),
      platform: 'node',
      // Electron 45 ships Node 24; node22 keeps the output plain.
      target: 'node22',
    },
    preload: {
      ...common,
      entryPoints: [join(repoRoot, 'electron', 'preload.ts')],
      outfile: join(outDir, 'preload.cjs'),
      // Not 'node': the sandboxed preload has no Node built-ins to import.
      platform: 'browser',
      target: 'chrome130',
    },
  };
}

/**
 * The package.json written beside the bundles, so that `electron out/electron` runs the app with
 * its real name (and so its own userData folder) in development.
 */
export function desktopPackageJson(rootPackage: { readonly version: string; readonly description?: string }): string {
  const metadata = {
    name: 'fieldwise',
    productName: 'Fieldwise',
    version: rootPackage.version,
    description: rootPackage.description ?? 'Fieldwise',
    private: true,
    main: 'main.cjs',
  };
  return `${JSON.stringify(metadata, null, 2)}\n`;
}
