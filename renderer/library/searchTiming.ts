import { useEffect, useRef, useState } from 'react';

/*
 * When the library's search box asks the index. Key by key, the search waits for typing to pause,
 * so a word is not searched for at each of its letters. Text that arrives whole (a paste, an
 * autocompleted word, a Chinese or Japanese word committed by an input method) is the query the
 * user meant: it is searched at once, as is an emptied box (the list comes back). While an input
 * method is composing, the box holds pinyin or kana, not a query: nothing is searched until the
 * word is committed.
 */

/** The pause after a keystroke before searching. */
export const SEARCH_PAUSE_MS = 150;

/** 0 (search at once) or the pause to wait, for the box's text going from `before` to `after`. */
export function searchDelay(before: string, after: string): number {
  if (after.trim() === '') return 0;
  // What came in between the text kept at both ends: more than one character at once (a paste,
  // also over a selection) is not a keystroke.
  let kept = 0;
  while (kept < before.length && kept < after.length && before[kept] === after[kept]) kept++;
  let keptAtEnd = 0;
  while (keptAtEnd < before.length - kept && keptAtEnd < after.length - kept && before[before.length - 1 - keptAtEnd] === after[after.length - 1 - keptAtEnd]) keptAtEnd++;
  return after.length - kept - keptAtEnd > 1 ? 0 : SEARCH_PAUSE_MS;
}

/** The text to search for, following the box's `text`; `isComposing` while an input method composes. */
export function useSearchedText(text: string, isComposing: boolean): string {
  const [searched, setSearched] = useState(text);
  // The box's text when last seen outside a composition, and whether one ended since.
  const lastSeen = useRef(text);
  const wasComposing = useRef(false);
  useEffect(() => {
    if (isComposing) {
      wasComposing.current = true;
      return;
    }
    const delay = wasComposing.current ? 0 : searchDelay(lastSeen.current, text);
    wasComposing.current = false;
    lastSeen.current = text;
    if (delay === 0) {
      setSearched(text);
      return;
    }
    const timer = setTimeout(() => setSearched(text), delay);
    return () => clearTimeout(timer);
  }, [text, isComposing]);
  return searched;
}
