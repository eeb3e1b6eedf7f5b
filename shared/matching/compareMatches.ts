/**
 * Highest score first; ties by name, then by id, in code-unit order rather than `localeCompare`,
 * whose order depends on the ICU data of the runtime: the same inputs give the same order in the
 * renderer, the main process and the hub.
 */
export function compareMatches(a: { score: number; name: string; id: string }, b: { score: number; name: string; id: string }): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}
