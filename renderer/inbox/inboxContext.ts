import { createContext, useContext } from 'react';
import type { Inbox, InboxItem } from '../../shared/inbox/inboxItem';

/*
 * The one inbox of the signed-in device, computed once (InboxProvider) and read by the navigation
 * count, the sync bar's reminder and the inbox screen, so the three never disagree.
 */

export interface InboxContextValue {
  /** Null until the first computation. */
  readonly inbox: Inbox | null;
  readonly followedTopics: readonly string[];
  /** Marks these items read, on this device, offline; they are not shown again. */
  readonly markRead: (items: readonly Pick<InboxItem, 'key' | 'at'>[]) => Promise<void>;
  readonly setFollowedTopics: (topics: readonly string[]) => Promise<void>;
}

export const InboxContext = createContext<InboxContextValue | null>(null);

export function useInbox(): InboxContextValue {
  const value = useContext(InboxContext);
  if (!value) throw new Error('useInbox outside an InboxProvider');
  return value;
}
