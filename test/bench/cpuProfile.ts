import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * With FIELDWISE_BENCH_PROFILE=<folder>, the page's main-thread CPU profile from now until the
 * returned stop is called, written there as `<name>-<time>.cpuprofile` (Chromium's DevTools opens
 * it). Without it, nothing is recorded and stop does nothing.
 */
export async function startCpuProfile(page: Page, name: string): Promise<() => Promise<void>> {
  const folder = process.env.FIELDWISE_BENCH_PROFILE;
  if (!folder) return async () => undefined;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(join(folder, `${name}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  };
}
