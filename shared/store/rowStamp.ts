/**
 * Where a row write stands in the store's order of writes: the storage's write time and the row's
 * id (RxDB's `_meta.lwt` checkpoint). Every later write of any row has a greater stamp, so "every
 * change up to this stamp" names a state of the store that survives closing it.
 */
export interface RowStamp {
  readonly lwt: number;
  readonly id: string;
}
