/*
 * Opening the browser app's address in the person's browser, where there is a desktop to open it
 * on. A server, a container or an SSH session has none: there the address is only printed, and
 * nothing fails.
 */
import { spawn } from 'node:child_process';

export interface OpenCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The command that opens `url`, or null where no desktop browser can be expected: on Linux and
 * the BSDs only with an X11 or Wayland display; nowhere when BROWSER=none (the convention of
 * other dev servers, and how tests keep a browser from opening).
 */
export function browserOpenCommand(url: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): OpenCommand | null {
  if (env.BROWSER === 'none') return null;
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // `start` is a cmd built-in; its first quoted argument is the window title.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
  return { command: 'xdg-open', args: [url] };
}

/** Opens `url` when it can; a missing opener or a failing one is ignored. Returns whether it tried. */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): boolean {
  const open = browserOpenCommand(url, platform, env);
  if (!open) return false;
  try {
    const child = spawn(open.command, [...open.args], { stdio: 'ignore', detached: true, windowsHide: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    return false;
  }
  return true;
}
