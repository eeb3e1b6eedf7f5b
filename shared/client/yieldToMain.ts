/*
 * Long work on the UI thread (folding a pulled page, importing a bundle) gives the thread back
 * between slices, so no task runs past the RAIL budget of 50 ms (issue 17) and input and frames
 * get their turn. `scheduler.yield()` (Chromium) resumes ahead of other queued tasks; elsewhere a
 * macrotask does (setImmediate in Node, which has no 4 ms clamp; setTimeout otherwise).
 */

interface YieldingScheduler {
  readonly yield?: () => Promise<void>;
}

export function yieldToMain(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: YieldingScheduler }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  if (typeof globalThis.setImmediate === 'function') return new Promise((resolve) => globalThis.setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Work per slice before yielding: well inside 50 ms, leaving room for the write that follows. */
export const SLICE_BUDGET_MS = 8;

/** Yields once `budgetMs` of work has run since the last yield; call it between items. */
export function timeSlicer(budgetMs = SLICE_BUDGET_MS): () => Promise<void> | undefined {
  let sliceStart = performance.now();
  return () => {
    if (performance.now() - sliceStart < budgetMs) return undefined;
    return yieldToMain().then(() => {
      sliceStart = performance.now();
    });
  };
}
