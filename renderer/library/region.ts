/** A region path as people type it: "云南省 / 大理州" or "Guizhou/Qiandongnan", largest unit first. */
export function parseRegion(text: string): string[] {
  return text
    .split(/[/／>、,，]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .slice(0, 6);
}

export function formatRegion(path: readonly string[]): string {
  return path.join(' / ');
}
