import { formatRegion } from '../records/region';

/*
 * Network health, pure and deterministic: per organization, its contributions per calendar month
 * (UTC), its participation in decisions, and whether it has gone silent; and the challenges
 * reported from the field, counted by topic and region. The screen passes in what the store holds
 * and the hub's last-sync times; nothing here reads a clock.
 */

export interface HealthRecord {
  readonly type: string;
  readonly ownerOrg: string;
  readonly createdAt: number;
}

export interface OrgActivity {
  readonly orgId: string;
  /** 'YYYY-MM' -> records created that month, for each of the months asked for (zero included). */
  readonly perMonth: readonly { readonly month: string; readonly count: number }[];
  /** Records created in those months. */
  readonly total: number;
  /** Proposals this organization cast a ballot on, of all proposals in the store. */
  readonly decisionsJoined: number;
  readonly decisionsTotal: number;
  /** Silent: not heard from by the hub within `silentAfterMs` (or never) and nothing contributed in that time. */
  readonly isSilent: boolean;
}

/** An organization not heard from, with nothing contributed, for this long is silent (30 days). */
export const SILENT_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

export interface HealthOptions {
  readonly now: number;
  /** How many calendar months back, the current one included. */
  readonly months: number;
  readonly silentAfterMs: number;
}

/** Record types that count as a contribution: what an organization writes for the network. */
export const contributionTypes: readonly string[] = ['entry', 'comment', 'proposal', 'ballot', 'interest'];

export function monthKey(at: number): string {
  const date = new Date(at);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The last `count` month keys, oldest first, ending with the month of `now`. */
export function lastMonths(now: number, count: number): string[] {
  const date = new Date(now);
  const keys: string[] = [];
  for (let i = count - 1; i >= 0; i--) keys.push(monthKey(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - i, 1)));
  return keys;
}

export function orgActivity(
  orgIds: readonly string[],
  records: readonly HealthRecord[],
  ballots: readonly { readonly ownerOrg: string; readonly proposalId: string }[],
  proposalCount: number,
  lastSeenAt: ReadonlyMap<string, number | null>,
  options: HealthOptions,
): OrgActivity[] {
  const months = lastMonths(options.now, options.months);
  const counts = new Map<string, Map<string, number>>();
  const lastContribution = new Map<string, number>();
  for (const record of records) {
    if (!contributionTypes.includes(record.type)) continue;
    lastContribution.set(record.ownerOrg, Math.max(lastContribution.get(record.ownerOrg) ?? 0, record.createdAt));
    const month = monthKey(record.createdAt);
    const perOrg = counts.get(record.ownerOrg) ?? new Map<string, number>();
    perOrg.set(month, (perOrg.get(month) ?? 0) + 1);
    counts.set(record.ownerOrg, perOrg);
  }
  const joined = new Map<string, Set<string>>();
  for (const ballot of ballots) {
    const set = joined.get(ballot.ownerOrg) ?? new Set<string>();
    set.add(ballot.proposalId);
    joined.set(ballot.ownerOrg, set);
  }
  const since = options.now - options.silentAfterMs;
  return orgIds.map((orgId) => {
    const perMonth = months.map((month) => ({ month, count: counts.get(orgId)?.get(month) ?? 0 }));
    const seen = lastSeenAt.get(orgId) ?? null;
    const isHeardFrom = seen !== null && seen >= since;
    const hasContributed = (lastContribution.get(orgId) ?? -1) >= since;
    return {
      orgId,
      perMonth,
      total: perMonth.reduce((sum, m) => sum + m.count, 0),
      decisionsJoined: joined.get(orgId)?.size ?? 0,
      decisionsTotal: proposalCount,
      isSilent: !isHeardFrom && !hasContributed,
    };
  });
}

export interface ChallengeInput {
  readonly topic: string;
  readonly tags: readonly string[];
  readonly region: readonly string[];
}

export interface ChallengeCount {
  readonly topic: string;
  /** The region cut to `regionLevels` levels, joined with ' / '; '' when unknown. */
  readonly region: string;
  readonly count: number;
}

/**
 * Challenges counted by (topic, region). The topic is the entry's own, else its first tag (in the
 * set's sorted order), else ''. Most first; ties by topic, then region, in code-unit order.
 */
export function challengeCounts(challenges: readonly ChallengeInput[], regionLevels = 2): ChallengeCount[] {
  const counts = new Map<string, ChallengeCount>();
  for (const challenge of challenges) {
    const topic = challenge.topic.trim() || challenge.tags[0] || '';
    const region = formatRegion(challenge.region.slice(0, regionLevels));
    const key = JSON.stringify([topic, region]);
    const current = counts.get(key);
    counts.set(key, { topic, region, count: (current?.count ?? 0) + 1 });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...counts.values()].sort((a, b) => b.count - a.count || cmp(a.topic, b.topic) || cmp(a.region, b.region));
}

/** Totals per topic (for the chart), in the same order rules as `challengeCounts`. */
export function challengesByTopic(counts: readonly ChallengeCount[]): { topic: string; count: number }[] {
  const totals = new Map<string, number>();
  for (const c of counts) totals.set(c.topic, (totals.get(c.topic) ?? 0) + c.count);
  return [...totals].map(([topic, count]) => ({ topic, count })).sort((a, b) => b.count - a.count || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
}
