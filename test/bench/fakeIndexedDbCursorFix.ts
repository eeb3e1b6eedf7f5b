import 'fake-indexeddb/auto';
import { IDBCursor, IDBKeyRange, indexedDB } from 'fake-indexeddb';

/*
 * fake-indexeddb 6.2.8 re-walks a cursor's key range from its start on every continue() when the
 * cursor was opened with a range: `makeKeyRange` in FDBCursor.js keeps the smaller of
 * (range.lower, position) where it means the larger. Iterating n records then costs O(n²):
 * 1,000 rows take about 0.3 s, 4,000 about 4 s, 10,000 about 30 s, while getAll() over the same
 * range takes milliseconds. RxDB's Dexie storage reads every query through such a ranged cursor,
 * so without this fix the list and search numbers would measure that bug, not the store.
 *
 * The fix narrows the cursor's own range to start at its position before each forward step. The
 * position is a record already inside the range and the step skips it, so results are unchanged.
 * `prev` cursors are left alone (RxDB does not use them). Set FIELDWISE_BENCH_FIDB_AS_SHIPPED=1
 * to measure fake-indexeddb as shipped.
 */

interface CursorInternals {
  readonly direction: IDBCursorDirection;
  _range: IDBKeyRange | undefined;
  _position: IDBValidKey | undefined;
  _iterate(key?: IDBValidKey, primaryKey?: IDBValidKey): unknown;
}

export const isCursorFixApplied = process.env.FIELDWISE_BENCH_FIDB_AS_SHIPPED !== '1';

if (isCursorFixApplied) {
  const prototype = IDBCursor.prototype as unknown as CursorInternals;
  const iterate = prototype._iterate;
  prototype._iterate = function (this: CursorInternals, key, primaryKey) {
    const range = this._range;
    const position = this._position;
    if (this.direction === 'next' && range !== undefined && position !== undefined) {
      if (range.lower === undefined || indexedDB.cmp(position, range.lower) > 0) {
        this._range =
          range.upper === undefined
            ? IDBKeyRange.lowerBound(position)
            : IDBKeyRange.bound(position, range.upper, false, range.upperOpen);
      }
    }
    return iterate.call(this, key, primaryKey);
  };
}
