/** The next option id: o1, o2, ... after the highest one in use, so ids never repeat within a proposal. */
export function nextOptionId(ids: readonly string[]): string {
  const used = ids.map((id) => /^o(\d+)$/.exec(id)).filter((match) => match !== null).map((match) => Number(match[1]));
  return `o${Math.max(0, ...used) + 1}`;
}
