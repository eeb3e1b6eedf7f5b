import { decisionRecordReport, type DecisionRecordOptions } from './decisionRecordReport';
import { knowledgeDigest, type DigestOptions } from './knowledgeDigest';
import { networkContributions, type ContributionsOptions } from './networkContributions';
import { orgProfileReport, type OrgProfileOptions } from './orgProfileReport';
import type { ReportContext } from './reportInputs';
import { withRememberedLabels, type ReportModel } from './reportModel';

/** Which report, with its own options: what the Reports screen's form produces. */
export type ReportRequest =
  | { readonly kind: 'digest'; readonly options: DigestOptions }
  | { readonly kind: 'contributions'; readonly options: ContributionsOptions }
  | { readonly kind: 'org-profile'; readonly options: OrgProfileOptions }
  | { readonly kind: 'decision-record'; readonly options: DecisionRecordOptions };

export function buildReport(given: ReportContext, request: ReportRequest): ReportModel {
  const context: ReportContext = { ...given, locale: withRememberedLabels(given.locale) };
  switch (request.kind) {
    case 'digest':
      return knowledgeDigest(context, request.options);
    case 'contributions':
      return networkContributions(context, request.options);
    case 'org-profile':
      return orgProfileReport(context, request.options);
    case 'decision-record':
      return decisionRecordReport(context, request.options);
  }
}
