import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { appendLog, readField, readLog, writeFields } from './layout';
import { nonEmptyText, timeSchema } from './fieldSchemas';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';
import { recordIdSchema } from './recordType';
import { choiceSchema } from '../governance/decisionMethods';

/*
 * One organization's ballot on one proposal. Its id is derived from (proposal, organization), so
 * two laptops of one organization write into the same record and merge, and the hub can tell at
 * once whose ballot it is. Every cast is kept in the revision log with its device and time.
 */

// The choice union is assembled from the decision methods' modules; the ballot only stores it.
export { choiceSchema, type Choice } from '../governance/decisionMethods';

const revisionSchema = z.object({ deviceId: nonEmptyText(200), at: timeSchema, choice: choiceSchema });

const receiptSaltSchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be 16 bytes of lowercase hex');

export const ballotProjectionSchema = z.object({
  proposalId: z.string(),
  /** Copied from the proposal when cast; the hub checks it against the proposal itself. */
  isSecret: z.boolean(),
  choice: choiceSchema.nullable(),
  castAt: timeSchema.nullable(),
  revisions: z.array(revisionSchema),
  /**
   * 16 random bytes (hex) written when the ballot is created, part of its receipt
   * (governance/ballotReceipt.ts): a secret ballot's receipt is published, its salt never is.
   */
  receiptSalt: z.string(),
  ...timestampsShape,
});
export type BallotProjection = z.infer<typeof ballotProjectionSchema>;

export const ballotInputSchema = z.object({
  proposalId: recordIdSchema,
  isSecret: z.boolean().default(false),
  /** Made at random when left out; given only to recreate a known ballot. */
  receiptSalt: receiptSaltSchema.optional(),
});
export type BallotInput = z.input<typeof ballotInputSchema>;

const SEPARATOR = '~';

/** The one ballot id for an organization on a proposal. */
export function ballotId(proposalId: string, orgId: string): string {
  return ['ballot', proposalId, orgId].join(SEPARATOR);
}

export const ballot = defineRecord({
  type: 'ballot',
  projectionSchema: ballotProjectionSchema,
  inputSchema: ballotInputSchema,
  init(doc, input) {
    writeFields(doc, { ...input, receiptSalt: input.receiptSalt ?? bytesToHex(randomBytes(16)) });
  },
  read(doc) {
    return {
      proposalId: readField(doc, 'proposalId', z.string(), ''),
      isSecret: readField(doc, 'isSecret', z.boolean(), true),
      choice: readField(doc, 'choice', choiceSchema.nullable(), null),
      castAt: readField(doc, 'castAt', timeSchema.nullable(), null),
      revisions: readLog(doc, 'revisions', revisionSchema),
      receiptSalt: readField(doc, 'receiptSalt', receiptSaltSchema, ''),
    };
  },
  deriveId: (input, ownerOrg) => ballotId(input.proposalId, ownerOrg),
  index: (p) => ({ title: '', status: p.choice ? 'cast' : 'empty', kind: p.choice?.method ?? '', refId: p.proposalId, tags: [], region: '' }),
  facts: (p) => ({ isSecret: p.isSecret }),
});

export const ballotMutators = {
  /** Casting again replaces the choice and adds a revision; the hub decides whether it still counts. */
  cast: defineMutator('ballot', 'cast', 'edit', choiceSchema, (doc, choice, ctx) => {
    writeFields(doc, { choice, castAt: ctx.now });
    appendLog(doc, 'revisions', { deviceId: ctx.deviceId, at: ctx.now, choice });
  }),
};
