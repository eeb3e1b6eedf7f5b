import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/*
 * The hub as the secretariat runs it: `server/cli.ts` in a child process (through tsx), for tests
 * of the command line, of a crash (SIGKILL) and of several processes on one PostgreSQL.
 */

const TSX = ['--import', 'tsx', 'server/cli.ts'];

export function runHubCommand(args: readonly string[]): { status: number | null; stdout: string; stderr: string; lastLine: string } {
  const result = spawnSync(process.execPath, [...TSX, ...args], { encoding: 'utf8', cwd: process.cwd(), timeout: 60_000 });
  const lines = result.stdout.trim().split('\n');
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, lastLine: lines[lines.length - 1] ?? '' };
}

/**
 * Like runHubCommand, without blocking this process's event loop while the command runs: sockets
 * a test holds open stay serviced (a blocked loop lets keep-alive connections go stale).
 */
export async function runHubCommandAsync(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string; lastLine: string }> {
  const child = spawn(process.execPath, [...TSX, ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const lines = stdout.trim().split('\n');
  return { status, stdout, stderr, lastLine: lines[lines.length - 1] ?? '' };
}

export interface HubProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `serve` and resolves once it says where it listens. */
export async function startHubProcess(args: readonly string[]): Promise<HubProcess> {
  const child = spawn(process.execPath, [...TSX, 'serve', '--port', '0', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${output.join('')}`)), 30_000);
    lines.on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { message?: string; url?: string };
        if (entry.message === 'hub serving' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code}: ${output.join('\n')}`));
    });
  });
  return {
    url,
    child,
    output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
      lines.close();
    },
  };
}
