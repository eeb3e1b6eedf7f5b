import type { OfferProjection } from '../records/offer';
import { compareMatches } from './compareMatches';
import { offerEligibility, type EligibilityReason } from './offerEligibility';
import { defaultMatchWeights, scoreOrg, type Candidate, type MatchWeights, type PartnerNeed, type PartnerReason, type RankOptions } from './rankPartners';

export interface MatchOfferOptions extends RankOptions {
  /**
   * What the secretariat prefers among eligible organizations (say, near a training venue). Without
   * it the fit is scored against the offer's own criteria: capabilities, stages and staff bounds.
   */
  readonly need?: PartnerNeed;
  readonly weights?: MatchWeights;
  /** Also return the ineligible organizations, after the eligible ones, with their failing reasons. */
  readonly includeIneligible?: boolean;
}

export interface OfferMatch {
  readonly id: string;
  readonly name: string;
  readonly isEligible: boolean;
  readonly eligibility: readonly EligibilityReason[];
  /** The partner-finder score of the fit need; see `rankPartners`. */
  readonly score: number;
  readonly fit: readonly PartnerReason[];
}

/**
 * Organizations eligible for an offer, best fit first (ties by name, then id). Does not look at the
 * offer's state or dates: the secretariat matches drafts too, before publishing them.
 */
export function matchOffer(offer: Pick<OfferProjection, 'eligibility'>, orgs: readonly Candidate[], options: MatchOfferOptions = {}): OfferMatch[] {
  const e = offer.eligibility;
  const need: PartnerNeed = options.need ?? {
    capabilities: e.capabilities,
    stages: e.stages,
    ...(e.minStaff !== null || e.maxStaff !== null ? { staffSize: { min: e.minStaff ?? undefined, max: e.maxStaff ?? undefined } } : {}),
  };
  const weights = options.weights ?? defaultMatchWeights;
  const matches = orgs.map((org): OfferMatch => {
    const { isEligible, reasons } = offerEligibility(e, org.projection);
    const { name, score, reasons: fit } = scoreOrg(need, org, weights, options);
    return { id: org.id, name, isEligible, eligibility: reasons, score, fit };
  });
  const eligible = matches.filter((m) => m.isEligible).sort(compareMatches);
  if (!options.includeIneligible) return eligible;
  return [...eligible, ...matches.filter((m) => !m.isEligible).sort(compareMatches)];
}
