import { z } from 'zod';
import { readField, writeFields } from './layout';
import { longText, nonEmptyText, reasonText, shortText, tagsSchema, timeSchema } from './fieldSchemas';
import { hasVisibleText } from './visibleText';
import { regionPathSchema } from './region';
import { firstViolation, termsInvariants, type Invariant } from './invariants';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';
import { RecordInputError } from './recordError';
import { recordIdSchema } from './recordType';

/*
 * A support "product" the secretariat offers (funding, training, ...), with who it is for.
 * Matching organizations to offers lives in matching/ (issue 7).
 */

export const offerKinds = ['funding', 'training', 'coordination', 'dissemination', 'capacity-building'] as const;
export const offerStates = ['draft', 'published', 'closed'] as const;

export const offerEligibilitySchema = z
  .object({
    stages: z.array(nonEmptyText(60)).max(20).default([]),
    regions: z.array(regionPathSchema).max(200).default([]),
    capabilities: tagsSchema.default([]),
    minStaff: z.number().int().min(0).nullable().default(null),
    maxStaff: z.number().int().min(0).nullable().default(null),
  })
  .refine((e) => e.minStaff === null || e.maxStaff === null || e.minStaff <= e.maxStaff, {
    message: 'must not be below minStaff',
    path: ['maxStaff'],
  });

const termsShape = {
  title: nonEmptyText(300),
  kind: z.enum(offerKinds),
  description: longText,
  eligibility: offerEligibilitySchema,
  places: z.number().int().min(1).max(100_000),
  opensAt: timeSchema,
  closesAt: timeSchema,
};

/**
 * Why the offer was closed, by whom and when: closing is irreversible for the organizations that
 * were still answering, so it takes a reason (offerMutators.close), and a closed offer always has
 * one a reader can see (the invariant below, which the hub runs on every write; `orgId` is the
 * writer's organization, server/hub/orgNames.ts). Reopening clears it.
 */
export const offerClosureSchema = z.object({ reason: nonEmptyText(2000), orgId: recordIdSchema, at: timeSchema });
export type OfferClosure = z.infer<typeof offerClosureSchema>;

export const offerProjectionSchema = z.object({
  ...termsShape,
  title: shortText(300),
  places: z.number().int().min(0),
  state: z.enum(offerStates),
  closure: offerClosureSchema.nullable(),
  ...timestampsShape,
});
export type OfferProjection = z.infer<typeof offerProjectionSchema>;

export const offerInputSchema = z
  .object({ ...termsShape, description: longText.default(''), eligibility: offerEligibilitySchema.default({ stages: [], regions: [], capabilities: [], minStaff: null, maxStaff: null }) })
  .refine((o) => o.closesAt > o.opensAt, { message: 'must be after opensAt', path: ['closesAt'] });
export type OfferInput = z.input<typeof offerInputSchema>;

/** A closed offer says why it was closed; an open or draft one carries no closing reason. */
const closedWithReason: Invariant<Pick<OfferProjection, 'state' | 'closure'>> = (p) => {
  if (p.state === 'closed' && (p.closure === null || !hasVisibleText(p.closure.reason))) return { field: 'closure', reason: 'closing an offer needs a reason' };
  if (p.state !== 'closed' && p.closure !== null) return { field: 'closure', reason: 'only a closed offer has a closing reason' };
  return null;
};

const anyone = { stages: [], regions: [], capabilities: [], minStaff: null, maxStaff: null };

export const offer = defineRecord({
  type: 'offer',
  projectionSchema: offerProjectionSchema,
  inputSchema: offerInputSchema,
  init(doc, input) {
    writeFields(doc, { ...input, state: 'draft' });
  },
  read(doc) {
    return {
      title: readField(doc, 'title', shortText(300), ''),
      kind: readField(doc, 'kind', termsShape.kind, 'funding'),
      description: readField(doc, 'description', longText, ''),
      eligibility: readField(doc, 'eligibility', offerEligibilitySchema, anyone),
      places: readField(doc, 'places', z.number().int().min(0), 0),
      opensAt: readField(doc, 'opensAt', timeSchema, 0),
      closesAt: readField(doc, 'closesAt', timeSchema, 0),
      state: readField(doc, 'state', z.enum(offerStates), 'draft'),
      closure: readField(doc, 'closure', offerClosureSchema.nullable(), null),
    };
  },
  fieldActions: { state: 'manage', closure: 'manage' },
  invariants: (p) => firstViolation(termsInvariants(p), closedWithReason(p)),
  index: (p) => ({ title: p.title, status: p.state, kind: p.kind, refId: '', tags: p.eligibility.capabilities, region: '' }),
});

export const offerMutators = {
  setTerms: defineMutator('offer', 'setTerms', 'edit', z.object(termsShape).partial(), (doc, terms) => writeFields(doc, terms)),
  /** Publishes the offer or takes it back to draft (reopening a closed one clears its closing reason); closing is `close`. */
  setState: defineMutator('offer', 'setState', 'manage', z.enum(offerStates), (doc, state) => {
    if (state === 'closed') throw new RecordInputError('state', 'an offer is closed with a reason (close)');
    writeFields(doc, { state, closure: null });
  }),
  /** Closes the offer, with the reason the organizations will read. */
  close: defineMutator('offer', 'close', 'manage', reasonText(2000), (doc, reason, ctx) =>
    writeFields(doc, { state: 'closed', closure: { reason, orgId: ctx.orgId, at: ctx.now } }),
  ),
};
