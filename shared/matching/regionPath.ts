/*
 * Regions are administrative paths from the top: ['Yunnan', 'Dali', 'Xizhou'] is province, county,
 * township. Paths are compared level by level, never as joined strings, so 'Yunnan' is a prefix of
 * ['Yunnan', 'Dali'] but not of ['Yunnanx'].
 */

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
