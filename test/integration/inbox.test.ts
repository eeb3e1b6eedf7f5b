// The inbox over a real hub (loopback, port 0) and real clients: another organization comments on
// my entry and the secretariat opens a vote while I am offline; after my sync my device's inbox
// lists both, with the comment's text and the vote's 48-hour flag, worked out from its own store;
// read markers cleared offline stay cleared when the store is opened again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient } from '../../shared/client/client';
import { computeInbox, markedRead } from '../../shared/inbox/computeInbox';
import type { InboxItem } from '../../shared/inbox/inboxItem';
import { inboxStateOf } from '../../shared/inbox/inboxState';
import { loadInboxInput } from '../../shared/inbox/loadInboxInput';
import { SILENT_AFTER_MS } from '../../shared/matching/networkHealth';
import { proposalMutators } from '../../shared/records/proposal';
import type { StoreStorage } from '../../shared/store/storeStorage';
import { indexedDbStorage, uniqueName } from '../support/clients';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';

const HOUR_MS = 3_600_000;
let hub: TestHub;
let storage: StoreStorage;
const mineName = uniqueName('inbox-a');
let mine: SyncedClient;
let other: SyncedClient;
let secretariat: SyncedClient;

beforeAll(async () => {
  hub = await startTestHub();
  storage = indexedDbStorage();
  secretariat = await syncedClient(hub, await hub.join(hub.secretariatCode));
  mine = await syncedClient(hub, await hub.join(await hub.invite('Fengyu Farmers Cooperative')), { storage, name: mineName });
  other = await syncedClient(hub, await hub.join(await hub.invite('Cangshan Seed Bank')));
});

afterAll(async () => {
  await Promise.all([mine?.close(), other?.close(), secretariat?.close()]);
  await hub?.close();
});

const inboxOf = async (client: SyncedClient['client']) => computeInbox(await loadInboxInput(client, { now: Date.now(), silentAfterMs: SILENT_AFTER_MS }));
const itemsOf = (inbox: Awaited<ReturnType<typeof inboxOf>>): InboxItem[] => [...inbox.votes, ...inbox.groups.flatMap((group) => group.items)];

describe('the inbox after a sync', () => {
  it('lists another organization’s comment on my entry and a vote opened while I was offline, and keeps them read once read', async () => {
    const entryId = await mine.client.create('entry', { kind: 'practice', title: 'Drip lines from bamboo', language: 'en', sharing: 'network', attribution: { holderKind: 'person', holderName: 'Li Wei', consent: 'credit-by-name' } });
    await mine.engine.syncNow();
    // My device starts its inbox now: nothing is new yet.
    expect(await inboxOf(mine.client)).toMatchObject({ votes: [], groups: [], unreadCount: 0 });

    await other.engine.syncNow();
    await waitFor(async () => (await other.client.get(entryId)) !== null, 5_000, 'the entry to reach the other organization');
    await other.client.create('comment', { targetId: entryId, text: 'We split the bamboo lengthwise: it clogs less.', authorName: 'Cangshan Seed Bank' });
    await other.engine.syncNow();
    expect(await other.engine.quarantined()).toEqual([]);
    const now = Date.now();
    const proposalId = await secretariat.client.create('proposal', {
      title: 'Pool the seed fund',
      options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }],
      method: 'single',
      opensAt: now - 60_000,
      closesAt: now + 24 * HOUR_MS,
    });
    await secretariat.client.mutate(proposalId, proposalMutators.setState, 'open');
    await secretariat.engine.syncNow();
    expect(await secretariat.engine.quarantined()).toEqual([]);

    // Nothing has reached my device yet: the inbox is computed from its own store.
    expect((await inboxOf(mine.client)).unreadCount).toBe(0);
    await mine.engine.syncNow();
    const inbox = await inboxOf(mine.client);
    expect(inbox.votes).toEqual([expect.objectContaining({ kind: 'vote-open', subject: expect.objectContaining({ id: proposalId, title: 'Pool the seed fund' }), isClosingSoon: true })]);
    expect(inbox.closingSoon.map((vote) => vote.subject.id)).toEqual([proposalId]);
    expect(inbox.groups).toEqual([
      {
        subject: { type: 'entry', id: entryId, title: 'Drip lines from bamboo' },
        latestAt: expect.any(Number),
        items: [expect.objectContaining({ kind: 'comment', text: 'We split the bamboo lengthwise: it clogs less.', authorName: 'Cangshan Seed Bank', byOrgId: other.join.org.id })],
      },
    ]);
    expect(inbox.unreadCount).toBe(2);

    // Read offline, then the store is closed and opened again: still read, and nothing shown twice.
    await mine.engine.stop();
    const state = inboxStateOf(mine.client);
    await state.setMarkers(markedRead(await state.markers(Date.now()), itemsOf(inbox), inbox.liveKeys));
    expect(await inboxOf(mine.client)).toMatchObject({ votes: [], groups: [], unreadCount: 0 });
    await mine.client.close();
    const reopened = await openClient({ storage, name: mineName, identity: mine.client.identity });
    try {
      const after = await inboxOf(reopened);
      expect(after).toMatchObject({ votes: [], groups: [], unreadCount: 0 });
      // The 48-hour reminder stays on while the vote is not cast, read or not.
      expect(after.closingSoon.map((vote) => vote.subject.id)).toEqual([proposalId]);
    } finally {
      await reopened.close();
    }
  });
});
