/*
 * A report builder written as steps: a generator that yields between items (an entry, a row) and
 * returns the model. Run to its end at once it is the synchronous builder (tests, the Node side);
 * run in slices it gives the UI thread back between items, so a report of 10,000 entries never
 * holds the window past the RAIL budget (issue 17). Both run the very same code, so the sliced
 * report cannot differ from the synchronous one.
 */

export type ReportSteps<T> = Generator<void, T, void>;

export function runSteps<T>(steps: ReportSteps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Thrown (as its reason) when a sliced run is aborted before its end. */
export class ReportBuildAborted extends Error {
  constructor() {
    super('the report build was aborted');
    this.name = 'ReportBuildAborted';
  }
}

/**
 * Runs `steps`, calling `pause` between them: the renderer passes a time slicer
 * (shared/client/yieldToMain.ts), which yields to the thread once a slice's budget is spent. Stops
 * at the next step once `signal` aborts (a newer build replaces this one), with ReportBuildAborted.
 */
export async function runStepsInSlices<T>(steps: ReportSteps<T>, options: { readonly pause: () => Promise<void> | undefined; readonly signal?: AbortSignal }): Promise<T> {
  const { pause } = options;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new ReportBuildAborted();
      const step = steps.next();
      if (step.done) return step.value;
      const paused = pause();
      if (paused) await paused;
    }
  } finally {
    // An aborted (or failed) run closes the generator, so its finally blocks run.
    steps.return(undefined as never);
  }
}
