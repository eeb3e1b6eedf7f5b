/*
 * The desktop shell's configuration: which hub the page may connect to (the CSP's connect-src) and
 * which hosts external links may open. Read from `settings.json` in userData, with
 * FIELDWISE_HUB_URL overriding the hub for development. A bad value is reported and left out: the
 * app still starts, with less allowed, never more. desktopSettings.ts keeps the configuration in
 * force and rebuilds it with this function when the renderer sets the hub.
 */
import { z } from 'zod';

import { allowListHost, type ExternalLinkAllowList } from './isAllowedExternalUrl';

export interface DesktopConfig {
  /** `https://hub.example.org` (or http:// for a hub on the LAN), null before one is configured. */
  readonly hubOrigin: string | null;
  readonly externalLinks: ExternalLinkAllowList;
}

export interface DesktopConfigSources {
  /** FIELDWISE_HUB_URL, when set. */
  readonly hubUrlOverride: string | undefined;
  /** The text of settings.json, or null when there is none. */
  readonly settingsText: string | null;
}

export interface DesktopConfigResult {
  readonly config: DesktopConfig;
  /** One sentence per value left out, for the log. */
  readonly warnings: readonly string[];
}

const settingsSchema = z.looseObject({
  hubUrl: z.string().optional(),
  externalLinkHosts: z.array(z.string()).optional(),
});

export function desktopConfig({ hubUrlOverride, settingsText }: DesktopConfigSources): DesktopConfigResult {
  const warnings: string[] = [];
  let settings: z.infer<typeof settingsSchema> = {};
  if (settingsText !== null) {
    try {
      const parsed = settingsSchema.safeParse(JSON.parse(settingsText));
      if (parsed.success) settings = parsed.data;
      else warnings.push(`settings.json is ignored: ${z.prettifyError(parsed.error)}`);
    } catch {
      warnings.push('settings.json is ignored: it is not valid JSON.');
    }
  }

  const hubUrl = hubUrlOverride ?? settings.hubUrl;
  const hubOrigin = hubUrl === undefined ? null : hubOriginOf(hubUrl);
  if (hubUrl !== undefined && hubOrigin === null) {
    warnings.push(`The hub URL ${JSON.stringify(hubUrl)} is ignored: it must be an http(s) URL without user or password.`);
  }

  const httpsHosts: string[] = [];
  // The hub's own pages (its site, its documentation) are trusted links once it is on TLS.
  const hub = hubOrigin === null ? null : new URL(hubOrigin);
  if (hub !== null && hub.protocol === 'https:') httpsHosts.push(hub.host);
  for (const host of settings.externalLinkHosts ?? []) {
    const normalized = allowListHost(host);
    if (normalized === null) warnings.push(`The external link host ${JSON.stringify(host)} is ignored: it is not a bare host name.`);
    else if (!httpsHosts.includes(normalized)) httpsHosts.push(normalized);
  }

  return { config: { hubOrigin, externalLinks: { httpsHosts, isMailtoAllowed: true } }, warnings };
}

/** The origin of an http(s) hub URL, or null when it is something else. */
export function hubOriginOf(hubUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(hubUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.origin;
}
