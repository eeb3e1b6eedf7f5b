import type { z } from 'zod';
import { recordModules, type ProjectionOf } from '../../shared/records/registry';
import type { RecordHeader, RecordType } from '../../shared/records/recordType';

/*
 * The one typed read of a projection the hub keeps (StoredRecord.projection, or a write's before
 * it is committed): checked against the record type's zod schema from shared/records, so code past
 * this point can trust the type instead of re-asserting it with a cast. Storage holds projections
 * as plain JSON and knows no record types; a projection that fails its schema means the store was
 * written by something else or damaged, and is refused here rather than read as something it is
 * not.
 */

/** Each type's projection schema, typed per type so the lookup below keeps its type parameter. */
const projectionSchemas: { readonly [T in RecordType]: { readonly projectionSchema: z.ZodType<ProjectionOf<T>> } } = recordModules;

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
}

/** `held`'s projection as a `type`; throws StoredProjectionError if it is another type or does not validate. */
export function projectionOf<T extends RecordType>(held: HeldProjection, type: T): ProjectionOf<T> {
  if (held.header.type !== type) throw new StoredProjectionError(held.header.id, type, `the record is a ${held.header.type}`);
  const parsed = projectionSchemas[type].projectionSchema.safeParse(held.projection);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new StoredProjectionError(held.header.id, type, `${issue?.path.join('.') || '(projection)'}: ${issue?.message ?? 'invalid'}`);
}
