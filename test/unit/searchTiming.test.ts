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

// Adversarial pass: a paste over a selection (select all, paste) is text arriving whole too, but
// searchDelay only compares lengths, so a pasted query no longer than the one it replaces waits
// for the keystroke pause. A single keystroke inserts at most one character; these insert several.
describe('searchDelay, a paste over selected text', () => {
  it('searches at once for a pasted query that replaces a longer or equal one', () => {
    expect(searchDelay('water', 'fish')).toBe(0);
    expect(searchDelay('rainwater harvesting', 'drip line')).toBe(0);
    expect(searchDelay('灌溉技术', '节水')).toBe(0);
    expect(searchDelay('melon', 'mulch')).toBe(0);
  });

  it('still waits after a one-character edit of the same length or shorter', () => {
    // A selection of one character typed over, and a selection deleted: keystrokes.
    expect(searchDelay('water', 'wafer')).toBe(SEARCH_PAUSE_MS);
    expect(searchDelay('water', 'wa')).toBe(SEARCH_PAUSE_MS);
  });
});
