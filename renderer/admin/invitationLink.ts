import { normalizeHubUrl } from '../session/deviceProfile';

/*
 * The invitation is one thing to hand over: a link to the hub's own web app whose fragment carries
 * the one-time code, `https://hub.example.org/#/join/FW-7K2M-…`. Opened in a browser it lands on
 * the join form with both filled in (the hub serves the app at its address); pasted into the
 * desktop app's join form it fills the same two fields. The code sits in the fragment, which a
 * browser never sends: no proxy or hub access log sees the secret when the link is opened.
 */

/** What a pasted invitation names: the hub to join and the one-time code. */
export interface Invitation {
  /** Normalized (normalizeHubUrl). */
  readonly hubUrl: string;
  readonly code: string;
}

const JOIN_FRAGMENT = '#/join/';

/** An invitation code as the hub makes them: FW- then groups of Crockford base32. */
const CODE_PATTERN = /\bFW(?:-[0-9A-HJKMNP-TV-Z]{4})+\b/i;

/** The link that carries the whole invitation. */
export function invitationLink(invitation: Invitation): string {
  return `${invitation.hubUrl}/${JOIN_FRAGMENT}${encodeURIComponent(invitation.code)}`;
}

/** The code a join fragment (`#/join/<code>`) names, or null. */
export function codeOfJoinFragment(hash: string): string | null {
  if (!hash.startsWith(JOIN_FRAGMENT)) return null;
  let code: string;
  try {
    code = decodeURIComponent(hash.slice(JOIN_FRAGMENT.length)).trim();
  } catch {
    return null;
  }
  return code === '' || /[\s/]/.test(code) ? null : code;
}

/**
 * The invitation in what a person pasted: the link alone, or a message around it (an e-mail, the
 * letter's text), or an address and a code side by side. Null when the text does not name both:
 * the form then reads the text as a code typed on its own.
 */
export function parseInvitation(text: string): Invitation | null {
  const trimmed = text.trim();
  for (const candidate of trimmed.split(/\s+/)) {
    const fromLink = invitationOfLink(candidate);
    if (fromLink) return fromLink;
  }
  // An address and a code written apart, e.g. "https://hub.example.org  FW-7K2M-…".
  const code = CODE_PATTERN.exec(trimmed)?.[0];
  if (!code) return null;
  const address = trimmed
    .split(/\s+/)
    .map((word) => word.replace(/[,，;；。]+$/, ''))
    .find((word) => /^https?:\/\//i.test(word));
  const hubUrl = address ? normalizeHubUrl(address) : null;
  return hubUrl ? { hubUrl, code: code.toUpperCase() } : null;
}

function invitationOfLink(candidate: string): Invitation | null {
  if (!/^https?:\/\//i.test(candidate)) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  const code = codeOfJoinFragment(url.hash);
  if (code === null) return null;
  const hubUrl = normalizeHubUrl(`${url.origin}${url.pathname}`);
  return hubUrl ? { hubUrl, code } : null;
}
