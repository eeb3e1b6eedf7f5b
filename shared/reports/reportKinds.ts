import { z } from 'zod';
import { entryKinds, entryStatuses } from '../records/entry';
import { roleSchema } from '../records/recordType';
import { decisionRecordReport, type DecisionRecordOptions } from './decisionRecordReport';
import { digestGroupings, digestOrders, knowledgeDigest, knowledgeDigestSteps, type DigestOptions } from './knowledgeDigest';
import { networkContributions, type ContributionsOptions } from './networkContributions';
import { orgProfileReport, type OrgProfileOptions } from './orgProfileReport';
import type { ReportContext } from './reportInputs';
import { ReportInputError } from './reportInputError';
import type { ReportModel } from './reportModel';
import type { ReportSteps } from './reportSteps';

/*
 * The report kinds, each with the schema of its options, its model builder and the i18n key of its
 * name. buildReport validates a request's options with its kind's schema before building, and the
 * Reports screen lists the kinds from here. Adding a kind is its builder, one entry here, its
 * filters on the screen (renderer/reports/reportForms.ts) and its words in the catalogs.
 *
 * The schemas check the options' shapes; the builders check what depends on the data or on several
 * options at once (a reversed period, an organization not on this device) with a ReportInputError
 * whose code the screen puts in words.
 */

export interface ReportKindSpec<O> {
  readonly optionsSchema: z.ZodType<O>;
  readonly build: (context: ReportContext, options: O) => ReportModel;
  /**
   * The same builder as steps (reportSteps.ts), for a kind whose model grows with the entries: the
   * Reports screen runs it in slices. A kind without it is built in one go.
   */
  readonly buildSteps?: (context: ReportContext, options: O) => ReportSteps<ReportModel>;
  /** i18n key of the kind's name on the Reports screen. */
  readonly labels: { readonly name: string };
}

export interface ReportKindModule<O> extends ReportKindSpec<O> {
  /**
   * Checks options of unknown shape against the kind's schema, then builds: options that do not
   * fit are a ReportInputError ('bad-options'), never a half-built report.
   */
  readonly buildChecked: (context: ReportContext, options: unknown) => ReportModel;
  /** buildChecked as steps: the options are checked before the first step. */
  readonly buildCheckedSteps: (context: ReportContext, options: unknown) => ReportSteps<ReportModel>;
}

function defineReportKind<O>(id: string, spec: ReportKindSpec<O>): ReportKindModule<O> {
  const checked = (options: unknown): O => {
    const parsed = spec.optionsSchema.safeParse(options);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ');
      throw new ReportInputError('bad-options', `the options of a ${id} report do not fit it (${problems})`);
    }
    return parsed.data;
  };
  return {
    ...spec,
    buildChecked: (context, options) => spec.build(context, checked(options)),
    buildCheckedSteps(context, options) {
      const valid = checked(options);
      const inOneGo = function* () {
        return spec.build(context, valid);
      };
      return spec.buildSteps ? spec.buildSteps(context, valid) : inOneGo();
    },
  };
}

const periodShape = { from: z.number().nullable().optional(), to: z.number().nullable().optional() };

const digest = defineReportKind<DigestOptions>('digest', {
  optionsSchema: z.object({
    topics: z.array(z.string()).optional(),
    region: z.array(z.string()).optional(),
    kinds: z.array(z.enum(entryKinds)).optional(),
    orgIds: z.array(z.string()).optional(),
    ...periodShape,
    statuses: z.array(z.enum(entryStatuses)).optional(),
    groupBy: z.enum(digestGroupings).optional(),
    orderBy: z.enum(digestOrders).optional(),
  }),
  build: knowledgeDigest,
  buildSteps: knowledgeDigestSteps,
  labels: { name: 'reports.screen.kinds.digest' },
});

const contributions = defineReportKind<ContributionsOptions>('contributions', {
  optionsSchema: z.object({ ...periodShape, regionDepth: z.number().optional() }),
  build: networkContributions,
  labels: { name: 'reports.screen.kinds.contributions' },
});

const orgProfile = defineReportKind<OrgProfileOptions>('org-profile', {
  optionsSchema: z.object({ orgId: z.string().min(1) }),
  build: orgProfileReport,
  labels: { name: 'reports.screen.kinds.org-profile' },
});

const decisionRecord = defineReportKind<DecisionRecordOptions>('decision-record', {
  optionsSchema: z.object({ proposalId: z.string().min(1), viewer: z.object({ orgId: z.string(), role: roleSchema }).optional() }),
  build: decisionRecordReport,
  labels: { name: 'reports.screen.kinds.decision-record' },
});

/** Listed in the order the Reports screen offers them. */
export const reportKinds = { digest, contributions, 'org-profile': orgProfile, 'decision-record': decisionRecord } as const;

export type ReportKind = keyof typeof reportKinds;
export const reportKindIds = Object.keys(reportKinds) as ReportKind[];

type OptionsOf<K extends ReportKind> = (typeof reportKinds)[K] extends ReportKindModule<infer O> ? O : never;

/** Which report, with its own options: what the Reports screen's form produces. */
export type ReportRequest = { [K in ReportKind]: { readonly kind: K; readonly options: OptionsOf<K> } }[ReportKind];
