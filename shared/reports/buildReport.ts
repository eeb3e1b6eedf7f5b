import { sayWhatWasLeftOut, withoutOwnerOnlyEntries } from './labelExclusion';
import type { ReportContext } from './reportInputs';
import { sayWhetherPhotos } from './reportAttachments';
import { reportKinds, type ReportRequest } from './reportKinds';
import { withRememberedLabels, type ReportModel } from './reportModel';

/**
 * The report a request asks for, built by its kind (reportKinds.ts) after its options were checked
 * against the kind's schema: a request may come from a saved setting or a test, not only the form.
 */
export function buildReport(given: ReportContext, request: ReportRequest): ReportModel {
  // Reports are for people outside the organization: owner-only entries stay out (labelExclusion.ts).
  const { data, leftOut } = withoutOwnerOnlyEntries(given.data);
  const context: ReportContext = { ...given, data, locale: withRememberedLabels(given.locale) };
  const model = sayWhetherPhotos(reportKinds[request.kind].buildChecked(context, request.options), context.locale, given.includePhotos ?? true, given.leftOutPhotos);
  return sayWhatWasLeftOut(model, leftOut, context.locale);
}
