import { Subject } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { coalescedRows, LIST_REFRESH_MS } from '../../renderer/library/coalescedRows';

afterEach(() => {
  vi.useRealTimers();
});

describe("the library's list while records arrive", () => {
  it('shows a lone change at once, a burst of page writes at most once a refresh, and always the last', () => {
    vi.useFakeTimers();
    const written = new Subject<number>();
    const shown: number[] = [];
    const subscription = written.pipe(coalescedRows()).subscribe((value) => shown.push(value));
    try {
      written.next(1);
      expect(shown).toEqual([1]);
      // A sync writes a page every 100 ms for 3 refreshes' time.
      for (let page = 2; page <= 31; page++) {
        vi.advanceTimersByTime(LIST_REFRESH_MS / 10);
        written.next(page);
      }
      vi.advanceTimersByTime(LIST_REFRESH_MS);
      expect(shown.length).toBeLessThanOrEqual(5);
      expect(shown.at(-1)).toBe(31);
      // After a pause, an edit shows at once again.
      vi.advanceTimersByTime(LIST_REFRESH_MS * 2);
      const before = shown.length;
      written.next(32);
      expect(shown.slice(before)).toEqual([32]);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('leaves no timer behind once the list is closed', () => {
    vi.useFakeTimers();
    const written = new Subject<number>();
    const shown: number[] = [];
    const subscription = written.pipe(coalescedRows()).subscribe((value) => shown.push(value));
    written.next(1);
    written.next(2);
    subscription.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(LIST_REFRESH_MS * 2);
    expect(shown).toEqual([1]);
  });
});
