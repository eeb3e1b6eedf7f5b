import { normalizeHubUrl } from '../session/deviceProfile';

/*
 * The invitation is one thing to hand over (docs/PROTOCOL.md, "The invitation: one thing to hand
 * over"): a link to the hub whose fragment carries the one-time code,
 * `https://hub.example.org/#invitation=FW-7K2M-…`. Opened in a browser it lands on the hub's web
 * app, whose join form reads the fragment; pasted into the desktop app's join form it fills the
 * same two fields. The code sits in the fragment, which a browser never sends: no proxy or hub
 * access log sees the secret when the link is opened.
 */

/** What a pasted invitation names: the hub to join and the one-time code. */
export interface Invitation {
  /** Normalized (normalizeHubUrl). */
  readonly hubUrl: string;
  readonly code: string;
}

const MARKER = '#invitation=';

/** An invitation code as the hub makes them: FW- then groups of Crockford base32. */
const CODE_PATTERN = /\bFW(?:[-\s][0-9A-HJKMNP-TV-Z]{4})+\b/i;

/** The link that carries the whole invitation (the hub's answer has it too, as `link`). */
export function invitationLink(invitation: Invitation): string {
  return `${invitation.hubUrl}/${MARKER}${invitation.code}`;
}

/** The code a page's fragment (`#invitation=<code>`) carries, or null. */
export function codeOfFragment(hash: string): string | null {
  if (!hash.startsWith(MARKER)) return null;
  let code: string;
  try {
    code = decodeURIComponent(hash.slice(MARKER.length)).trim();
  } catch {
    return null;
  }
  return code === '' || /[/#?&]/.test(code) ? null : code;
}

/**
 * The invitation in what a person pasted: the link alone, or a message around it (an e-mail, the
 * letter's text), or an address and a code side by side. Null when the text does not name both:
 * the form then reads the text as a code typed on its own.
 */
export function parseInvitation(text: string): Invitation | null {
  const words = text.trim().split(/\s+/);
  for (const word of words) {
    const fromLink = invitationOfLink(word);
    if (fromLink) return fromLink;
  }
  // An address and a code written apart, e.g. "https://hub.example.org  FW-7K2M-…".
  const code = CODE_PATTERN.exec(text)?.[0];
  if (!code) return null;
  const address = words.map((word) => word.replace(/[,，;；。]+$/, '')).find((word) => /^https?:\/\/[^?#]*$/i.test(word));
  const hubUrl = address ? normalizeHubUrl(address) : null;
  return hubUrl ? { hubUrl, code: code.toUpperCase().replace(/\s/g, '-') } : null;
}

function invitationOfLink(word: string): Invitation | null {
  const at = word.indexOf(`/${MARKER}`);
  if (at < 0 || !/^https?:\/\//i.test(word)) return null;
  // The contract: the hub address is everything before "/#invitation=", the code everything after.
  const code = codeOfFragment(word.slice(at + 1));
  const address = word.slice(0, at);
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  if (url.search !== '' || url.hash !== '') return null;
  const hubUrl = normalizeHubUrl(address);
  return hubUrl && code ? { hubUrl, code } : null;
}
