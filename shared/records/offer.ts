import { z } from 'zod';
import { readField, writeFields } from './layout';
import { longText, nonEmptyText, shortText, tagsSchema, timeSchema } from './fieldSchemas';
import { regionPathSchema } from './region';
import { termsInvariants } from './invariants';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';

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

export const offerProjectionSchema = z.object({
  ...termsShape,
  title: shortText(300),
  places: z.number().int().min(0),
  state: z.enum(offerStates),
  ...timestampsShape,
});
export type OfferProjection = z.infer<typeof offerProjectionSchema>;

export const offerInputSchema = z
  .object({ ...termsShape, description: longText.default(''), eligibility: offerEligibilitySchema.default({ stages: [], regions: [], capabilities: [], minStaff: null, maxStaff: null }) })
  .refine((o) => o.closesAt > o.opensAt, { message: 'must be after opensAt', path: ['closesAt'] });
export type OfferInput = z.input<typeof offerInputSchema>;

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
    };
  },
  fieldActions: { state: 'manage' },
  invariants: termsInvariants,
  index: (p) => ({ title: p.title, status: p.state, kind: p.kind, refId: '', tags: p.eligibility.capabilities, region: '' }),
});

export const offerMutators = {
  setTerms: defineMutator('offer', 'setTerms', 'edit', z.object(termsShape).partial(), (doc, terms) => writeFields(doc, terms)),
  setState: defineMutator('offer', 'setState', 'manage', z.enum(offerStates), (doc, state) => writeFields(doc, { state })),
};
