import type { CommentProjection } from '../records/comment';
import type { EntryProjection } from '../records/entry';
import type { InterestProjection } from '../records/interest';
import type { NetworkProjection } from '../records/network';
import type { OfferProjection } from '../records/offer';
import type { OrgProjection } from '../records/org';
import type { BallotProjection } from '../records/ballot';
import type { ProposalProjection } from '../records/proposal';
import type { RecordHeader, Role } from '../records/recordType';
import type { ResultProjection } from '../records/result';

/*
 * Everything the inbox is computed from: the device's own records (projections with their
 * headers), what the hub last said about each organization's sync, the secretariat's last list of
 * revoked devices and organizations, this device's topics, entry arrivals and read markers, and the time. Plain data, so the
 * computation is pure and the same input always gives the same inbox.
 */

export interface InboxRecord<P> {
  readonly header: RecordHeader;
  readonly projection: P;
}

export interface RevokedDevice {
  readonly credentialId: string;
  readonly orgId: string;
  readonly deviceName: string;
  readonly revokedAt: number;
  readonly reason: string | null;
}

export interface RevokedOrg {
  readonly orgId: string;
  readonly name: string;
  readonly revokedAt: number;
  readonly reason: string | null;
}

/** What the hub's administration last said was revoked, and when it said so (0: never asked). */
export interface Revocations {
  readonly fetchedAt: number;
  readonly devices: readonly RevokedDevice[];
  readonly orgs: readonly RevokedOrg[];
}

export interface InboxMarkers {
  /**
   * When this device started keeping its inbox (its own clock): events before it count as read,
   * so a device that joins does not find the network's whole history unread. Open votes are the
   * exception: they wait for a ballot, whenever they opened.
   */
  readonly since: number;
  /** Read item keys, each with the `at` of the item when it was read. */
  readonly read: Readonly<Record<string, number>>;
}

export interface InboxInput {
  readonly me: { readonly orgId: string; readonly role: Role };
  readonly now: number;
  readonly network: NetworkProjection | null;
  readonly orgs: readonly InboxRecord<OrgProjection>[];
  readonly entries: readonly InboxRecord<EntryProjection>[];
  readonly proposals: readonly InboxRecord<ProposalProjection>[];
  readonly ballots: readonly InboxRecord<BallotProjection>[];
  readonly results: readonly InboxRecord<ResultProjection>[];
  readonly comments: readonly InboxRecord<CommentProjection>[];
  readonly offers: readonly InboxRecord<OfferProjection>[];
  readonly interests: readonly InboxRecord<InterestProjection>[];
  /** When the hub last heard from each organization (its last network status); empty when unknown. */
  readonly lastSeenAt: ReadonlyMap<string, number | null>;
  readonly revokedDevices: readonly RevokedDevice[];
  readonly revokedOrgs: readonly RevokedOrg[];
  readonly followedTopics: readonly string[];
  /** When entries of other organizations reached this device (entryArrivals.ts); an entry not listed is timed by its creation. */
  readonly entryArrivals: Readonly<Record<string, number>>;
  readonly markers: InboxMarkers;
  /** How long without a sync or a contribution makes an organization silent. */
  readonly silentAfterMs: number;
}
