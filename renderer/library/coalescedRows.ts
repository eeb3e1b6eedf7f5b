import { asyncScheduler, throttleTime, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * At most one list refresh per LIST_REFRESH_MS while records keep arriving: an initial sync or a
 * bundle import writes a page every few hundred milliseconds, and each write re-rendered the
 * whole library (its rows, badges and filters: 40 to 100 ms a render on a loaded 2-core machine,
 * most of the initial sync's long tasks, issue 17). A lone change (an edit, a page after a pause)
 * still shows at once, and the last value of a burst always shows.
 */
export const LIST_REFRESH_MS = 1_000;

export function coalescedRows<T>(refreshMs = LIST_REFRESH_MS): MonoTypeOperatorFunction<T> {
  return throttleTime<T>(refreshMs, asyncScheduler, { leading: true, trailing: true });
}
