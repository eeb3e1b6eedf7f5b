import { z } from 'zod';
import { appendLog, readField, readLog, readSet, writeFields, writeSet } from './layout';
import { mergedTagsSchema, nonEmptyText, tagSchema, shortText, tagsSchema, timeSchema } from './fieldSchemas';
import { regionKey, regionPathSchema } from './region';
import { orgInvariants } from './invariants';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';

/*
 * An organization's profile. Its record id is the organization's id, so the owner of a profile is
 * always the organization it describes. Capabilities and topics are sets (concurrent adds merge);
 * the stage history is an append-only log, the current stage a plain field.
 */

export const coordinatesSchema = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

export const contactSchema = z.object({
  person: shortText(200).default(''),
  phone: shortText(60).default(''),
  email: z.union([z.literal(''), z.email('must be an email address')]).default(''),
});

/** `byOrg`: who changed the stage (the organization itself, or the secretariat); '' in steps logged before it was kept. */
const stageStepSchema = z.object({ stage: nonEmptyText(60), at: timeSchema, byOrg: z.string().max(200).default('') });
export type StageStep = z.infer<typeof stageStepSchema>;

/**
 * The organization's latest answers to the network's capacity self-assessment (question id ->
 * answer id), with who gave them and when. Kept whole (last writer wins): answers belong together.
 */
export const assessmentAnswersSchema = z.object({
  answers: z.record(z.string().min(1).max(60), z.string().min(1).max(60)).refine((a) => Object.keys(a).length <= 100, 'at most 100 answers'),
  at: timeSchema,
  byOrg: z.string().max(200),
});
export type AssessmentAnswers = z.infer<typeof assessmentAnswersSchema>;

const staffSizeSchema = z.number().int('must be a whole number').min(0).max(1_000_000);

export const orgProjectionSchema = z.object({
  name: shortText(200),
  region: regionPathSchema,
  coordinates: coordinatesSchema.nullable(),
  capabilities: mergedTagsSchema,
  staffSize: staffSizeSchema,
  stage: shortText(60),
  stageHistory: z.array(stageStepSchema),
  selfAssessment: assessmentAnswersSchema.nullable(),
  topics: mergedTagsSchema,
  contact: contactSchema,
  ...timestampsShape,
});
export type OrgProjection = z.infer<typeof orgProjectionSchema>;

export const orgInputSchema = z.object({
  name: nonEmptyText(200),
  region: regionPathSchema.default([]),
  coordinates: coordinatesSchema.nullable().default(null),
  capabilities: tagsSchema.default([]),
  staffSize: staffSizeSchema.default(0),
  stage: shortText(60).default(''),
  topics: tagsSchema.default([]),
  contact: contactSchema.default({ person: '', phone: '', email: '' }),
});
export type OrgInput = z.input<typeof orgInputSchema>;

const emptyContact = { person: '', phone: '', email: '' };

export const org = defineRecord({
  type: 'org',
  projectionSchema: orgProjectionSchema,
  inputSchema: orgInputSchema,
  init(doc, input, ctx) {
    const { capabilities, topics, ...plain } = input;
    writeFields(doc, plain);
    writeSet(doc, 'capabilities', capabilities);
    writeSet(doc, 'topics', topics);
    if (input.stage) appendLog(doc, 'stageHistory', { stage: input.stage, at: ctx.now, byOrg: ctx.orgId });
  },
  read(doc) {
    return {
      name: readField(doc, 'name', shortText(200), ''),
      region: readField(doc, 'region', regionPathSchema, []),
      coordinates: readField(doc, 'coordinates', coordinatesSchema.nullable(), null),
      capabilities: readSet(doc, 'capabilities', tagSchema),
      staffSize: readField(doc, 'staffSize', staffSizeSchema, 0),
      stage: readField(doc, 'stage', shortText(60), ''),
      stageHistory: readLog(doc, 'stageHistory', stageStepSchema),
      selfAssessment: readField(doc, 'selfAssessment', assessmentAnswersSchema.nullable(), null),
      topics: readSet(doc, 'topics', tagSchema),
      contact: readField(doc, 'contact', contactSchema, emptyContact),
    };
  },
  // A profile's id is its organization's id.
  deriveId: (_input, ownerOrg) => ownerOrg,
  invariants: orgInvariants,
  index: (p) => ({ title: p.name, status: p.stage, kind: '', refId: '', tags: p.capabilities, region: regionKey(p.region) }),
});

export const orgMutators = {
  setProfile: defineMutator(
    'org',
    'setProfile',
    'edit',
    // Not `orgInputSchema.pick(...).partial()`: the create defaults survive `.partial()` and would
    // overwrite every field left out (renaming an organization reset its region and contact).
    z
      .object({ name: nonEmptyText(200), region: regionPathSchema, coordinates: coordinatesSchema.nullable(), staffSize: staffSizeSchema, contact: contactSchema })
      .partial(),
    (doc, values) => writeFields(doc, values),
  ),
  setCapabilities: defineMutator('org', 'setCapabilities', 'edit', tagsSchema, (doc, values) => writeSet(doc, 'capabilities', values)),
  setTopics: defineMutator('org', 'setTopics', 'edit', tagsSchema, (doc, values) => writeSet(doc, 'topics', values)),
  /** Keeps the history: every change of stage is logged with who made it and when. */
  setStage: defineMutator('org', 'setStage', 'edit', nonEmptyText(60), (doc, stage, ctx) => {
    if (readField(doc, 'stage', shortText(60), '') === stage) return;
    writeFields(doc, { stage });
    appendLog(doc, 'stageHistory', { stage, at: ctx.now, byOrg: ctx.orgId });
  }),
  /**
   * Records the answers to the network's self-assessment. It does not change the stage: the
   * suggestion (matching/suggestStage) is shown, and the organization adopts it with `setStage`.
   */
  setSelfAssessment: defineMutator(
    'org',
    'setSelfAssessment',
    'edit',
    assessmentAnswersSchema.shape.answers,
    (doc, answers, ctx) => writeFields(doc, { selfAssessment: { answers, at: ctx.now, byOrg: ctx.orgId } }),
  ),
};

/**
 * What two organization names are compared by: the same name in another case, in full-width
 * letters or with spaces around it is the same name (one organization cannot pass for another).
 */
export function orgNameKey(name: string): string {
  // Invisible format characters (zero-width space, joiners) and runs of spaces read as nothing
  // and as one space: "River\u200B Aid" and "River  Aid" must not pass for a new name.
  return name.normalize('NFKC').replace(/\p{Cf}/gu, '').replace(/\s+/gu, ' ').trim().toLocaleLowerCase('und');
}
