// Fails a test file that leaves a timer, a server, a socket or another handle keeping the process
// alive after its last test (STYLE.md: "a test that leaks a timer or an open handle fails").
// Each file runs in its own forked process (vitest.config.ts), so the handles are the file's own.
// Unref'd timers do not keep the process alive and are not counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll } from 'vitest';

// How long a file's handles get to close after its last hook, e.g. a socket finishing its close.
const SETTLE_MS = 1_000;
const POLL_MS = 25;

function countByType(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function leaksSince(baseline: Map<string, number>): string[] {
  const leaks: string[] = [];
  for (const [type, count] of countByType()) {
    const extra = count - (baseline.get(type) ?? 0);
    if (extra > 0) leaks.push(`${extra} × ${type}`);
  }
  return leaks;
}

let baseline = new Map<string, number>();

beforeAll(() => {
  baseline = countByType();
  // vitest keeps a short-lived timer of its own around each hook and test (about 100 ms), so a
  // Timeout seen here is not the file's; once settled, a file that cleaned up has none.
  baseline.delete('Timeout');
});

// Registered before the test file's own hooks, so under vitest's default 'stack' hook order it
// runs after them: a file that closes its hub in its own afterAll is not reported.
afterAll(async () => {
  let leaks = leaksSince(baseline);
  // Counts polls rather than reading the clock: a file may leave vi.useFakeTimers() on, which
  // freezes Date but not node:timers/promises.
  for (let waitedMs = 0; leaks.length > 0 && waitedMs < SETTLE_MS; waitedMs += POLL_MS) {
    await sleep(POLL_MS);
    leaks = leaksSince(baseline);
  }
  if (leaks.length > 0) {
    throw new Error(
      `This test file left handles open after its last test: ${leaks.join(', ')} ` +
        '(Timeout = a setTimeout/setInterval never cleared; TCP*Wrap = a server or socket never closed).',
    );
  }
});
