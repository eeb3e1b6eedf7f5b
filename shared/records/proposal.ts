import type * as Y from 'yjs';
import { z } from 'zod';
import { appendLog, fragmentText, readField, readLog, richText, setFragmentText, writeFields } from './layout';
import { calendarDateSchema } from './calendarDate';
import { longText, nonEmptyText, reasonText, shortText, timeSchema } from './fieldSchemas';
import { sortedKeysJson, termsInvariants, type InvariantViolation } from './invariants';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';
import { recordIdSchema, roleSchema } from './recordType';
import { decisionMethodNames } from '../governance/decisionMethods';
import { fragmentJson, type RichNode } from './richTextJson';
import { richTextMarkup } from './richTextMarkup';

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

/**
 * Terms that may still change once voting is open; each change makes a new version (below). The
 * others (method, secrecy, eligibility, times, quorum rules) stay locked once the proposal opens.
 */
export const versionedFields = ['title', 'description', 'options', 'maxChoices'] as const;
export type VersionedField = (typeof versionedFields)[number];

/**
 * One edit of an open proposal: who made it, when, which terms it changed, their text before and
 * after (versionedStateText: options as their labels, one a line; the description with its
 * formatting), and the editor's note. The proposal's version is 1
 * plus the number of these: two offline edits merge into two entries and version 3, never into a
 * number both claim.
 */
const MAX_VERSION_TEXT = 20_000;
export const versionChangeSchema = z.object({
  field: z.enum(versionedFields),
  before: z.string().max(MAX_VERSION_TEXT),
  after: z.string().max(MAX_VERSION_TEXT),
});
export type VersionChange = z.infer<typeof versionChangeSchema>;
export const proposalVersionEntrySchema = z.object({
  orgId: recordIdSchema,
  deviceId: nonEmptyText(200),
  at: timeSchema,
  changes: z.array(versionChangeSchema).min(1).max(versionedFields.length),
  note: shortText(2000),
});
export type ProposalVersionEntry = z.infer<typeof proposalVersionEntrySchema>;

/** An irreversible act on the proposal (opening the vote, cancelling it) and the reason given. */
export const stateChangeSchema = z.object({
  state: z.enum(['open', 'cancelled']),
  reason: nonEmptyText(2000),
  orgId: recordIdSchema,
  at: timeSchema,
});
export type ProposalStateChange = z.infer<typeof stateChangeSchema>;

/**
 * What was decided, written after sealing by the secretariat or the organization that ran the
 * proposal (the hub refuses it before the result is sealed): the decision in words, who does what,
 * and a day to review it (YYYY-MM-DD, the writer's calendar day, a day that exists). Each writing
 * is a revision appended to `log.outcomes` in its writer's name and at its writer's time, which the
 * hub checks; none is ever removed, so an amended statement keeps what it said before.
 */
export const outcomeStatementSchema = z.object({
  decided: reasonText(5000),
  actions: shortText(5000),
  reviewOn: calendarDateSchema,
  orgId: recordIdSchema,
  at: timeSchema,
});
export type OutcomeStatement = z.infer<typeof outcomeStatementSchema>;
export const outcomeInputSchema = outcomeStatementSchema.omit({ orgId: true, at: true });
export type OutcomeInput = z.input<typeof outcomeInputSchema>;

/**
 * The statement in force: the latest revision by its time (two written offline at once merge into
 * both revisions; the later one stands, the log order breaking a tie).
 */
export function currentOutcome(revisions: readonly OutcomeStatement[]): OutcomeStatement | null {
  return revisions[currentOutcomeIndex(revisions)] ?? null;
}

function currentOutcomeIndex(revisions: readonly OutcomeStatement[]): number {
  return revisions.reduce((latest, revision, index) => (latest < 0 || revision.at >= revisions[latest]!.at ? index : latest), -1);
}

/** The revisions the statement in force amended, newest first. */
export function earlierOutcomes(revisions: readonly OutcomeStatement[]): OutcomeStatement[] {
  const current = currentOutcomeIndex(revisions);
  return revisions.filter((_revision, index) => index !== current).sort((a, b) => b.at - a.at);
}

export const proposalProjectionSchema = z.object({
  ...termsShape,
  title: shortText(300),
  description: longText,
  state: z.enum(proposalStates),
  /** 1 plus the number of `history` entries: ballots record the version they were cast on. */
  version: z.number().int().min(1),
  history: z.array(proposalVersionEntrySchema),
  /** Opening and cancelling, with their reasons. */
  stateChanges: z.array(stateChangeSchema),
  /**
   * The organizations that may vote, fixed when the vote opens (governance/voters.ts); null on a
   * draft. The hub refuses an opening without it; a proposal a hub stored open without it, before
   * that rule, is counted with the network's members as before.
   */
  eligibleOrgIds: z.array(recordIdSchema).nullable(),
  /** The statement in force (currentOutcome), null before one is written. */
  outcome: outcomeStatementSchema.nullable(),
  /** Every revision of the outcome statement, in log order, the one in force included. */
  outcomeRevisions: z.array(outcomeStatementSchema),
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
      ...readVersioning(doc),
    };
  },
  // Opening or cancelling a poll is managing it; the hub lets only its runners do that.
  fieldActions: { state: 'manage', stateChanges: 'manage', eligibleOrgIds: 'manage' },
  invariants: termsInvariants,
  index: (p) => ({ title: p.title, status: p.state, kind: p.method, refId: '', tags: [], region: '' }),
});

function readVersioning(doc: Parameters<typeof readLog>[0]) {
  const history = readLog(doc, 'history', proposalVersionEntrySchema);
  return {
    version: history.length + 1,
    history,
    stateChanges: readLog(doc, 'stateChanges', stateChangeSchema),
    eligibleOrgIds: readField(doc, 'eligibleOrgIds', z.array(recordIdSchema).nullable(), null),
    ...readOutcomes(doc),
  };
}

/**
 * Strict write over the tolerant read above: a revision in `log.outcomes` that does not read (a
 * review date that does not exist, a decision of invisible characters) would be dropped from the
 * projection unseen, so the hub refuses it (422 `invariant-violated`, field `outcomeRevisions`).
 */
export function storedOutcomesViolation(doc: Parameters<typeof readLog>[0]): InvariantViolation | null {
  const index = doc
    .getArray<unknown>('log.outcomes')
    .toArray()
    .findIndex((revision) => !outcomeStatementSchema.safeParse(revision).success);
  return index < 0 ? null : { field: 'outcomeRevisions', reason: `revision ${index} is not an outcome statement (a visible decision, a review date that exists)` };
}

function readOutcomes(doc: Parameters<typeof readLog>[0]) {
  const outcomeRevisions = readLog(doc, 'outcomes', outcomeStatementSchema);
  return { outcome: currentOutcome(outcomeRevisions), outcomeRevisions };
}

const versionedTermsSchema = z.object({ title: termsShape.title, description: longText, options: termsShape.options, maxChoices: termsShape.maxChoices }).partial();
export type VersionedTerms = z.infer<typeof versionedTermsSchema>;

/** A plain versioned field's value as the history shows it: options as their labels, one a line. */
export function versionedText(field: Exclude<VersionedField, 'description'>, value: VersionedTerms[typeof field]): string {
  if (field === 'options') return ((value ?? []) as ProposalProjection['options']).map((o) => o.label).join('\n');
  return String(value ?? '');
}

/**
 * The versioned terms as the record holds them, the description as its whole rich structure (text,
 * marks and their attributes, nodes and theirs): what a voter reads, not only its plain text. A
 * strike-through on "not" changes no plain text and every reader's meaning.
 */
export interface VersionedState {
  readonly title: string;
  readonly description: readonly RichNode[];
  readonly options: ProposalProjection['options'];
  readonly maxChoices: number;
}

export function versionedStateOf(doc: Y.Doc): VersionedState {
  const { title, options, maxChoices } = proposal.read(doc);
  return { title, description: fragmentJson(richText(doc, 'description')), options, maxChoices };
}

/** A versioned field of `state` as its history entry's before or after (the description with its formatting, cut at the entry's 20,000 characters). */
export function versionedStateText(field: VersionedField, state: VersionedState): string {
  if (field === 'description') return richTextMarkup(state.description).slice(0, MAX_VERSION_TEXT);
  return versionedText(field, state[field]);
}

/**
 * What an edit from `before` to `after` changed in the versioned terms, each field with its text as
 * it was and as it is: the changes a new version's history entry records. The revise mutator
 * writes its entry from this, and the hub checks every write to an open proposal against it
 * (server/hub/governancePolicy.ts), so a device and the hub agree on what is a new version.
 */
export function versionChanges(before: VersionedState, after: VersionedState): VersionChange[] {
  return versionedFields.flatMap((field) =>
    sortedKeysJson(before[field]) === sortedKeysJson(after[field]) ? [] : [{ field, before: versionedStateText(field, before), after: versionedStateText(field, after) }],
  );
}

export const proposalMutators = {
  setTerms: defineMutator('proposal', 'setTerms', 'edit', z.object(termsShape).partial(), (doc, terms) => writeFields(doc, terms)),
  setDescription: defineMutator('proposal', 'setDescription', 'edit', longText, (doc, text) =>
    setFragmentText(richText(doc, 'description'), text),
  ),
  /**
   * Opens the vote with its reason and the voters fixed now (governance/eligibleOrgIds.ts computes
   * them). There is no bare state setter: the hub refuses an opening or a cancellation without its
   * state-change entry (`state-change-unrecorded`) and an opening without its voters
   * (`eligibility-missing`), so these two are the only ways a state changes.
   */
  openVote: defineMutator(
    'proposal',
    'openVote',
    'manage',
    z.object({ reason: reasonText(2000), eligibleOrgIds: z.array(recordIdSchema).max(5000) }),
    (doc, { reason, eligibleOrgIds }, ctx) => {
      writeFields(doc, { state: 'open', eligibleOrgIds });
      appendLog(doc, 'stateChanges', { state: 'open', reason, orgId: ctx.orgId, at: ctx.now });
    },
  ),
  /**
   * Writes the voters again, as the network's members read now, on an opening the hub refused
   * (`eligibility-mismatch`: the device's member list was out of date). The hub takes it only while
   * it has not accepted the opening: once open there, the voters are fixed.
   */
  refixVoters: defineMutator('proposal', 'refixVoters', 'manage', z.array(recordIdSchema).max(5000), (doc, eligibleOrgIds) => {
    writeFields(doc, { eligibleOrgIds });
  }),
  cancelVote: defineMutator('proposal', 'cancelVote', 'manage', reasonText(2000), (doc, reason, ctx) => {
    writeFields(doc, { state: 'cancelled' });
    appendLog(doc, 'stateChanges', { state: 'cancelled', reason, orgId: ctx.orgId, at: ctx.now });
  }),
  /**
   * Edits an open proposal's versioned terms as a new version: writes the terms and one history
   * entry naming what changed, as versionChanges finds it in the doc (nothing when nothing
   * changed). A description given as plain text replaces its formatting too. A draft is edited
   * with setTerms.
   */
  revise: defineMutator(
    'proposal',
    'revise',
    'edit',
    z.object({ terms: versionedTermsSchema, note: shortText(2000).default('') }),
    (doc, { terms, note }, ctx) => {
      const before = versionedStateOf(doc);
      const { description, ...plain } = terms;
      writeFields(doc, plain);
      if (description !== undefined) setFragmentText(richText(doc, 'description'), description);
      const changes = versionChanges(before, versionedStateOf(doc));
      if (changes.length > 0) appendLog(doc, 'history', { orgId: ctx.orgId, deviceId: ctx.deviceId, at: ctx.now, changes, note });
    },
  ),
  /**
   * Writes the outcome statement, or amends it, as a new revision in the writer's name; the hub
   * takes it only once the result is sealed, and never a removal.
   */
  writeOutcome: defineMutator('proposal', 'writeOutcome', 'edit', outcomeInputSchema, (doc, statement, ctx) =>
    appendLog(doc, 'outcomes', { ...statement, orgId: ctx.orgId, at: ctx.now }),
  ),
};
