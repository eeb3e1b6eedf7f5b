import { z } from 'zod';
import { appendLog, readField, readLog, writeFields } from './layout';
import { shortText, timeSchema } from './fieldSchemas';
import type { Invariant } from './invariants';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';
import { RecordInputError } from './recordError';
import { recordIdSchema } from './recordType';
import { hasVisibleText } from './visibleText';

/*
 * An organization's interest in an offer. Its id is derived from (offer, organization): one
 * interest per organization and offer. The organization writes its message; only the secretariat
 * moves it through the pipeline, and every move is logged.
 */

export const pipelineStages = ['new', 'shortlisted', 'accepted', 'declined', 'completed'] as const;

/** One step of the pipeline: to `stage`, from `from` (absent on the first step), by whom, when, why. */
const stepSchema = z.object({ stage: z.enum(pipelineStages), from: z.enum(pipelineStages).optional(), byOrg: z.string(), at: timeSchema, note: shortText(2000) });
export type PipelineStep = z.infer<typeof stepSchema>;
export type PipelineStage = (typeof pipelineStages)[number];

export const interestProjectionSchema = z.object({
  offerId: z.string(),
  message: shortText(4000),
  stage: z.enum(pipelineStages),
  steps: z.array(stepSchema),
  ...timestampsShape,
});
export type InterestProjection = z.infer<typeof interestProjectionSchema>;

export const interestInputSchema = z.object({ offerId: recordIdSchema, message: shortText(4000).default('') });
export type InterestInput = z.input<typeof interestInputSchema>;

export function interestId(offerId: string, orgId: string): string {
  return ['interest', offerId, orgId].join('~');
}

/** A step of the secretariat's pipeline, not the organization's own first 'new' one. */
const isMove = (step: PipelineStep): boolean => step.stage !== 'new' || step.from !== undefined;

/**
 * The pipeline moves by steps: the stage an interest reads is the stage of its last move (a step
 * other than the organization's own first 'new' one, which two of its laptops may each log), or
 * 'new' before any move, so a stage written without its step (who, when, why) is refused like a
 * step in another's name. Declining takes a reason, which the organization reads in its step log:
 * an interest that stands declined has a visible one on the step that declined it. The hub runs
 * this on every write.
 */
const stageOnItsStep: Invariant<Pick<InterestProjection, 'stage' | 'steps'>> = (p) => {
  const last = p.steps.filter(isMove).at(-1);
  if (p.stage !== (last?.stage ?? 'new')) return { field: 'stage', reason: 'an interest moves by a step: log the step to this stage' };
  if (p.stage === 'declined' && !hasVisibleText(last?.note ?? '')) return { field: 'steps', reason: 'declining an interest needs a reason' };
  return null;
};

export const interest = defineRecord({
  type: 'interest',
  projectionSchema: interestProjectionSchema,
  inputSchema: interestInputSchema,
  init(doc, input, ctx) {
    writeFields(doc, { ...input, stage: 'new' });
    appendLog(doc, 'steps', { stage: 'new', byOrg: ctx.orgId, at: ctx.now, note: '' });
  },
  read(doc) {
    return {
      offerId: readField(doc, 'offerId', z.string(), ''),
      message: readField(doc, 'message', shortText(4000), ''),
      stage: readField(doc, 'stage', z.enum(pipelineStages), 'new'),
      steps: readLog(doc, 'steps', stepSchema),
    };
  },
  fieldActions: {
    stage: 'manage',
    // Logging the first 'new' step is part of expressing interest (two laptops of one organization
    // may each log one: the id is derived, so they write into one record); any other step is a
    // move, a move back to 'new' included (it names where it came from).
    steps: (before, after) => {
      const moves = (p: InterestProjection) => JSON.stringify(p.steps.filter(isMove));
      return after.steps.length >= before.steps.length && moves(before) === moves(after) ? 'edit' : 'manage';
    },
  },
  invariants: stageOnItsStep,
  deriveId: (input, ownerOrg) => interestId(input.offerId, ownerOrg),
  index: (p) => ({ title: '', status: p.stage, kind: '', refId: p.offerId, tags: [], region: '' }),
});

export const interestMutators = {
  setMessage: defineMutator('interest', 'setMessage', 'edit', shortText(4000), (doc, message) => writeFields(doc, { message })),
  move: defineMutator(
    'interest',
    'move',
    'manage',
    z.object({ stage: z.enum(pipelineStages), note: shortText(2000).default('') }),
    (doc, { stage, note }, ctx) => {
      if (stage === 'declined' && !hasVisibleText(note)) throw new RecordInputError('note', 'declining an interest needs a reason');
      const from = readField(doc, 'stage', z.enum(pipelineStages), 'new');
      writeFields(doc, { stage });
      appendLog(doc, 'steps', { stage, from, byOrg: ctx.orgId, at: ctx.now, note });
    },
  ),
};
