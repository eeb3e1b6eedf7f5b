import type * as Y from 'yjs';
import { z } from 'zod';
import { fields, readField, writeFields } from './layout';
import type { InvariantViolation } from './invariants';
import { RecordInputError } from './recordError';
import type { RecordType, Role } from './recordType';

/** What a change to a record needs permission for. `read` and `create` are checked on their own. */
export const actions = ['read', 'create', 'edit', 'review', 'moderate', 'manage'] as const;
export type Action = (typeof actions)[number];

/** Who is making a change, and when: the device clock, never trusted for ordering. */
export interface EditContext {
  readonly orgId: string;
  readonly deviceId: string;
  readonly role: Role;
  readonly now: number;
}

/** Projection facts that the read rules depend on (see rules/rules.ts). */
export interface RuleFacts {
  readonly isPrivate?: boolean;
  readonly isSecret?: boolean;
  readonly isHidden?: boolean;
  /**
   * The record never leaves its owning organization (an entry labelled TK Secret/Sacred or TK
   * Community Use Only, entryLabels.ts): no other organization, the secretariat included, may
   * take any action on it, reading included (rules.ts).
   */
  readonly isOwnerOnly?: boolean;
  /**
   * For a record read through the record it is attached to (a comment on an entry): who may read
   * that target. Never from the record's own content: the hub stores it from the stored target at
   * commit time and keeps it in step when the target's facts change (rules.ts, readThroughTarget).
   */
  readonly target?: TargetScope;
}

/** The read scope of an attached record's target, as the hub holds it. */
export interface TargetScope {
  readonly id: string;
  /** Null while the hub holds no record with that id (yet). */
  readonly type: RecordType | null;
  readonly ownerOrg: string | null;
  readonly facts: RuleFacts;
}

/** The projection fields the local store indexes and filters by; the same for every type. */
export interface IndexFields {
  readonly title: string;
  readonly status: string;
  readonly kind: string;
  /** The record this one is about: a ballot's proposal, a comment's target, an interest's offer. */
  readonly refId: string;
  readonly tags: readonly string[];
  /** Administrative path joined with '/', so a prefix finds a province and everything in it. */
  readonly region: string;
}

export interface Timestamps {
  readonly createdAt: number;
  readonly updatedAt: number;
}

export const timestampsShape = {
  createdAt: z.number().int().nonnegative(),
  updatedAt: z.number().int().nonnegative(),
};

type FieldAction<P> = Action | ((before: P, after: P) => Action);

export interface RecordSpec<P extends Timestamps, I> {
  readonly type: RecordType;
  readonly projectionSchema: z.ZodType<P>;
  readonly inputSchema: z.ZodType<I>;
  /** Writes the initial content of a new record (input already validated). */
  readonly init: (doc: Y.Doc, input: I, ctx: EditContext) => void;
  readonly read: (doc: Y.Doc) => Omit<P, keyof Timestamps>;
  /** Fields whose change needs another action than `edit`. */
  readonly fieldActions?: Partial<Record<keyof P, FieldAction<P>>>;
  readonly index: (projection: P) => IndexFields;
  readonly facts?: (projection: P) => RuleFacts;
  /**
   * What every state of the record must satisfy (invariants.ts): `create` and each mutator check
   * the state they leave, the hub every state a write would leave.
   */
  readonly invariants?: (projection: P) => InvariantViolation | null;
  /**
   * For records identified by what they are about (one ballot per proposal and organization):
   * the only id such a record may have. Others get a random id.
   */
  readonly deriveId?: (input: I, ownerOrg: string) => string;
  /**
   * For a derived-id record that two devices may each create offline from the same input (an
   * entry's draft, entryDraft.ts): the Yjs client id and time its first state is written with, a
   * function of the input, so both write the very same items and they merge into one. Later edits
   * use the device's own client id.
   */
  readonly seed?: (input: I) => { readonly clientId: number; readonly now: number };
}

export interface Mutator<A> {
  readonly type: RecordType;
  readonly name: string;
  readonly action: Action;
  /** Validates `arg` (RecordInputError naming the field) and applies it inside the caller's transaction. */
  readonly apply: (doc: Y.Doc, arg: A, ctx: EditContext) => void;
}

export interface RecordModule<P extends Timestamps = Timestamps, I = unknown> {
  readonly type: RecordType;
  readonly projectionSchema: z.ZodType<P>;
  readonly inputSchema: z.ZodType<I>;
  /** Validates create input; a RecordInputError names the first bad field. */
  parseInput(input: unknown): I;
  /** Writes a new record's content (from parsed input) into an empty doc. */
  create(doc: Y.Doc, input: I, ctx: EditContext): void;
  /** The id this record must have, where the type derives it; null where any fresh id will do. */
  deriveId(input: I, ownerOrg: string): string | null;
  /** The fixed client id and time a new record's first state is written with (RecordSpec.seed); null for the device's own. */
  seed(input: I): { readonly clientId: number; readonly now: number } | null;
  read(doc: Y.Doc): P;
  /** The actions that turning `before` into `after` needs; the hub checks each against the rules. */
  changeActions(before: P | null, after: P): Action[];
  /** The action a change of one projected field needs (`fieldActions`, `edit` by default). */
  fieldAction(key: string, before: P, after: P): Action;
  index(projection: P): IndexFields;
  facts(projection: P): RuleFacts;
  /** The first invariant `projection` breaks, or null (invariants.ts). */
  invariants(projection: P): InvariantViolation | null;
}

/** Every defined module by type, for mutators to check the state they leave (no registry import: no cycle). */
const definedModules = new Map<RecordType, RecordModule>();

/** Refuses, naming the field, a state that breaks its type's invariants. */
function assertInvariants(module: RecordModule | undefined, doc: Y.Doc): void {
  const violation = module?.invariants(module.read(doc));
  if (violation) throw new RecordInputError(violation.field, violation.reason);
}

export function defineRecord<P extends Timestamps, I>(spec: RecordSpec<P, I>): RecordModule<P, I> {
  const module: RecordModule<P, I> = {
    type: spec.type,
    projectionSchema: spec.projectionSchema,
    inputSchema: spec.inputSchema,
    parseInput(input) {
      const parsed = spec.inputSchema.safeParse(input);
      if (!parsed.success) throw RecordInputError.fromZod(parsed.error);
      return parsed.data;
    },
    deriveId: (input, ownerOrg) => spec.deriveId?.(input, ownerOrg) ?? null,
    seed: (input) => spec.seed?.(input) ?? null,
    create(doc, input, ctx) {
      doc.transact(() => {
        spec.init(doc, input, ctx);
        writeFields(doc, { createdAt: ctx.now, updatedAt: ctx.now });
      });
      assertInvariants(module as unknown as RecordModule, doc);
    },
    read(doc) {
      const createdAt = readField(doc, 'createdAt', timestampsShape.createdAt, 0);
      const updatedAt = readField(doc, 'updatedAt', timestampsShape.updatedAt, createdAt);
      return { ...spec.read(doc), createdAt, updatedAt } as P;
    },
    changeActions(before, after) {
      if (before === null) return ['create'];
      const needed = new Set<Action>();
      for (const key of Object.keys(after) as (keyof P)[]) {
        if (key === 'updatedAt' || key === 'createdAt') continue;
        if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
        const rule = spec.fieldActions?.[key];
        needed.add(typeof rule === 'function' ? rule(before, after) : (rule ?? 'edit'));
      }
      return [...needed].sort();
    },
    fieldAction(key, before, after) {
      const rule = spec.fieldActions?.[key as keyof P];
      return typeof rule === 'function' ? rule(before, after) : (rule ?? 'edit');
    },
    index: spec.index,
    facts: spec.facts ?? (() => ({})),
    invariants: spec.invariants ?? (() => null),
  };
  definedModules.set(spec.type, module as unknown as RecordModule);
  return module;
}

/** A typed, validated change to one record type, declared with the action it needs. */
export function defineMutator<A>(
  type: RecordType,
  name: string,
  action: Action,
  argSchema: z.ZodType<A>,
  apply: (doc: Y.Doc, arg: A, ctx: EditContext) => void,
): Mutator<A> {
  return {
    type,
    name,
    action,
    apply(doc, arg, ctx) {
      const parsed = argSchema.safeParse(arg);
      if (!parsed.success) throw RecordInputError.fromZod(parsed.error, name);
      apply(doc, parsed.data, ctx);
      fields(doc).set('updatedAt', ctx.now);
      assertInvariants(definedModules.get(type), doc);
    },
  };
}
