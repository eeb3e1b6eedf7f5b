/*
 * Reordering a ranked-choice ballot: the same moves by drag, by buttons and by keyboard, pure so
 * every path is tested without a browser. A move returns a new list and never loses or repeats an
 * option.
 */

/** The list with the item at `from` moved to index `to` (clamped to the list). */
export function moveTo<T>(items: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= items.length) return [...items];
  const target = Math.max(0, Math.min(items.length - 1, to));
  const next = [...items];
  const [moved] = next.splice(from, 1);
  next.splice(target, 0, moved as T);
  return next;
}

export type RankKeyMove = 'up' | 'down' | 'top' | 'bottom';

/**
 * The move a key press asks for on a focused ranked item: Alt+ArrowUp/Down move it one place,
 * Alt+Home/End to the top or bottom. Anything else is not a move (plain arrows keep moving focus).
 */
export function rankKeyMove(event: { readonly key: string; readonly altKey: boolean }): RankKeyMove | null {
  if (!event.altKey) return null;
  switch (event.key) {
    case 'ArrowUp':
      return 'up';
    case 'ArrowDown':
      return 'down';
    case 'Home':
      return 'top';
    case 'End':
      return 'bottom';
    default:
      return null;
  }
}

/** Where the item at `index` lands after `move`. */
export function targetIndex(index: number, move: RankKeyMove, length: number): number {
  switch (move) {
    case 'up':
      return Math.max(0, index - 1);
    case 'down':
      return Math.min(length - 1, index + 1);
    case 'top':
      return 0;
    case 'bottom':
      return length - 1;
  }
}

/**
 * The ballot's ranking shown on screen: the options it ranked, in its order, then the options it
 * did not rank yet (a new ballot, or options added after it was cast), in the proposal's order.
 * Ids of options that no longer exist are dropped.
 */
export function initialRanking(optionIds: readonly string[], ranked: readonly string[]): string[] {
  const known = new Set(optionIds);
  const kept = [...new Set(ranked)].filter((id) => known.has(id));
  const rest = optionIds.filter((id) => !kept.includes(id));
  return [...kept, ...rest];
}
