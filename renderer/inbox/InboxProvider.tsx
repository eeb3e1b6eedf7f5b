import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { audit, merge, timer as after } from 'rxjs';
import { computeInbox, markedRead } from '../../shared/inbox/computeInbox';
import type { InboxInput } from '../../shared/inbox/inboxInput';
import type { Inbox, VoteItem } from '../../shared/inbox/inboxItem';
import { inboxStateOf } from '../../shared/inbox/inboxState';
import { InboxRecords } from '../../shared/inbox/inboxRecords';
import { loadInboxInput } from '../../shared/inbox/loadInboxInput';
import { SILENT_AFTER_MS } from '../../shared/matching/networkHealth';
import { syncStateOf } from '../../shared/sync/syncState';
import { useObservable } from '../app/useObservable';
import { useSession } from '../session/SessionContext';
import { InboxContext, type InboxContextValue } from './inboxContext';
import { watchRevocations } from './revocationWatch';
import { timeLeftText } from './timeLeftText';

/**
 * The time left on a vote moves on even when nothing syncs: the inbox is worked out again this
 * often from the input last read (the store is read again only when something in it changes).
 */
const REFRESH_MS = 60_000;
/** Many records land in one pull page: one computation after the burst, not one per record. */
const SETTLE_MS = 200;
/**
 * While records keep arriving (an initial sync of 10,000), the inbox waits this many times as long
 * as its last computation took (it reads every entry), so it takes at most about a tenth of the
 * window's thread however large the store grows (issue 17).
 */
const SETTLE_COST_FACTOR = 10;

/**
 * Computes the device's inbox from its own store whenever a record changes (a sync, a bundle
 * import, a local edit), the read markers, followed topics or the secretariat's revocations change,
 * or the hub's last network status is stored; and raises one system notification per vote that comes within 48 hours of
 * closing uncast.
 */
export function InboxProvider({ children }: { children: ReactNode }) {
  const { session, platform } = useSession();
  const { t } = useTranslation();
  const { client } = session;
  const state = useMemo(() => inboxStateOf(client), [client]);
  const [inbox, setInbox] = useState<Inbox | null>(null);
  const followedTopics = useObservable(() => state.observeFollowedTopics(), [state], [] as string[]);
  const latest = useRef<Inbox | null>(null);
  const writes = useRef<Promise<void>>(Promise.resolve());

  useEffect(() => {
    let isLive = true;
    let isRunning = false;
    let isWanted = false;
    let lastInput: InboxInput | null = null;
    let lastCostMs = 0;
    // Listed once; each wake reads again only the records written since.
    const records = new InboxRecords(client);
    const show = (input: InboxInput) => {
      const next = computeInbox(input);
      latest.current = next;
      setInbox(next);
    };
    const recompute = async (): Promise<void> => {
      if (isRunning) {
        isWanted = true;
        return;
      }
      isRunning = true;
      try {
        do {
          isWanted = false;
          const startedAt = performance.now();
          const input = await loadInboxInput(client, { now: platform.clock.now(), silentAfterMs: SILENT_AFTER_MS }, records);
          if (!isLive) return;
          lastInput = input;
          show(input);
          lastCostMs = performance.now() - startedAt;
        } while (isWanted && isLive);
      } catch {
        // The store is closing (signing out): the last inbox stays until the screen goes.
      } finally {
        isRunning = false;
      }
    };
    const changes = merge(client.observeRecordChanges(), state.observeMarkers(), state.observeFollowedTopics(), state.observeRevocations(), syncStateOf(client).observeNetworkStatus())
      .pipe(audit(() => after(Math.max(SETTLE_MS, lastCostMs * SETTLE_COST_FACTOR))))
      .subscribe({ next: () => void recompute(), error: () => undefined });
    const timer = window.setInterval(() => {
      if (lastInput && !isRunning) show({ ...lastInput, now: platform.clock.now() });
    }, REFRESH_MS);
    void recompute();
    return () => {
      isLive = false;
      changes.unsubscribe();
      records.close();
      window.clearInterval(timer);
    };
  }, [client, state, platform]);

  // Revocations are no records: the secretariat's device asks the hub for them after every sync.
  const isSecretariat = session.profile.identity.role === 'secretariat';
  useEffect(() => (isSecretariat ? watchRevocations(session, state, () => platform.clock.now()) : undefined), [session, state, platform, isSecretariat]);

  // One notification per vote reminder, ever, on this device (kept in the store's meta).
  const closingSoonKeys = inbox?.closingSoon.map((vote) => vote.key).join('\n') ?? '';
  useEffect(() => {
    const soon = latest.current?.closingSoon ?? [];
    if (soon.length === 0) return;
    let isLive = true;
    const notifyOf = (vote: VoteItem) => platform.bridge.notify({ title: t('inbox.notifyTitle'), body: t('inbox.notifyBody', { title: vote.subject.title || t('inbox.untitled'), left: timeLeftText(t, vote.timeLeftMs) }) });
    void (async () => {
      const notified = new Set(await state.notifiedKeys());
      const fresh = soon.filter((vote) => !notified.has(vote.key));
      if (!isLive || fresh.length === 0) return;
      await state.setNotifiedKeys([...notified, ...fresh.map((vote) => vote.key)]);
      for (const vote of fresh) await notifyOf(vote).catch(() => false);
    })().catch(() => undefined);
    return () => {
      isLive = false;
    };
  }, [closingSoonKeys, state, platform, t]);

  const value = useMemo<InboxContextValue>(
    () => ({
      inbox,
      followedTopics,
      markRead: (items) => {
        // Serialized: two quick clicks must not each start from the same markers and lose one.
        const run = writes.current.then(async () => {
          const markers = await state.markers(platform.clock.now());
          await state.setMarkers(markedRead(markers, items, latest.current?.liveKeys ?? items.map((item) => item.key)));
        });
        writes.current = run.catch(() => undefined);
        return run;
      },
      setFollowedTopics: (topics) => state.setFollowedTopics(topics),
    }),
    [inbox, followedTopics, state, platform],
  );
  return <InboxContext.Provider value={value}>{children}</InboxContext.Provider>;
}
