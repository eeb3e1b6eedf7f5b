import { describe, expect, it } from 'vitest';
import { queryWords } from '../../shared/search/searchTerms';

/*
 * Adversarial pass: a paste is searched at once (searchTiming.ts), whatever its length, and every
 * word of the query becomes one MiniSearch lookup ANDed with the others (entrySearch.ts). Measured
 * on an index of 2,000 entries (EntrySearch.search in Node): "water " pasted 500 times took 2.5 s,
 * 2,000 times 6.1 s, "节水灌溉" pasted 1,000 times 5.0 s, and 20,000 times ran Node out of heap; in
 * the app that is the search worker, every later query queued behind it. A word met again adds
 * nothing to an AND query: it should be looked up once.
 */
describe('queryWords of a huge paste', () => {
  it('looks a repeated word up once', () => {
    expect(queryWords('water '.repeat(1_000))).toEqual(queryWords('water'));
    expect(queryWords('drip line drip line drip')).toEqual(queryWords('drip line'));
  });

  it('looks a repeated Chinese word up once', () => {
    expect(queryWords('节水灌溉'.repeat(1_000))).toEqual(queryWords('节水灌溉'));
    expect(queryWords('灌溉 water 灌溉 water 灌溉')).toEqual(queryWords('灌溉 water'));
  });
});
