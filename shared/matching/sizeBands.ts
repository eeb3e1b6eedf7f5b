/** Staff size bands, in order. The last one is open-ended. */
export const sizeBands = [
  { id: '1-5', min: 1, max: 5 },
  { id: '6-20', min: 6, max: 20 },
  { id: '21-50', min: 21, max: 50 },
  { id: '51+', min: 51, max: Number.POSITIVE_INFINITY },
] as const;

export type SizeBandId = (typeof sizeBands)[number]['id'];

/**
 * Index into `sizeBands` of a staff size, or -1 for 0: a profile's staff size defaults to 0, which
 * means "not filled in", not "no staff".
 */
export function sizeBandIndex(staff: number): number {
  return sizeBands.findIndex((band) => staff >= band.min && staff <= band.max);
}
