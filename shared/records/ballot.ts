import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { appendLog, readField, readLog, writeFields } from './layout';
import { nonEmptyText, reasonText, timeSchema } from './fieldSchemas';
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

/** A position's reason (governance/positionReason.ts says when one is required). */
export const positionReasonSchema = z.string().trim().max(2000);

/**
 * The proposal version a cast was made on (records/proposal.ts, `version`): a cast on an earlier
 * version does not count until its organization confirms or replaces it. Casts written before
 * proposals had versions read as version 1.
 */
const proposalVersionSchema = z.number().int().min(1);

const revisionSchema = z.object({
  deviceId: nonEmptyText(200),
  at: timeSchema,
  choice: choiceSchema,
  reason: positionReasonSchema.default(''),
  proposalVersion: proposalVersionSchema.default(1),
});
export type BallotRevision = z.infer<typeof revisionSchema>;

export const facilitationChannels = ['in-person', 'phone'] as const;
export type FacilitationChannel = (typeof facilitationChannels)[number];

/**
 * A cast recorded by a facilitator on the organization's behalf (a field visit, a phone call): a
 * steward with the proposals scope, or the secretariat, writes it into the organization's own
 * ballot, in this log only (the hub refuses any other change from them), and only while the
 * organization has cast none itself. It counts until the organization casts: its own cast always
 * stands over a facilitated one (governance/countedCast.ts).
 */
const facilitatedSchema = revisionSchema.extend({
  /** The facilitator's organization; the hub checks it is the writer's. */
  byOrgId: recordIdSchema,
  channel: z.enum(facilitationChannels),
  witness: nonEmptyText(200),
});
export type FacilitatedCast = z.infer<typeof facilitatedSchema>;

/** What a voter (or facilitator) sends: the choice, its reason, the version it was made on. */
export const castSchema = z.object({ choice: choiceSchema, reason: positionReasonSchema.default(''), proposalVersion: proposalVersionSchema.default(1) });
export type CastInput = z.input<typeof castSchema>;
/** The witness is the facilitated cast's warrant: someone a reader can name (the hub refuses an invisible one, `witness-required`). */
export const facilitatedCastSchema = castSchema.extend({ channel: z.enum(facilitationChannels), witness: reasonText(200) });
export type FacilitatedCastInput = z.input<typeof facilitatedCastSchema>;

const receiptSaltSchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be 16 bytes of lowercase hex');

export const ballotProjectionSchema = z.object({
  proposalId: z.string(),
  /** Copied from the proposal when cast; the hub checks it against the proposal itself. */
  isSecret: z.boolean(),
  /**
   * Copied from the proposal too: its results show only after closing (`resultsVisibility`
   * 'after-close'), so, like a secret ballot, no other organization but the secretariat reads it;
   * the sealed result publishes the count.
   */
  isWithheld: z.boolean(),
  choice: choiceSchema.nullable(),
  castAt: timeSchema.nullable(),
  revisions: z.array(revisionSchema),
  /** Casts a facilitator recorded for this organization (facilitatedSchema). */
  facilitated: z.array(facilitatedSchema),
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
  isWithheld: z.boolean().default(false),
  /** Made at random when left out; given only to recreate a known ballot. */
  receiptSalt: receiptSaltSchema.optional(),
});
export type BallotInput = z.input<typeof ballotInputSchema>;

/** What a ballot copies from its proposal when created; the hub refuses a ballot that differs (`secrecy-mismatch`). */
export function ballotTermsOf(proposal: { readonly secrecy: 'open' | 'secret'; readonly resultsVisibility: 'live' | 'after-close' }): { isSecret: boolean; isWithheld: boolean } {
  return { isSecret: proposal.secrecy === 'secret', isWithheld: proposal.resultsVisibility === 'after-close' };
}

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
      // A ballot stored before the field existed was read by everyone; it stays so until rewritten.
      isWithheld: readField(doc, 'isWithheld', z.boolean(), false),
      choice: readField(doc, 'choice', choiceSchema.nullable(), null),
      castAt: readField(doc, 'castAt', timeSchema.nullable(), null),
      revisions: readLog(doc, 'revisions', revisionSchema),
      facilitated: readLog(doc, 'facilitated', facilitatedSchema),
      receiptSalt: readField(doc, 'receiptSalt', receiptSaltSchema, ''),
    };
  },
  // A facilitator's cast is managing another organization's ballot: the rules give it to leads,
  // and the hub's policy narrows it to the proposals scope and this log alone.
  fieldActions: { facilitated: 'manage' },
  deriveId: (input, ownerOrg) => ballotId(input.proposalId, ownerOrg),
  index: (p) => ({ title: '', status: p.choice ? 'cast' : 'empty', kind: p.choice?.method ?? '', refId: p.proposalId, tags: [], region: '' }),
  // Read rules (rules.ts `unlessSecret`): a withheld ballot is kept from others as a secret one is.
  facts: (p) => ({ isSecret: p.isSecret || p.isWithheld }),
});

export const ballotMutators = {
  /** Casting again replaces the choice and adds a revision; the hub decides whether it still counts. */
  cast: defineMutator('ballot', 'cast', 'edit', choiceSchema, (doc, choice, ctx) => {
    writeFields(doc, { choice, castAt: ctx.now });
    appendLog(doc, 'revisions', { deviceId: ctx.deviceId, at: ctx.now, choice, reason: '', proposalVersion: 1 });
  }),
  /** A cast with its reason, on the proposal version the voter saw; confirming is casting again. */
  castOn: defineMutator('ballot', 'castOn', 'edit', castSchema, (doc, { choice, reason, proposalVersion }, ctx) => {
    writeFields(doc, { choice, castAt: ctx.now });
    appendLog(doc, 'revisions', { deviceId: ctx.deviceId, at: ctx.now, choice, reason, proposalVersion });
  }),
  /** A facilitator's cast for the ballot's organization; it writes only the `facilitated` log. */
  facilitate: defineMutator('ballot', 'facilitate', 'manage', facilitatedCastSchema, (doc, cast, ctx) => {
    appendLog(doc, 'facilitated', { deviceId: ctx.deviceId, at: ctx.now, ...cast, byOrgId: ctx.orgId });
  }),
};
