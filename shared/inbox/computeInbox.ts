import type { InboxInput, InboxMarkers } from './inboxInput';
import type { Inbox, InboxGroup, InboxItem, VoteItem } from './inboxItem';
import { inboxSources, type InboxSource } from './inboxSources';

/*
 * The inbox, "since you were last connected": pure, from the device's own store and its read
 * markers at a given time, so it is the same offline and online, after a sync or a bundle import.
 * An item is unread until its key is marked read; events from before the device kept an inbox
 * (`markers.since`) count as read, except open votes, which wait for a ballot. Nothing is shown
 * twice: every key is one event, and one key appears once.
 */

export function isUnread(item: InboxItem, markers: InboxMarkers): boolean {
  if (Object.hasOwn(markers.read, item.key)) return false;
  return item.kind === 'vote-open' || item.at >= markers.since;
}

const byNewest = (a: InboxItem, b: InboxItem) => b.at - a.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const bySoonest = (a: VoteItem, b: VoteItem) => a.closesAt - b.closesAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export function computeInbox(input: InboxInput, sources: readonly InboxSource[] = inboxSources): Inbox {
  const unique = new Map<string, InboxItem>();
  for (const source of sources) for (const item of source(input)) if (!unique.has(item.key)) unique.set(item.key, item);
  const all = [...unique.values()];
  const unread = all.filter((item) => isUnread(item, input.markers));

  const votes = unread.filter((item): item is VoteItem => item.kind === 'vote-open').sort(bySoonest);
  const grouped = new Map<string, InboxItem[]>();
  for (const item of unread) {
    if (item.kind === 'vote-open') continue;
    const id = `${item.subject.type}:${item.subject.id}`;
    grouped.set(id, [...(grouped.get(id) ?? []), item]);
  }
  const groups: InboxGroup[] = [...grouped.values()]
    .map((items) => {
      const sorted = items.sort(byNewest);
      // The newest item names the subject: a title edited since an older event reads as it is now.
      return { subject: sorted[0]!.subject, latestAt: sorted[0]!.at, items: sorted };
    })
    .sort((a, b) => b.latestAt - a.latestAt || byNewest(a.items[0]!, b.items[0]!));

  const closingSoon = all.filter((item): item is VoteItem => item.kind === 'vote-open' && item.isClosingSoon).sort(bySoonest);
  return { votes, groups, unreadCount: unread.length, closingSoon, liveKeys: all.map((item) => item.key) };
}

/**
 * The markers after reading `keys` (the items as they were shown, with their `at`). Markers of
 * items that no longer exist (a vote that closed) are dropped, so the markers stay as small as
 * the inbox itself.
 */
export function markedRead(markers: InboxMarkers, read: readonly Pick<InboxItem, 'key' | 'at'>[], liveKeys: readonly string[]): InboxMarkers {
  const live = new Set(liveKeys);
  const next: Record<string, number> = {};
  for (const [key, at] of Object.entries(markers.read)) if (live.has(key)) next[key] = at;
  for (const item of read) next[item.key] = item.at;
  return { since: markers.since, read: next };
}
