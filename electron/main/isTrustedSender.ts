import { APP_HOST, APP_SCHEME } from './appOrigin';

/**
 * Whether an IPC message comes from a frame showing the app itself (`app://fieldwise/...`).
 * Parses the URL; a frame that navigated anywhere else, a file: page, another app:// host, a URL
 * with credentials or a port, or a frame already gone (no URL) is refused.
 */
export function isTrustedSender(frameUrl: string | undefined | null): boolean {
  if (typeof frameUrl !== 'string') return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.hostname === APP_HOST &&
    url.port === '' &&
    url.username === '' &&
    url.password === ''
  );
}
