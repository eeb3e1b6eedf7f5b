import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHubCommand } from '../support/hubProcess';

/*
 * The hub's secrets at rest, through the command line: the data folder, its database and a backup
 * are created owner-only whatever the umask (read back from the file system), and `init` warns
 * about a folder others can read.
 */

const parent = mkdtempSync(join(tmpdir(), 'fieldwise-modes-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("the hub's files at rest", () => {
  it('creates the data folder 0700 and the database, its WAL and backups 0600', () => {
    // The usual umask (022) alone would give 0755 and 0644.
    chmodSync(parent, 0o755);
    const data = join(parent, 'hub-data');
    const init = runHubCommand(['init', '--data', data, '--network', 'Water Network']);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stderr).not.toContain('readable by others');
    expect(modeOf(data)).toBe(0o700);
    expect(modeOf(join(data, 'hub.sqlite'))).toBe(0o600);
    const out = join(parent, 'backups', 'hub-copy.sqlite');
    expect(runHubCommand(['backup', '--data', data, '--out', out]).status).toBe(0);
    expect(modeOf(join(parent, 'backups'))).toBe(0o700);
    expect(modeOf(out)).toBe(0o600);
    for (const suffix of ['-wal', '-shm']) {
      const path = join(data, `hub.sqlite${suffix}`);
      try {
        expect(modeOf(path)).toBe(0o600);
      } catch (error) {
        // Gone once the last connection closed: nothing left to check.
        if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
      }
    }
  });

  it('warns on init when the data folder is readable by others', () => {
    const data = join(parent, 'open-data');
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    const init = runHubCommand(['init', '--data', data, '--network', 'Water Network']);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stderr).toContain(`warning: ${data} is readable by others (mode 755)`);
    expect(modeOf(join(data, 'hub.sqlite'))).toBe(0o600);
  });
});
