import type { EntryProjection } from '../records/entry';
import type { InboxRecord } from './inboxInput';

/**
 * When each entry of another organization reached this device while its topic was followed, by
 * this device's clock; 0 for one that came while its topic was not followed (or before the device
 * kept arrivals). "New in a topic you follow" is about arrival, not creation: an entry written long
 * ago and shared today (or carried in on a stick today) reaches the device today, and its
 * `createdAt` would have it count as read since before the inbox began.
 */
export type EntryArrivals = Readonly<Record<string, number>>;

/**
 * The arrivals after this device looked at its entries `now`: every entry already known keeps its
 * stamp, a newcomer is stamped `now` if its topic is followed (0 otherwise), and entries no longer
 * held are dropped. With no arrivals kept yet (`previous` null: the first look, or a device from
 * before arrivals were kept), the entries already held are stamped with their creation time, as the
 * inbox timed them before. Returns `previous` itself when nothing changed, so callers write only then.
 */
export function entryArrivals(previous: EntryArrivals | null, entries: readonly InboxRecord<EntryProjection>[], myOrgId: string, followedTopics: readonly string[], now: number): EntryArrivals {
  const followed = new Set(followedTopics);
  const next: Record<string, number> = {};
  let isChanged = previous === null;
  for (const { header, projection } of entries) {
    if (header.ownerOrg === myOrgId) continue;
    const known = previous?.[header.id];
    if (known !== undefined) {
      next[header.id] = known;
      continue;
    }
    isChanged = true;
    next[header.id] = !followed.has(projection.topic) ? 0 : previous === null ? Math.min(header.createdAt, now) : now;
  }
  if (!isChanged && Object.keys(next).length === Object.keys(previous!).length) return previous!;
  return next;
}
