import { z } from 'zod';
import { readField, writeFields } from './layout';
import { timeSchema } from './fieldSchemas';
import { defineRecord, timestampsShape } from './recordModule';
import { eligibilitySchema, optionSchema } from './proposal';
import { choiceSchema, decisionMethodNames, tallyCountsSchema } from '../governance/decisionMethods';
import { facilitationChannels } from './ballot';

/*
 * The sealed decision on one proposal: written once by the hub at closing plus the grace period
 * (server/hub/sealing.ts), signed with the hub's Ed25519 key, and never written by a client (the
 * rules table lets nobody create or edit it). Its id is derived from the proposal, so two hub
 * processes sealing the same proposal write the same record.
 *
 * The Yjs layout holds only three strings: `payload` (the canonical JSON of the sealed decision),
 * `signature` (hex Ed25519 over sealMessage(payload), see governance/verifySeal.ts) and `hubKey`
 * (hex public key). Every other projected field is parsed from the payload, so the projection can
 * never say something the signature does not cover; verifySeal also checks a projection held in
 * memory against its payload.
 *
 * Under secret ballots the payload never holds a choice nor a cast time: a counted ballot is its
 * organization, its receipt (governance/ballotReceipt.ts) and whether it arrived late.
 */

const SEPARATOR = '~';
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `must be ${bytes} bytes of lowercase hex`);
export const hubKeySchema = hex(32);
export const signatureSchema = hex(64);

/** The one result id of a proposal. */
export function resultId(proposalId: string): string {
  return ['result', proposalId].join(SEPARATOR);
}

const counts = z.record(z.string(), z.number());
const outcomeSchema = z.object({
  status: z.enum(['passed', 'failed', 'blocked', 'no-quorum', 'undecided', 'advisory']),
  reason: z.enum(['quorum-not-met', 'blocked', 'threshold-met', 'threshold-not-met', 'all-abstained', 'no-votes', 'tie', 'advice-only']),
  winnerId: z.string().nullable(),
  tiedIds: z.array(z.string()),
});
const roundSchema = z.object({
  counts,
  continuing: z.number(),
  exhausted: z.number(),
  winnerId: z.string().nullable(),
  eliminated: z.object({ optionId: z.string(), reason: z.enum(['fewest-votes', 'previous-round', 'total-across-rounds', 'option-id-order']) }).nullable(),
});

/** The tally as sealed: TallyResult without its per-ballot lists (those are `counted` and `excluded`). */
export const sealedTallySchema = z.object({
  method: z.enum(decisionMethodNames),
  outcome: outcomeSchema,
  counts: tallyCountsSchema,
  rounds: z.array(roundSchema),
  participation: z.object({ eligible: z.number(), voted: z.number(), share: z.number() }),
  isQuorumMet: z.boolean(),
  notHeardFrom: z.number(),
});
export type SealedTally = z.infer<typeof sealedTallySchema>;

/** The proposal's terms as counted: a decision record stays readable if the proposal is lost. */
export const sealedTermsSchema = z.object({
  title: z.string(),
  method: z.enum(decisionMethodNames),
  options: z.array(optionSchema),
  maxChoices: z.number(),
  blocksCount: z.boolean(),
  eligible: eligibilitySchema,
  opensAt: timeSchema,
  closesAt: timeSchema,
  graceHours: z.number(),
  quorum: z.number(),
  threshold: z.number(),
  secrecy: z.enum(['open', 'secret']),
});
export type SealedTerms = z.infer<typeof sealedTermsSchema>;

export const sealedBallotSchema = z.object({
  orgId: z.string(),
  /** sha256 of the ballot as counted (governance/ballotReceipt.ts). */
  receipt: z.string(),
  isLate: z.boolean(),
  /** The hub's first receipt of the counted cast. */
  receivedAt: timeSchema.nullable(),
  /** Null under secret ballots. */
  castAt: timeSchema.nullable(),
  /**
   * Open ballots only: the reason given with the position ('' for none) and the facilitator who
   * recorded it, if one did. Absent in results sealed before reasons existed.
   */
  reason: z.string().optional(),
  facilitation: z.object({ byOrgId: z.string(), channel: z.enum(facilitationChannels), witness: z.string() }).nullable().optional(),
});
export type SealedBallot = z.infer<typeof sealedBallotSchema>;

export const sealedExclusionSchema = z.object({
  orgId: z.string(),
  reason: z.string(),
  receivedAt: timeSchema.nullable(),
  /** Null under secret ballots. */
  castAt: timeSchema.nullable(),
});
export type SealedExclusion = z.infer<typeof sealedExclusionSchema>;

/**
 * A reason given with a counted position, as sealed: under open ballots with its organization;
 * under secret ballots without (orgId null), sorted by their canonical JSON, so a reason is never
 * tied to who gave it. The choice is kept: the counts already say how many took each position.
 */
export const sealedReasonSchema = z.object({ orgId: z.string().nullable(), choice: choiceSchema, reason: z.string() });
export type SealedReason = z.infer<typeof sealedReasonSchema>;

export const SEALED_DECISION_FORMAT = 'fieldwise-result';
export const SEALED_DECISION_VERSION = 1;

/** What the hub signs. Its canonical JSON (governance/canonicalJson.ts) is the record's payload. */
export const sealedDecisionSchema = z.object({
  format: z.literal(SEALED_DECISION_FORMAT),
  version: z.literal(SEALED_DECISION_VERSION),
  proposalId: z.string().min(1),
  terms: sealedTermsSchema,
  eligibleOrgIds: z.array(z.string()),
  tally: sealedTallySchema,
  counted: z.array(sealedBallotSchema),
  excluded: z.array(sealedExclusionSchema),
  /** Absent in results sealed before reasons existed. */
  reasons: z.array(sealedReasonSchema).optional(),
  /** The proposal version counted; absent in results sealed before proposals had versions. */
  proposalVersion: z.number().int().min(1).optional(),
  sealedAt: timeSchema,
});
export type SealedDecision = z.infer<typeof sealedDecisionSchema>;

/** The sealed decision in a payload, or null when the payload is not one. */
export function parseSealedPayload(payload: string): SealedDecision | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = sealedDecisionSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export const resultProjectionSchema = z.object({
  proposalId: z.string(),
  sealedAt: timeSchema,
  terms: sealedTermsSchema.nullable(),
  eligibleOrgIds: z.array(z.string()),
  /** Null when the payload is not a sealed decision (verifySeal says `malformed`). */
  tally: sealedTallySchema.nullable(),
  counted: z.array(sealedBallotSchema),
  excluded: z.array(sealedExclusionSchema),
  /** Reasons given with counted positions ([] in results sealed before reasons existed). */
  reasons: z.array(sealedReasonSchema),
  proposalVersion: z.number().int().min(1),
  hubKey: z.string(),
  payload: z.string(),
  signature: z.string(),
  ...timestampsShape,
});
export type ResultProjection = z.infer<typeof resultProjectionSchema>;

export const resultInputSchema = z
  .object({ payload: z.string().min(1).max(2_000_000), signature: signatureSchema, hubKey: hubKeySchema })
  .refine((input) => parseSealedPayload(input.payload) !== null, { message: 'must be a sealed decision', path: ['payload'] });
export type ResultInput = z.input<typeof resultInputSchema>;

export const result = defineRecord({
  type: 'result',
  projectionSchema: resultProjectionSchema,
  inputSchema: resultInputSchema,
  init(doc, input) {
    writeFields(doc, input);
  },
  read(doc) {
    const payload = readField(doc, 'payload', z.string(), '');
    const decision = parseSealedPayload(payload);
    return {
      proposalId: decision?.proposalId ?? '',
      sealedAt: decision?.sealedAt ?? 0,
      terms: decision?.terms ?? null,
      eligibleOrgIds: decision?.eligibleOrgIds ?? [],
      tally: decision?.tally ?? null,
      counted: decision?.counted ?? [],
      excluded: decision?.excluded ?? [],
      reasons: decision?.reasons ?? [],
      proposalVersion: decision?.proposalVersion ?? 1,
      hubKey: readField(doc, 'hubKey', z.string(), ''),
      payload,
      signature: readField(doc, 'signature', z.string(), ''),
    };
  },
  deriveId: (input) => resultId(parseSealedPayload(input.payload)?.proposalId ?? ''),
  index: (p) => ({ title: p.terms?.title ?? '', status: p.tally?.outcome.status ?? '', kind: p.tally?.method ?? '', refId: p.proposalId, tags: [], region: '' }),
});
