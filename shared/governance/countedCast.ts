import type { BallotProjection, Choice, FacilitationChannel } from '../records/ballot';
import { canonicalJson } from './canonicalJson';

export interface Facilitation {
  readonly byOrgId: string;
  readonly channel: FacilitationChannel;
  readonly witness: string;
}

export interface Cast {
  readonly choice: Choice;
  readonly castAt: number;
  readonly deviceId: string;
  readonly reason: string;
  /** The proposal version the cast was made on. */
  readonly proposalVersion: number;
  /** Set when a facilitator recorded the cast for the organization. */
  readonly facilitation: Facilitation | null;
}

type Revision = BallotProjection['revisions'][number];
/** A ballot's casts as held; revisions written before reasons and versions read as '' and 1. */
export interface CastSource {
  readonly revisions: readonly (Omit<Revision, 'reason' | 'proposalVersion'> & Partial<Pick<Revision, 'reason' | 'proposalVersion'>>)[];
  readonly facilitated?: BallotProjection['facilitated'];
}

/** Every cast on a ballot, the organization's own and its facilitators'. */
export function castsOf(ballot: CastSource): Cast[] {
  const own = ballot.revisions.map(
    (revision): Cast => ({
      choice: revision.choice,
      castAt: revision.at,
      deviceId: revision.deviceId,
      reason: revision.reason ?? '',
      proposalVersion: revision.proposalVersion ?? 1,
      facilitation: null,
    }),
  );
  const facilitated = (ballot.facilitated ?? []).map(
    (cast): Cast => ({
      choice: cast.choice,
      castAt: cast.at,
      deviceId: cast.deviceId,
      reason: cast.reason,
      proposalVersion: cast.proposalVersion,
      facilitation: { byOrgId: cast.byOrgId, channel: cast.channel, witness: cast.witness },
    }),
  );
  return [...own, ...facilitated];
}

const castKey = (cast: Cast): string => canonicalJson([cast.choice, cast.reason]);

function latest(casts: readonly Cast[]): Cast | null {
  let best: Cast | null = null;
  for (const cast of casts) {
    if (!best || cast.castAt > best.castAt || (cast.castAt === best.castAt && castKey(cast) > castKey(best))) best = cast;
  }
  return best;
}

/**
 * The cast that counts on a ballot: on the proposal's current `version`, the organization's own
 * latest cast, by cast time; only where it has cast none on that version, its facilitators'
 * latest. An organization's own word always stands over what a facilitator recorded for it, even
 * a facilitation timed later (the hub takes a facilitated cast only while the organization has
 * cast none, but an offline laptop's cast may reach the hub after one). Two at the same instant
 * fall to the greater canonical JSON of the choice. With no cast on the current version, the
 * latest on any version, the organization's own first: the tally then excludes it as
 * `earlier-version` and the organization is asked to confirm it. Not the ballot's `choice` field:
 * two laptops casting concurrently merge that field by Yjs client order, not by time, while every
 * revision survives in the log. The voter's receipt is of this cast.
 */
export function countedCast(ballot: CastSource, version = 1): Cast | null {
  const all = castsOf(ballot);
  const own = all.filter((cast) => cast.facilitation === null);
  const facilitated = all.filter((cast) => cast.facilitation !== null);
  const onVersion = (casts: readonly Cast[]) => casts.filter((cast) => cast.proposalVersion === version);
  return latest(onVersion(own)) ?? latest(onVersion(facilitated)) ?? latest(own) ?? latest(facilitated);
}

/**
 * Whether the organization should confirm its ballot: its latest cast was made on an earlier
 * version of the proposal than the current one, so it does not count as it stands.
 */
export function needsConfirmation(ballot: CastSource, version: number): boolean {
  const cast = countedCast(ballot, version);
  return cast !== null && cast.proposalVersion !== version;
}

/**
 * Whether the organization has cast on this ballot at all, itself or through a facilitator: what
 * "has voted" means wherever a screen or a reminder asks (a cast on an earlier version included;
 * `needsConfirmation` says whether it still counts). Not the ballot's `choice` field, which a
 * facilitated cast never writes.
 */
export function hasCast(ballot: CastSource): boolean {
  return countedCast(ballot) !== null;
}
