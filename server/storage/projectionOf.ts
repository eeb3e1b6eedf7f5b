import * as Y from 'yjs';
import type { z } from 'zod';
import { recordModules, type ProjectionOf } from '../../shared/records/registry';
import type { RecordHeader, RecordType } from '../../shared/records/recordType';

/*
 * The one typed read of a projection the hub keeps (StoredRecord.projection, or a write's before
 * it is committed): checked against the record type's zod schema from shared/records, so code past
 * this point can trust the type instead of re-asserting it with a cast. Storage holds projections
 * as plain JSON and knows no record types; a projection of the wrong shape (a field missing or of
 * another kind) means the store was written by something else or damaged, and is refused here
 * rather than read as something it is not.
 *
 * What it guarantees is the type, not every limit of the schema: a value past a length, range or
 * pattern limit is read as it is. Records' reads are tolerant and some fields are not held to the
 * schema's limits when written (a proposal's description is rich text that the editor writes
 * directly, and may run past 20,000 characters); refusing to read those would stop every ballot
 * on such a proposal. Limits are enforced where values are written (inputs, mutators).
 *
 * A kept projection of another shape is read again from the record's state where the holder has
 * one: the state is the truth and the records' reads are tolerant, so a projection stored by an
 * older hub, before its type gained a field, still reads (and is rewritten with the next change).
 * Only a projection with no state to read it from again is refused.
 */

/** Issues about a value's limits or refinements, which leave its type intact. */
const VALUE_LIMIT_ISSUES: ReadonlySet<string> = new Set(['too_big', 'too_small', 'invalid_format', 'not_multiple_of', 'custom']);

/** True when every issue is about a limit: the projection has its type's shape. */
function hasShapeOf<T extends RecordType>(projection: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): projection is Record<string, unknown> & ProjectionOf<T> {
  return issues.every((issue) => VALUE_LIMIT_ISSUES.has(issue.code));
}

/** Each type's projection schema and tolerant read, typed per type so the lookup below keeps its type parameter. */
const projectionSchemas: { readonly [T in RecordType]: { readonly projectionSchema: z.ZodType<ProjectionOf<T>>; read(doc: Y.Doc): ProjectionOf<T> } } = recordModules;

/** A projection kept by the hub that is not what its record type's schema says it must be. */
export class StoredProjectionError extends Error {
  constructor(
    readonly recordId: string,
    readonly type: RecordType,
    detail: string,
  ) {
    super(`the stored projection of ${type} ${recordId} does not match its schema: ${detail}`);
    this.name = 'StoredProjectionError';
  }
}

/** What holds a projection: a StoredRecord, a RecordWrite. */
export interface HeldProjection {
  readonly header: Pick<RecordHeader, 'id' | 'type'>;
  readonly projection: Record<string, unknown>;
  /** The record's full Yjs state, when the holder has it (a StoredRecord, a RecordWrite). */
  readonly state?: Uint8Array;
}

/** The projection read again from `state` through the type's tolerant read. */
function readFromState<T extends RecordType>(state: Uint8Array, type: T): ProjectionOf<T> {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    return projectionSchemas[type].read(doc);
  } finally {
    doc.destroy();
  }
}

/** `held`'s projection as a `type`; throws StoredProjectionError if it is another type or has another shape. */
export function projectionOf<T extends RecordType>(held: HeldProjection, type: T): ProjectionOf<T> {
  if (held.header.type !== type) throw new StoredProjectionError(held.header.id, type, `the record is a ${held.header.type}`);
  const { projection } = held;
  const parsed = projectionSchemas[type].projectionSchema.safeParse(projection);
  if (parsed.success) return parsed.data;
  if (hasShapeOf<T>(projection, parsed.error.issues)) return projection;
  if (held.state) return readFromState(held.state, type);
  const issue = parsed.error.issues.find((candidate) => !VALUE_LIMIT_ISSUES.has(candidate.code));
  throw new StoredProjectionError(held.header.id, type, `${issue?.path.join('.') || '(projection)'}: ${issue?.message ?? 'invalid'}`);
}
