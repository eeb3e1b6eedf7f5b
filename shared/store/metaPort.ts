import type { Observable } from 'rxjs';
import { map } from 'rxjs';
import type { z } from 'zod';
import type { Store } from './store';

/*
 * Typed access to the store's meta: small values kept beside the records (sync state, the sync
 * log). Every read checks the value against the schema its owner gives: a value written by an
 * older version, or damaged on disk, reads as null (the owner's default), never as a wrong type
 * and never as a thrown error.
 */

export interface MetaPort {
  get<T>(key: string, schema: z.ZodType<T>): Promise<T | null>;
  set<T extends object>(key: string, value: T): Promise<void>;
  /** The value now and after every change, null while unset or invalid. */
  observe<T>(key: string, schema: z.ZodType<T>): Observable<T | null>;
}

function checked<T>(raw: unknown, schema: z.ZodType<T>): T | null {
  if (raw === null || raw === undefined) return null;
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function metaPortOf(store: Pick<Store, 'getMeta' | 'setMeta' | 'observeMeta'>): MetaPort {
  return {
    get: async (key, schema) => checked(await store.getMeta(key), schema),
    set: (key, value) => store.setMeta(key, value),
    observe: (key, schema) => store.observeMeta(key).pipe(map((raw) => checked(raw, schema))),
  };
}
