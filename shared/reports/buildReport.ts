import { sayWhatWasLeftOut, withoutOwnerOnlyEntries } from './labelExclusion';
import type { ReportContext } from './reportInputs';
import { sayWhetherPhotos } from './reportAttachments';
import { reportKinds, type ReportRequest } from './reportKinds';
import { withRememberedLabels, type ReportModel } from './reportModel';
import { runSteps, type ReportSteps } from './reportSteps';

/**
 * The report a request asks for, built by its kind (reportKinds.ts) after its options were checked
 * against the kind's schema: a request may come from a saved setting or a test, not only the form.
 */
export function buildReport(given: ReportContext, request: ReportRequest): ReportModel {
  return runSteps(buildReportSteps(given, request));
}

/**
 * buildReport as steps (reportSteps.ts): the Reports screen runs them in slices, so a report of
 * thousands of entries never holds the window for long; the result is the same model.
 */
export function* buildReportSteps(given: ReportContext, request: ReportRequest): ReportSteps<ReportModel> {
  // Reports are for people outside the organization: owner-only entries stay out (labelExclusion.ts).
  const { data, leftOut } = withoutOwnerOnlyEntries(given.data);
  const context: ReportContext = { ...given, data, locale: withRememberedLabels(given.locale) };
  yield;
  const built = yield* reportKinds[request.kind].buildCheckedSteps(context, request.options);
  const model = sayWhetherPhotos(built, context.locale, given.includePhotos ?? true, given.leftOutPhotos);
  return sayWhatWasLeftOut(model, leftOut, context.locale);
}
