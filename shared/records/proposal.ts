import { z } from 'zod';
import { fragmentText, readField, richText, setFragmentText, writeFields } from './layout';
import { longText, nonEmptyText, shortText, timeSchema } from './fieldSchemas';
import { termsInvariants } from './invariants';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';
import { recordIdSchema, roleSchema } from './recordType';
import { decisionMethodNames } from '../governance/decisionMethods';

/*
 * A proposal the network decides on. Its description is rich text (`description` fragment); every
 * other field is plain. Its method is one of governance/decisionMethods.ts, which knows how ballots are counted; this module only
 * keeps the proposal's own terms.
 */

export const proposalStates = ['draft', 'open', 'cancelled'] as const;

export const optionSchema = z.object({ id: nonEmptyText(40), label: nonEmptyText(300) });

export const eligibilitySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all-members') }),
  z.object({ kind: z.literal('orgs'), orgIds: z.array(recordIdSchema).min(1).max(5000) }),
  z.object({ kind: z.literal('roles'), roles: z.array(roleSchema).min(1) }),
]);

const shareSchema = z.number().min(0).max(1);
const DEFAULT_GRACE_HOURS = 72;

const termsShape = {
  title: nonEmptyText(300),
  options: z
    .array(optionSchema)
    .max(50)
    .refine((options) => new Set(options.map((o) => o.id)).size === options.length, 'option ids must be unique'),
  method: z.enum(decisionMethodNames),
  maxChoices: z.number().int().min(1).max(50),
  blocksCount: z.boolean(),
  eligible: eligibilitySchema,
  opensAt: timeSchema,
  closesAt: timeSchema,
  quorum: shareSchema,
  threshold: shareSchema,
  secrecy: z.enum(['open', 'secret']),
  resultsVisibility: z.enum(['live', 'after-close']),
  graceHours: z.number().int().min(0).max(24 * 60),
};

export const proposalProjectionSchema = z.object({
  ...termsShape,
  title: shortText(300),
  description: longText,
  state: z.enum(proposalStates),
  ...timestampsShape,
});
export type ProposalProjection = z.infer<typeof proposalProjectionSchema>;

export const proposalInputSchema = z
  .object({
    ...termsShape,
    description: longText.default(''),
    maxChoices: termsShape.maxChoices.default(1),
    blocksCount: z.boolean().default(true),
    eligible: eligibilitySchema.default({ kind: 'all-members' }),
    quorum: shareSchema.default(0),
    threshold: shareSchema.default(0.5),
    secrecy: z.enum(['open', 'secret']).default('open'),
    resultsVisibility: z.enum(['live', 'after-close']).default('live'),
    graceHours: termsShape.graceHours.default(DEFAULT_GRACE_HOURS),
  })
  .refine((p) => p.closesAt > p.opensAt, { message: 'must be after opensAt', path: ['closesAt'] });
export type ProposalInput = z.input<typeof proposalInputSchema>;

export const proposal = defineRecord({
  type: 'proposal',
  projectionSchema: proposalProjectionSchema,
  inputSchema: proposalInputSchema,
  init(doc, { description, ...terms }) {
    writeFields(doc, { ...terms, state: 'draft' });
    setFragmentText(richText(doc, 'description'), description);
  },
  read(doc) {
    return {
      title: readField(doc, 'title', shortText(300), ''),
      description: fragmentText(richText(doc, 'description')),
      options: readField(doc, 'options', termsShape.options, []),
      method: readField(doc, 'method', termsShape.method, 'advice'),
      maxChoices: readField(doc, 'maxChoices', termsShape.maxChoices, 1),
      blocksCount: readField(doc, 'blocksCount', termsShape.blocksCount, true),
      eligible: readField(doc, 'eligible', eligibilitySchema, { kind: 'all-members' }),
      opensAt: readField(doc, 'opensAt', timeSchema, 0),
      closesAt: readField(doc, 'closesAt', timeSchema, 0),
      quorum: readField(doc, 'quorum', shareSchema, 0),
      threshold: readField(doc, 'threshold', shareSchema, 0.5),
      secrecy: readField(doc, 'secrecy', termsShape.secrecy, 'open'),
      resultsVisibility: readField(doc, 'resultsVisibility', termsShape.resultsVisibility, 'live'),
      graceHours: readField(doc, 'graceHours', termsShape.graceHours, DEFAULT_GRACE_HOURS),
      state: readField(doc, 'state', z.enum(proposalStates), 'draft'),
    };
  },
  // Opening or cancelling a poll is managing it; the hub lets only its runners do that.
  fieldActions: { state: 'manage' },
  invariants: termsInvariants,
  index: (p) => ({ title: p.title, status: p.state, kind: p.method, refId: '', tags: [], region: '' }),
});

export const proposalMutators = {
  setTerms: defineMutator('proposal', 'setTerms', 'edit', z.object(termsShape).partial(), (doc, terms) => writeFields(doc, terms)),
  setDescription: defineMutator('proposal', 'setDescription', 'edit', longText, (doc, text) =>
    setFragmentText(richText(doc, 'description'), text),
  ),
  setState: defineMutator('proposal', 'setState', 'manage', z.enum(proposalStates), (doc, state) => writeFields(doc, { state })),
};
