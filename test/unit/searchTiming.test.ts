import { describe, expect, it } from 'vitest';
import { SEARCH_PAUSE_MS, searchDelay } from '../../renderer/library/searchTiming';

// When the library's search box asks the index (renderer/library/searchTiming.ts).
describe('searchDelay', () => {
  it('waits for a pause after a keystroke, added or deleted', () => {
    expect(searchDelay('', 'w')).toBe(SEARCH_PAUSE_MS);
    expect(searchDelay('wate', 'water')).toBe(SEARCH_PAUSE_MS);
    expect(searchDelay('water', 'wate')).toBe(SEARCH_PAUSE_MS);
    // A selection typed over: one character in place of several.
    expect(searchDelay('water', 'r')).toBe(SEARCH_PAUSE_MS);
  });

  it('searches at once for text that arrives whole: a paste, an autocompleted or committed word', () => {
    expect(searchDelay('', 'water')).toBe(0);
    expect(searchDelay('drip ', 'drip irrigation')).toBe(0);
    expect(searchDelay('节水', '节水灌溉')).toBe(0);
  });

  it('brings the list back at once when the box is emptied', () => {
    expect(searchDelay('water', '')).toBe(0);
    expect(searchDelay('w', ' ')).toBe(0);
  });
});
