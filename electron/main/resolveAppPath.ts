import { isAbsolute, join, relative, resolve, sep } from 'node:path';

import { APP_HOST, APP_SCHEME } from './appOrigin';

/** Decoded path segments that could step out of the folder or name something else on some OS. */
const FORBIDDEN_SEGMENT = /[/\\:\0]/;

/**
 * The file inside `distDir` that an `app://fieldwise/...` request names, or null when the URL is
 * not the app's, is malformed, or would leave `distDir` (`..`, `%2e%2e`, `%2f`, `\`, drive
 * letters). `/` names index.html. The caller decides what a missing file means.
 */
export function resolveAppPath(distDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.hostname !== APP_HOST || url.port !== '') return null;

  const segments: string[] = [];
  for (const rawSegment of url.pathname.split('/')) {
    if (rawSegment === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(rawSegment);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || FORBIDDEN_SEGMENT.test(segment)) return null;
    segments.push(segment);
  }
  if (segments.length === 0) segments.push('index.html');

  // The segment checks above already refuse every way out; this re-checks the joined result so
  // that a mistake in them cannot turn into a file read outside the folder.
  const root = resolve(distDir);
  const filePath = join(root, ...segments);
  const fromRoot = relative(root, filePath);
  if (fromRoot === '' || isAbsolute(fromRoot) || fromRoot.split(sep)[0] === '..') return null;
  return filePath;
}
