/*
 * The desktop shell's configuration in force, and the one change the renderer may ask for: which
 * hub it connects to. The CSP of every app:// response, the link allow-list and the navigation
 * guards ask `config()` each time, so a new hub applies from the page's next load.
 *
 * settings.json is written to a temp file that is renamed over the old one, so a crash leaves
 * either the old settings or the new, never half a file. Changes run one at a time. A settings.json
 * that the shell cannot read as its own is left as it is (it may hold hand edits) and the change is
 * refused with a reason. FIELDWISE_HUB_URL pins the hub: while it is set, no other hub is applied.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';

import type { SetHubUrlResult } from '../../shared/bridge/desktopBridge';
import { BridgeError } from './bridgeError';
import { desktopConfig, hubOriginOf, type DesktopConfig } from './desktopConfig';
import type { FileSystemPort } from './ports';

export interface DesktopSettingsOptions {
  readonly fs: FileSystemPort;
  /** settings.json in userData. */
  readonly filePath: string;
  /** FIELDWISE_HUB_URL, when set. */
  readonly hubUrlOverride: string | undefined;
  /** The text of settings.json as read at start, or null when there is none. */
  readonly settingsText: string | null;
  /** Told each value the configuration leaves out at start, for the log. */
  readonly onDidWarn: (warning: string) => void;
}

export interface DesktopSettings {
  /** The configuration in force now. */
  readonly config: () => DesktopConfig;
  /** Persists the hub URL to settings.json and applies it to the configuration. */
  readonly setHubUrl: (url: string) => Promise<SetHubUrlResult>;
}

export function createDesktopSettings(options: DesktopSettingsOptions): DesktopSettings {
  const { fs, filePath, hubUrlOverride } = options;
  const initial = desktopConfig({ hubUrlOverride, settingsText: options.settingsText });
  for (const warning of initial.warnings) options.onDidWarn(warning);
  let current = initial.config;
  let tail: Promise<unknown> = Promise.resolve();

  function serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = tail.then(operation, operation);
    tail = result.catch(() => undefined);
    return result;
  }

  async function readSettingsText(): Promise<string | null> {
    try {
      return await fs.readFile(filePath, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return null;
      throw error;
    }
  }

  async function writeSettingsText(text: string): Promise<void> {
    await fs.mkdir(dirname(filePath), { recursive: true });
    const tempPath = `${filePath}.${randomUUID()}.tmp`;
    try {
      await fs.writeFile(tempPath, text, { flush: true });
      await fs.rename(tempPath, filePath);
    } catch (error) {
      await fs.rm(tempPath, { force: true });
      throw error;
    }
  }

  async function setHubUrl(url: string): Promise<SetHubUrlResult> {
    // The IPC handler has checked this already; the service does not rely on it.
    const origin = hubOriginOf(url);
    if (origin === null) {
      throw new BridgeError('invalid-arguments', 'setHubUrl: the hub URL must be an http(s) URL without user or password.');
    }
    if (hubUrlOverride !== undefined) {
      if (current.hubOrigin === origin) return { isApplied: true, isReloadRequired: false };
      return {
        isApplied: false,
        reason: `FIELDWISE_HUB_URL is set to ${JSON.stringify(hubUrlOverride)}: this app connects only to that hub while it is set.`,
      };
    }

    const text = await readSettingsText();
    let settings: Record<string, unknown> = {};
    if (text !== null) {
      const parsed = jsonObjectOrNull(text);
      if (parsed === null) {
        return { isApplied: false, reason: `The settings file ${filePath} is not a JSON object: fix or remove it, then try again.` };
      }
      settings = parsed;
    }
    // What is stored is the parser's serialization of what was checked, not the raw string.
    const nextText = `${JSON.stringify({ ...settings, hubUrl: new URL(url).href }, null, 2)}\n`;
    const next = desktopConfig({ hubUrlOverride, settingsText: nextText });
    if (next.config.hubOrigin !== origin) {
      // Another value in the file makes the shell ignore it (a bad externalLinkHosts, say).
      return { isApplied: false, reason: next.warnings.join(' ') || `The settings file ${filePath} cannot hold this hub.` };
    }
    if (nextText !== text) await writeSettingsText(nextText);
    const previousOrigin = current.hubOrigin;
    current = next.config;
    return { isApplied: true, isReloadRequired: previousOrigin !== origin };
  }

  return {
    config: () => current,
    setHubUrl: (url) => serialized(() => setHubUrl(url)),
  };
}

function jsonObjectOrNull(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
