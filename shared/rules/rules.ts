import type { Action, RuleFacts, TargetScope } from '../records/recordModule';
import type { RecordType, Role } from '../records/recordType';

/*
 * Who may do what: one table of (record type, action, ownership, role) -> grant. The client checks
 * it before a local edit and the hub enforces the very same functions on every push and pull.
 * A grant is `true`, `false`, or a condition on the record's facts (a private draft, a secret
 * ballot, a hidden comment), which only ever narrows what `true` would allow.
 */

export type Ownership = 'own' | 'other';
export type Condition = 'unlessPrivate' | 'unlessSecret' | 'unlessHidden';
export type Grant = boolean | Condition;
type RoleGrants = Readonly<Record<Role, Grant>>;
type Cell = Readonly<Record<Ownership, RoleGrants>>;

const grant = (secretariat: Grant, steward: Grant, member: Grant, observer: Grant): RoleGrants => ({
  secretariat,
  steward,
  member,
  observer,
});

const everyone = grant(true, true, true, true);
const nobody = grant(false, false, false, false);
const writers = grant(true, true, true, false);
const leads = grant(true, true, false, false);
const secretariatOnly = grant(true, false, false, false);

export const rulesTable: Readonly<Record<RecordType, Readonly<Partial<Record<Action, Cell>>>>> = {
  network: {
    read: { own: everyone, other: everyone },
    // The hub creates the one network record at `hub init` (NETWORK_RECORD_ID); no client does.
    create: { own: nobody, other: nobody },
    edit: { own: secretariatOnly, other: secretariatOnly },
    manage: { own: secretariatOnly, other: secretariatOnly },
  },
  org: {
    read: { own: everyone, other: everyone },
    // The secretariat creates a profile when it invites an organization.
    create: { own: secretariatOnly, other: secretariatOnly },
    edit: { own: writers, other: secretariatOnly },
  },
  entry: {
    // A private draft is its owner's alone: not even the secretariat reads it.
    read: { own: everyone, other: grant('unlessPrivate', 'unlessPrivate', 'unlessPrivate', 'unlessPrivate') },
    create: { own: writers, other: nobody },
    edit: { own: writers, other: nobody },
    // Nobody reviews (endorses) an entry of their own organization: the secretariat reviews others',
    // a steward too once granted the review scope (server/hub/governancePolicy.ts).
    review: { own: nobody, other: grant('unlessPrivate', 'unlessPrivate', false, false) },
  },
  proposal: {
    read: { own: everyone, other: everyone },
    create: { own: leads, other: nobody },
    edit: { own: leads, other: secretariatOnly },
    manage: { own: leads, other: secretariatOnly },
  },
  ballot: {
    // A secret ballot is seen by its organization and the secretariat only.
    read: { own: everyone, other: grant(true, 'unlessSecret', 'unlessSecret', 'unlessSecret') },
    // A facilitator's cast for an organization without a laptop (ballot.ts `facilitated`): leads
    // may create another organization's ballot and manage it; the hub's policy narrows that to the
    // proposals scope, open ballots and the facilitated log (server/hub/governancePolicy.ts).
    create: { own: writers, other: leads },
    edit: { own: writers, other: nobody },
    manage: { own: nobody, other: leads },
  },
  comment: {
    read: { own: everyone, other: grant(true, 'unlessHidden', 'unlessHidden', 'unlessHidden') },
    create: { own: writers, other: nobody },
    edit: { own: writers, other: nobody },
    moderate: { own: secretariatOnly, other: secretariatOnly },
  },
  offer: {
    read: { own: everyone, other: everyone },
    create: { own: leads, other: nobody },
    edit: { own: leads, other: secretariatOnly },
    manage: { own: leads, other: secretariatOnly },
  },
  result: {
    // A sealed decision is public and written by the hub alone (HUB_WRITTEN_TYPES): no client, not
    // even the secretariat's, creates or changes one.
    read: { own: everyone, other: everyone },
    create: { own: nobody, other: nobody },
    edit: { own: nobody, other: nobody },
  },
  interest: {
    // An organization's interest is between it and the secretariat.
    read: { own: everyone, other: secretariatOnly },
    create: { own: writers, other: nobody },
    edit: { own: writers, other: nobody },
    manage: { own: secretariatOnly, other: secretariatOnly },
  },
  draft: {
    // The author's draft of an endorsed entry (entryDraft.ts) never leaves its organization: no
    // other, the secretariat included, reads it or does anything else with it. Reviewers read it
    // once it is submitted, copied into the entry.
    read: { own: everyone, other: nobody },
    create: { own: writers, other: nobody },
    edit: { own: writers, other: nobody },
  },
};

/**
 * Records read through the record they are attached to: besides its own cell above, reading one
 * needs the right to read its target (the record named at `path` in its projection), which must
 * be one of `targetTypes`. A comment under a private draft is as private as the draft; a
 * translation (entryTranslation.ts) is as readable as its original, so a consent withdrawal or a
 * TK Secret/Sacred label on the original takes the translation, the same knowledge in another
 * language, with it. Where `isOptional`, a record with nothing at `path` (an entry that is no
 * translation) is read on its own. The hub stores the target's read scope with the record
 * (RuleFacts.target, the target's own scope nested: a comment on a translation is read through
 * both) and re-derives it, with a new seq, whenever a target's facts change. Ballots and interests
 * are attached to proposals and offers too, but everyone may read those, so their own cell says
 * it all.
 */
export const readThroughTarget: Readonly<Partial<Record<RecordType, { readonly path: readonly string[]; readonly targetTypes: readonly RecordType[]; readonly isOptional?: true }>>> = {
  comment: { path: ['targetId'], targetTypes: ['entry', 'proposal'] },
  entry: { path: ['translation', 'of'], targetTypes: ['entry'], isOptional: true },
};

/**
 * The id of the record `projection` is read through; null for a record read on its own, '' for one
 * that must be attached but names no target (read by its own organization only).
 */
export function attachedTargetOf(type: RecordType, projection: Readonly<Record<string, unknown>>): string | null {
  const rule = readThroughTarget[type];
  if (!rule) return null;
  let value: unknown = projection;
  for (const key of rule.path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value === 'string') return value;
  return rule.isOptional ? null : '';
}

/** Types only the hub writes (server/hub/systemWrites.ts); every client write to them is refused. */
export const HUB_WRITTEN_TYPES: readonly RecordType[] = ['result'];

/** Types no client creates: the hub's own, and the one network record (made at `hub init`). */
export const HUB_CREATED_TYPES: readonly RecordType[] = ['network', ...HUB_WRITTEN_TYPES];

export interface RuleQuery {
  readonly role: Role;
  readonly type: RecordType;
  readonly ownership: Ownership;
  readonly action: Action;
}

function meets(condition: Condition, facts: RuleFacts): boolean {
  switch (condition) {
    case 'unlessPrivate':
      return facts.isPrivate !== true;
    case 'unlessSecret':
      return facts.isSecret !== true;
    case 'unlessHidden':
      return facts.isHidden !== true;
  }
}

/** The raw grant from the table; an action a type does not list is never allowed. */
export function grantFor({ role, type, ownership, action }: RuleQuery): Grant {
  return rulesTable[type][action]?.[ownership][role] ?? false;
}

export function isAllowed(query: RuleQuery, facts: RuleFacts = {}): boolean {
  // Above every cell: a record that never leaves its organization grants nothing to any other.
  if (facts.isOwnerOnly === true && query.ownership === 'other') return false;
  const granted = grantFor(query);
  return typeof granted === 'boolean' ? granted : meets(granted, facts);
}

export interface Actor {
  readonly orgId: string;
  readonly role: Role;
}

export function ownershipOf(actor: Actor, ownerOrg: string): Ownership {
  return actor.orgId === ownerOrg ? 'own' : 'other';
}

export function canRead(actor: Actor, record: { type: RecordType; ownerOrg: string }, facts: RuleFacts): boolean {
  const isOwnReadable = isAllowed({ role: actor.role, type: record.type, ownership: ownershipOf(actor, record.ownerOrg), action: 'read' }, facts);
  return isOwnReadable && canReadTarget(actor, record, facts.target);
}

/**
 * The target half of reading an attached record. Until the hub holds a target of an allowed type
 * (an entry pushed after its comment, an id that never turns up) only the record's own
 * organization reads it: nobody else's right to read is known.
 */
function canReadTarget(actor: Actor, record: { type: RecordType; ownerOrg: string }, target: TargetScope | undefined): boolean {
  const rule = readThroughTarget[record.type];
  if (!rule || (rule.isOptional && !target)) return true;
  if (!target || target.type === null || target.ownerOrg === null || !rule.targetTypes.includes(target.type)) return actor.orgId === record.ownerOrg;
  return canRead(actor, { type: target.type, ownerOrg: target.ownerOrg }, target.facts);
}

/**
 * Whether `actor` may make a change that needs `needed` (from a module's changeActions). Conditions
 * are checked against the facts before the change, so a reviewer cannot first make a draft
 * public in the same change that reviews it.
 */
export function canChange(
  actor: Actor,
  record: { type: RecordType; ownerOrg: string },
  needed: readonly Action[],
  factsBefore: RuleFacts,
): { isAllowed: true } | { isAllowed: false; action: Action } {
  const ownership = ownershipOf(actor, record.ownerOrg);
  for (const action of needed) {
    if (!isAllowed({ role: actor.role, type: record.type, ownership, action }, factsBefore)) return { isAllowed: false, action };
  }
  return { isAllowed: true };
}
