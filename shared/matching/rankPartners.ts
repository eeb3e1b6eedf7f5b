import type { OrgProjection } from '../records/org';
import { isWithinRegion, sharedLevels } from '../records/region';
import { compareMatches } from './compareMatches';
import { distanceKm, type Coordinates } from './distanceKm';
import { sizeBandIndex, sizeBands, type SizeBandId } from './sizeBands';

/*
 * The partner finder: ranks organizations for a need. Each criterion gives a share in [0, 1]; its
 * points are weight × share and the score is the sum of the points, so a score is linear in every
 * weight and the screen can show exactly where each point came from.
 */

export interface MatchWeights {
  readonly region: number;
  readonly distance: number;
  readonly capabilities: number;
  readonly size: number;
  readonly stage: number;
}

export const defaultMatchWeights: MatchWeights = { region: 0.3, distance: 0.2, capabilities: 0.3, size: 0.1, stage: 0.1 };

export interface StaffRange {
  readonly min?: number;
  readonly max?: number;
}

export interface PartnerFilters {
  /** Only organizations within `need.region` (the whole path is a prefix of theirs). */
  readonly isWithinRegion?: boolean;
  /** Only organizations with every capability in `need.capabilities`. */
  readonly hasAllCapabilities?: boolean;
  /** Only organizations whose stage is one of `need.stages` (adjacent stages do not pass). */
  readonly isStageWanted?: boolean;
  /** Only organizations whose staff size is within `need.staffSize`. */
  readonly isSizeInRange?: boolean;
  /** Only organizations at most this far from `need.coordinates`; those without coordinates are left out. */
  readonly maxDistanceKm?: number;
}

export interface PartnerNeed {
  readonly region?: readonly string[];
  readonly coordinates?: Coordinates | null;
  readonly capabilities?: readonly string[];
  /** A range of staff (bounds inclusive) or one of `sizeBands`. */
  readonly staffSize?: StaffRange | SizeBandId;
  readonly stages?: readonly string[];
  readonly filters?: PartnerFilters;
}

export type MatchableOrg = Pick<OrgProjection, 'name' | 'region' | 'coordinates' | 'capabilities' | 'staffSize' | 'stage'>;

export interface Candidate {
  readonly id: string;
  readonly projection: MatchableOrg;
}

export interface RankOptions {
  /** The network's stages in order; with it a stage next to a wanted one earns half the stage weight. */
  readonly stageOrder?: readonly string[];
}

interface Scored {
  /** The weight this criterion had. */
  readonly weight: number;
  /** weight × share. */
  readonly points: number;
}

export type PartnerReason = Scored &
  (
    | { readonly key: 'same-township' | 'same-county' | 'same-province' | 'different-region'; readonly levels: number }
    | { readonly key: 'region-unknown' }
    | { readonly key: 'distance'; readonly km: number }
    | { readonly key: 'capabilities'; readonly matched: number; readonly wanted: number; readonly missing: readonly string[] }
    | { readonly key: 'size-match' | 'size-adjacent' | 'size-mismatch'; readonly staff: number; readonly band: SizeBandId }
    | { readonly key: 'size-unknown' }
    | { readonly key: 'stage' | 'stage-adjacent' | 'stage-mismatch'; readonly stage: string }
    | { readonly key: 'stage-unknown' }
  );

export interface PartnerMatch {
  readonly id: string;
  readonly name: string;
  readonly score: number;
  readonly reasons: readonly PartnerReason[];
}

/** Share of the region weight by the number of administrative levels shared (3 or more: township). */
const REGION_SHARES = [0, 0.3, 0.6, 1] as const;
const REGION_KEYS = ['different-region', 'same-province', 'same-county', 'same-township'] as const;

/** Distance share falls linearly from 1 at 0 km to 0 at this distance and stays 0 beyond. */
export const DISTANCE_ZERO_KM = 300;

/** Share for a size band or stage next to the wanted one. */
const ADJACENT_SHARE = 0.5;

// Rounding keeps sums such as 0.1 + 0.2 and 0.3 equal, so hand-built ties stay ties.
const round = (x: number) => Math.round(x * 1e9) / 1e9;

export function rankPartners(
  need: PartnerNeed,
  orgs: readonly Candidate[],
  weights: MatchWeights = defaultMatchWeights,
  options: RankOptions = {},
): PartnerMatch[] {
  for (const [name, weight] of Object.entries(weights)) {
    if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`weight '${name}' must be a finite number not below 0`);
  }
  return orgs
    .filter((org) => passesFilters(need, org.projection))
    .map((org) => scoreOrg(need, org, weights, options))
    .sort(compareMatches);
}

/** The score and reasons of one organization for a need, without filters. */
export function scoreOrg(need: PartnerNeed, org: Candidate, weights: MatchWeights, options: RankOptions = {}): PartnerMatch {
  const p = org.projection;
  const reasons: PartnerReason[] = [];
  const scored = (weight: number, share: number) => ({ weight, points: round(weight * share) });

  if (need.region && need.region.length > 0) {
    if (p.region.length === 0) reasons.push({ key: 'region-unknown', ...scored(weights.region, 0) });
    else {
      const levels = Math.min(3, sharedLevels(need.region, p.region)) as 0 | 1 | 2 | 3;
      reasons.push({ key: REGION_KEYS[levels], levels, ...scored(weights.region, REGION_SHARES[levels]) });
    }
  }

  // Only when both sides have coordinates: a missing position is neither near nor far.
  if (need.coordinates && p.coordinates) {
    const km = distanceKm(need.coordinates, p.coordinates);
    reasons.push({ key: 'distance', km: Math.round(km * 10) / 10, ...scored(weights.distance, Math.max(0, 1 - km / DISTANCE_ZERO_KM)) });
  }

  const wanted = unique(need.capabilities ?? []);
  if (wanted.length > 0) {
    const has = new Set(p.capabilities.map(normalizeTag));
    const missing = wanted.filter((c) => !has.has(normalizeTag(c)));
    const matched = wanted.length - missing.length;
    reasons.push({ key: 'capabilities', matched, wanted: wanted.length, missing, ...scored(weights.capabilities, matched / wanted.length) });
  }

  if (need.staffSize !== undefined) reasons.push(sizeReason(need.staffSize, p.staffSize, weights.size, scored));

  if (need.stages && need.stages.length > 0) reasons.push(stageReason(need.stages, p.stage, weights.stage, options.stageOrder, scored));

  const score = round(reasons.reduce((sum, r) => sum + r.points, 0));
  return { id: org.id, name: p.name, score, reasons };
}

function sizeReason(wanted: StaffRange | SizeBandId, staff: number, weight: number, scored: (w: number, s: number) => Scored): PartnerReason {
  const bandIndex = sizeBandIndex(staff);
  const band = sizeBands[bandIndex];
  if (!band) return { key: 'size-unknown', ...scored(weight, 0) };
  const range = toRange(wanted);
  if (staff >= range.min && staff <= range.max) return { key: 'size-match', staff, band: band.id, ...scored(weight, 1) };
  // Bands the wanted range touches; the organization's band next to one of them is "adjacent".
  const touched = sizeBands.flatMap((b, i) => (b.max >= range.min && b.min <= range.max ? [i] : []));
  const isAdjacent = touched.some((i) => Math.abs(i - bandIndex) <= 1);
  return isAdjacent
    ? { key: 'size-adjacent', staff, band: band.id, ...scored(weight, ADJACENT_SHARE) }
    : { key: 'size-mismatch', staff, band: band.id, ...scored(weight, 0) };
}

function stageReason(
  wanted: readonly string[],
  stage: string,
  weight: number,
  stageOrder: readonly string[] | undefined,
  scored: (w: number, s: number) => Scored,
): PartnerReason {
  if (stage === '') return { key: 'stage-unknown', ...scored(weight, 0) };
  if (wanted.includes(stage)) return { key: 'stage', stage, ...scored(weight, 1) };
  const at = stageOrder ? stageOrder.indexOf(stage) : -1;
  const isAdjacent = at >= 0 && wanted.some((w) => {
    const i = stageOrder?.indexOf(w) ?? -1;
    return i >= 0 && Math.abs(i - at) === 1;
  });
  return isAdjacent ? { key: 'stage-adjacent', stage, ...scored(weight, ADJACENT_SHARE) } : { key: 'stage-mismatch', stage, ...scored(weight, 0) };
}

function passesFilters(need: PartnerNeed, p: MatchableOrg): boolean {
  const f = need.filters;
  if (!f) return true;
  if (f.isWithinRegion && need.region && !isWithinRegion(p.region, need.region)) return false;
  if (f.hasAllCapabilities && need.capabilities) {
    const has = new Set(p.capabilities.map(normalizeTag));
    if (!need.capabilities.every((c) => has.has(normalizeTag(c)))) return false;
  }
  if (f.isStageWanted && need.stages && need.stages.length > 0 && !need.stages.includes(p.stage)) return false;
  if (f.isSizeInRange && need.staffSize !== undefined) {
    const range = toRange(need.staffSize);
    // A staff size of 0 is "not filled in": it cannot prove it is in range.
    if (sizeBandIndex(p.staffSize) < 0 || p.staffSize < range.min || p.staffSize > range.max) return false;
  }
  if (f.maxDistanceKm !== undefined && need.coordinates) {
    if (!p.coordinates || distanceKm(need.coordinates, p.coordinates) > f.maxDistanceKm) return false;
  }
  return true;
}

function toRange(wanted: StaffRange | SizeBandId): { min: number; max: number } {
  if (typeof wanted === 'string') {
    const band = sizeBands.find((b) => b.id === wanted);
    if (!band) throw new RangeError(`unknown size band '${wanted}'`);
    return { min: band.min, max: band.max };
  }
  return { min: wanted.min ?? 0, max: wanted.max ?? Number.POSITIVE_INFINITY };
}

/** Capabilities are free tags: compared without regard to case or surrounding spaces. */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase();
}

function unique(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((t) => {
    const k = normalizeTag(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
