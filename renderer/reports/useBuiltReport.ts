import { startTransition, useEffect, useState } from 'react';
import { timeSlicer } from '../../shared/client/yieldToMain';
import type { ReportModel } from '../../shared/reports/reportModel';
import { ReportBuildAborted, runStepsInSlices, type ReportSteps } from '../../shared/reports/reportSteps';

export interface BuiltReport {
  /** The latest model built in full; while a newer one is building, the one before it. */
  readonly model: ReportModel | null;
  /** Why the latest build was refused, in words (refusalText). */
  readonly error: string | null;
  /** A newer build is under way: what shows is the one before (exports wait for it). */
  readonly isBuilding: boolean;
}

/**
 * Builds the report `job` asks for in slices on the UI thread (issue 17: a digest of 10,000
 * entries took 0.7 s in one go), yielding between entries. A newer job (the store changed, a
 * filter settled) aborts the one under way. `job` is null when there is nothing to build.
 */
export function useBuiltReport(job: (() => ReportSteps<ReportModel>) | null, describeError: (error: unknown) => string): BuiltReport {
  const [done, setDone] = useState<{ readonly job: unknown; readonly model: ReportModel | null; readonly error: string | null }>({ job: null, model: null, error: null });
  useEffect(() => {
    if (!job) return;
    const controller = new AbortController();
    runStepsInSlices(job(), { pause: timeSlicer(), signal: controller.signal }).then(
      // The screen and its preview render for the new model in a transition: in slices, not one task.
      (model) => startTransition(() => setDone({ job, model, error: null })),
      (error: unknown) => {
        if (!(error instanceof ReportBuildAborted)) setDone({ job, model: null, error: describeError(error) });
      },
    );
    return () => controller.abort();
    // describeError only puts a refusal in words: a new function for the same job changes nothing.
  }, [job]);
  if (!job) return { model: null, error: null, isBuilding: false };
  return { model: done.model, error: done.error, isBuilding: done.job !== job };
}
