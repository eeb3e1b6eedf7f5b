import type { OfferProjection } from '../records/offer';
import { isWithinRegion } from '../records/region';
import { normalizeTag, type MatchableOrg } from './rankPartners';

/*
 * Whether an organization meets an offer's eligibility, criterion by criterion. Only criteria the
 * offer sets are checked; an offer that sets none is open to every organization. Every check is
 * reported, met or not, so the screen can say both why an organization fits and why it does not.
 */

export type EligibilityReason = { readonly isMet: boolean } & (
  | { readonly key: 'stage'; readonly stage: string; readonly wanted: readonly string[] }
  | { readonly key: 'region'; readonly region: readonly string[]; readonly within: readonly string[] | null }
  | { readonly key: 'capabilities'; readonly matched: number; readonly wanted: number; readonly missing: readonly string[] }
  | { readonly key: 'min-staff'; readonly staff: number; readonly minStaff: number }
  | { readonly key: 'max-staff'; readonly staff: number; readonly maxStaff: number }
);

export interface Eligibility {
  readonly isEligible: boolean;
  readonly reasons: readonly EligibilityReason[];
}

export function offerEligibility(eligibility: OfferProjection['eligibility'], org: MatchableOrg): Eligibility {
  const reasons: EligibilityReason[] = [];
  if (eligibility.stages.length > 0) {
    reasons.push({ key: 'stage', stage: org.stage, wanted: eligibility.stages, isMet: eligibility.stages.includes(org.stage) });
  }
  if (eligibility.regions.length > 0) {
    const within = eligibility.regions.find((area) => isWithinRegion(org.region, area)) ?? null;
    reasons.push({ key: 'region', region: org.region, within, isMet: within !== null });
  }
  if (eligibility.capabilities.length > 0) {
    const has = new Set(org.capabilities.map(normalizeTag));
    const missing = eligibility.capabilities.filter((c) => !has.has(normalizeTag(c)));
    const wanted = eligibility.capabilities.length;
    reasons.push({ key: 'capabilities', matched: wanted - missing.length, wanted, missing, isMet: missing.length === 0 });
  }
  // Both bounds are inclusive: "at least 5" and "at most 20" staff.
  if (eligibility.minStaff !== null) {
    reasons.push({ key: 'min-staff', staff: org.staffSize, minStaff: eligibility.minStaff, isMet: org.staffSize >= eligibility.minStaff });
  }
  if (eligibility.maxStaff !== null) {
    reasons.push({ key: 'max-staff', staff: org.staffSize, maxStaff: eligibility.maxStaff, isMet: org.staffSize <= eligibility.maxStaff });
  }
  return { isEligible: reasons.every((r) => r.isMet), reasons };
}
