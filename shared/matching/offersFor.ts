import type { OfferProjection } from '../records/offer';
import { offerEligibility, type EligibilityReason } from './offerEligibility';
import type { Candidate } from './rankPartners';

export interface OfferForOrg {
  readonly id: string;
  readonly title: string;
  readonly isEligible: boolean;
  /** Every criterion the offer sets, met or not; for an ineligible offer the failing ones have `isMet: false`. */
  readonly reasons: readonly EligibilityReason[];
}

export interface OffersForOptions {
  /** Also return open offers the organization is not eligible for, after the eligible ones. */
  readonly includeIneligible?: boolean;
}

/** An offer takes interest from `opensAt` (inclusive) until `closesAt` (exclusive), and only while published. */
export function isOfferOpen(offer: Pick<OfferProjection, 'state' | 'opensAt' | 'closesAt'>, now: number): boolean {
  return offer.state === 'published' && offer.opensAt <= now && now < offer.closesAt;
}

/**
 * The open offers an organization may take up, the soonest to close first (ties by title, then id),
 * so the deadline that needs attention comes first.
 */
export function offersFor(
  org: Candidate,
  offers: readonly { readonly id: string; readonly projection: OfferProjection }[],
  now: number,
  options: OffersForOptions = {},
): OfferForOrg[] {
  const open = offers
    .filter((o) => isOfferOpen(o.projection, now))
    .sort((a, b) => a.projection.closesAt - b.projection.closesAt || cmp(a.projection.title, b.projection.title) || cmp(a.id, b.id))
    .map((o): OfferForOrg => ({ id: o.id, title: o.projection.title, ...offerEligibility(o.projection.eligibility, org.projection) }));
  const eligible = open.filter((o) => o.isEligible);
  return options.includeIneligible ? [...eligible, ...open.filter((o) => !o.isEligible)] : eligible;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
