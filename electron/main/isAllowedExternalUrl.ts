/*
 * Which links may leave the app for the OS (browser or mail client). Everything is decided on the
 * parsed URL, never on the raw string: `https://allowed.org.evil.com`, `https://evil.com@allowed.org`
 * and look-alike hosts are told apart by `new URL`, which also turns IDN hosts into punycode.
 */

export interface ExternalLinkAllowList {
  /** Hosts as `URL.host` spells them (lower case, punycode, a port only when not 443). */
  readonly httpsHosts: readonly string[];
  /** Whether `mailto:` links to a single address may open the mail client. */
  readonly isMailtoAllowed: boolean;
}

/** Longer URLs are refused: some OS URL handlers truncate or mangle them. */
const MAX_EXTERNAL_URL_LENGTH = 4096;

/** mailto: header fields we pass on; others (`attach`, `cc`, `bcc`, ...) are refused. */
const ALLOWED_MAILTO_FIELDS = new Set(['subject', 'body']);

const MAIL_ADDRESS = /^[^\s@,;:<>"'()\\/]+@[^\s@,;:<>"'()\\/]+\.[^\s@,;:<>"'()\\/]+$/;

export function isAllowedExternalUrl(candidate: string, allowList: ExternalLinkAllowList): boolean {
  if (candidate.length > MAX_EXTERNAL_URL_LENGTH) return false;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') {
    return url.username === '' && url.password === '' && allowList.httpsHosts.includes(url.host);
  }
  if (url.protocol === 'mailto:') {
    return allowList.isMailtoAllowed && isPlainMailto(url);
  }
  return false;
}

function isPlainMailto(url: URL): boolean {
  let address: string;
  try {
    address = decodeURIComponent(url.pathname);
  } catch {
    return false;
  }
  if (!MAIL_ADDRESS.test(address)) return false;
  return [...url.searchParams.keys()].every((field) => ALLOWED_MAILTO_FIELDS.has(field.toLowerCase()));
}

/**
 * The allow-list spelling of a configured host (`Docs.Example.org` -> `docs.example.org`,
 * `bücher.example` -> `xn--bcher-kva.example`), or null when it is not a bare host[:port].
 */
export function allowListHost(host: string): string | null {
  let url: URL;
  try {
    url = new URL(`https://${host}`);
  } catch {
    return null;
  }
  const isBareHost =
    url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
  return isBareHost && `https://${url.host}/` === url.href ? url.host : null;
}
