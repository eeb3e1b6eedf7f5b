/*
 * Finding the Electron binary of the `electron` package. Since Electron 45 the package downloads
 * the binary on first use (its install.js), not at `npm install`; these machines cannot download
 * it at all, so `npm start` checks first and explains.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The executable's path when the binary is there, else null. */
export function electronBinaryPath(electronPackageDir: string): string | null {
  let relativePath: string;
  try {
    // install.js writes path.txt after it has unpacked the binary into dist/.
    relativePath = readFileSync(join(electronPackageDir, 'path.txt'), 'utf8').trim();
  } catch {
    return null;
  }
  if (relativePath === '') return null;
  const fullPath = join(electronPackageDir, 'dist', relativePath);
  return existsSync(fullPath) ? fullPath : null;
}

/** The one line `npm start` prints before it opens the app in the browser instead. */
export function missingBinaryLine(electronVersion: string): string {
  return `npm start: no Electron ${electronVersion} binary here and it could not be downloaded, so Fieldwise opens in your browser instead.`;
}

/**
 * What follows that line: how to get the desktop app after all. `downloadError` is the first line
 * the download printed, kept short; its stack trace is of no use to the person starting the app.
 */
export function missingBinaryExplanation(electronVersion: string, downloadError?: string): string {
  return [
    '',
    `  The desktop app runs on Electron ${electronVersion}. The \`electron\` package downloads its binary (from GitHub`,
    '  releases) the first time it is started, with node node_modules/electron/install.js; that download did not work here' +
      (downloadError ? ` (${downloadError}).` : '.'),
    '  - With internet access, run `npm start` again (or `node node_modules/electron/install.js`).',
    '  - Behind a firewall, point the download at a mirror and retry, e.g.',
    '      ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ npm start',
    '  - Meanwhile the browser app below is the same app: `npm run web` serves it too, and `npm run demo` runs the',
    '    headless demo of the client core.',
    '',
  ].join('\n');
}
