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
  // Found inside any text: a link may end a sentence ("…。"), sit after "邀请链接：" or inside
  // brackets and quotes, so only what a hub address and a code may hold is taken.
  const link = LINK_PATTERN.exec(text);
  if (link) {
    const hubUrl = normalizeHubUrl(link[1]!);
    if (hubUrl) return { hubUrl, code: link[2]!.toUpperCase() };
  }
  // A link that did not read as one (another scheme, a query) is not rescued piecemeal.
  if (text.includes(MARKER)) return null;
  // An address and a code written apart, e.g. "地址：https://hub.example.org 邀请码：FW-7K2M-…".
  const code = CODE_PATTERN.exec(text)?.[0];
  const address = ADDRESS_PATTERN.exec(text)?.[0];
  const hubUrl = address ? normalizeHubUrl(address) : null;
  return code && hubUrl ? { hubUrl, code: code.toUpperCase().replace(/\s/g, '-') } : null;
}

/** A hub address: scheme, host (with port), an optional path, in the characters URLs keep. */
const ADDRESS = String.raw`https?:\/\/[A-Za-z0-9.\-_~%:@[\]]+(?:\/[A-Za-z0-9.\-_~%]+)*`;
const ADDRESS_PATTERN = new RegExp(`${ADDRESS}\\/?`, 'i');
const LINK_PATTERN = new RegExp(`(${ADDRESS})\\/${MARKER}(FW(?:-[0-9A-HJKMNP-TV-Z]{4})+)`, 'i');
