import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/*
 * The hub's data folder, its database and its backups hold the token secret and the seal key
 * (docs/SECURITY.md): created owner-only (folder 0700, files 0600) whatever the umask, and
 * checked on `init` and `serve`, which warn about any that others can read.
 */

export const SECRET_DIR_MODE = 0o700;
export const SECRET_FILE_MODE = 0o600;

/** Makes `dir` (and missing parents) owner-only if it does not exist; an existing folder is left as it is, and warned about. */
export function ensureSecretDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: SECRET_DIR_MODE });
}

/** Creates `file` empty and owner-only if it does not exist yet. */
export function ensureSecretFile(file: string): void {
  if (existsSync(file)) return;
  closeSync(openSync(file, 'a', SECRET_FILE_MODE));
  chmodSync(file, SECRET_FILE_MODE); // the umask may have narrowed it further, never widened; set exactly
}

/** A warning for each of these paths that exists and that the group or others may read, write or enter. */
export function secretModeWarnings(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (!existsSync(path)) return [];
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) === 0) return [];
    const wanted = statSync(path).isDirectory() ? SECRET_DIR_MODE : SECRET_FILE_MODE;
    return [`warning: ${path} is readable by others (mode ${mode.toString(8).padStart(3, '0')}); it holds the hub's secrets: chmod ${wanted.toString(8)} ${path}`];
  });
}
