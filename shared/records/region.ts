import { z } from 'zod';
import { nonEmptyText } from './fieldSchemas';

/*
 * Regions are administrative paths from the top: ['Yunnan', 'Dali', 'Xizhou'] is province, county,
 * township. Paths are compared level by level, never as joined strings, so ['Yunnan'] holds
 * ['Yunnan', 'Dali'] but not ['Yunnanx']. This module alone knows how a path is typed, shown, keyed
 * for an index and compared; records, matching, search, the store, reports and the screens use it.
 */

/** The deepest path a record holds. */
export const MAX_REGION_LEVELS = 6;

/** An administrative path, largest unit first: ['云南省', '大理州', '洱源县']. */
export const regionPathSchema = z.array(nonEmptyText(80)).max(MAX_REGION_LEVELS);
export type RegionPath = z.infer<typeof regionPathSchema>;

/**
 * A region path as people type it: "云南省 / 大理州", "Guizhou/Qiandongnan" or "云南省、大理州".
 * Slashes (half- or full-width), '>', commas and the ideographic enumeration comma separate levels;
 * empty levels are dropped and levels beyond the deepest are cut off.
 */
export function parseRegion(text: string): string[] {
  return text
    .split(/[/／>、,，]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .slice(0, MAX_REGION_LEVELS);
}

/** A path as people read it, "云南省 / 大理州"; '' for no region. `parseRegion` reads it back. */
export function formatRegion(path: readonly string[]): string {
  return path.join(' / ');
}

/** Several paths as typed in one field, separated by ';' (half- or full-width) or line breaks. */
export function parseRegions(text: string): string[][] {
  return text
    .split(/[;；\n]/)
    .map(parseRegion)
    .filter((path) => path.length > 0);
}

/** Several paths in one line, "云南省 / 大理州; Guizhou"; `parseRegions` reads it back. */
export function formatRegions(paths: readonly (readonly string[])[]): string {
  return paths.map(formatRegion).join('; ');
}

/** A path as one string for the store's and the search's indexes: "云南省/大理州"; '' for none. */
export function regionKey(path: readonly string[]): string {
  return path.join('/');
}

/** How many levels two paths share from the top (0 when they differ at the province). */
export function sharedLevels(a: readonly string[], b: readonly string[]): number {
  let levels = 0;
  while (levels < a.length && levels < b.length && a[levels] === b[levels]) levels++;
  return levels;
}

/** Whether `path` lies within `area` (equal to it or below it). An empty area holds every path. */
export function isWithinRegion(path: readonly string[], area: readonly string[]): boolean {
  return sharedLevels(path, area) === area.length;
}
