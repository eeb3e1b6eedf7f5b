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
import { ballotId, ballotMutators } from '../../shared/records/ballot';
import { entryMutators } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import { proposalMutators } from '../../shared/records/proposal';
import type { StoreStorage } from '../../shared/store/storeStorage';
import { streamCompression } from '../../shared/sync/bundle';
import { hubPublicKeyOf, importHubBundle } from '../../shared/sync/bundleTransfer';
import { syncStateOf } from '../../shared/sync/syncState';
import { exportOrgBundle } from '../../server/hub/bundles';
import { watchRevocations, type RevocationSession } from '../../renderer/inbox/revocationWatch';
import { request } from '../support/hubRequests';
import { indexedDbStorage, uniqueName } from '../support/clients';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, waitFor, type SyncedClient } from '../support/syncedClient';
import { openVoteFrom } from '../support/governance';

const HOUR_MS = 3_600_000;
let hub: TestHub;
let storage: StoreStorage;
const mineName = uniqueName('inbox-a');
let mine: SyncedClient;
let other: SyncedClient;
let secretariat: SyncedClient;
let voter: SyncedClient;

beforeAll(async () => {
  hub = await startTestHub();
  storage = indexedDbStorage();
  secretariat = await syncedClient(hub, await hub.join(hub.secretariatCode));
  mine = await syncedClient(hub, await hub.join(await hub.invite('Fengyu Farmers Cooperative')), { storage, name: mineName });
  other = await syncedClient(hub, await hub.join(await hub.invite('Cangshan Seed Bank')));
  voter = await syncedClient(hub, await hub.join(await hub.invite('Xizhou Water Users')));
});

afterAll(async () => {
  await Promise.all([mine?.close(), other?.close(), secretariat?.close(), voter?.close()]);
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
    await secretariat.engine.syncNow();
    await openVoteFrom(secretariat.client, proposalId);
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

  it('asks me to confirm my ballot once the proposal is revised after I voted, with who changed what', async () => {
    const now = Date.now();
    const voters = [voter.join.org.id, other.join.org.id].sort();
    const proposalId = await secretariat.client.create('proposal', { title: 'Share a truck', options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }], method: 'single', opensAt: now - 60_000, closesAt: now + 5 * 24 * HOUR_MS, eligible: { kind: 'orgs', orgIds: voters } });
    await secretariat.client.mutate(proposalId, proposalMutators.openVote, { reason: 'The harvest is in', eligibleOrgIds: voters });
    await secretariat.engine.syncNow();
    expect(await secretariat.engine.quarantined()).toEqual([]);
    await voter.engine.syncNow();
    await waitFor(async () => (await voter.client.get(proposalId)) !== null, 5_000, 'the proposal to reach my device');
    expect((await inboxOf(voter.client)).votes.map((vote) => vote.subject.id)).toContain(proposalId);
    const ballot = ballotId(proposalId, voter.join.org.id);
    await voter.client.create('ballot', { proposalId });
    await voter.client.mutate(ballot, ballotMutators.castOn, { choice: { method: 'single', optionId: 'yes' }, reason: '', proposalVersion: 1 });
    await voter.engine.syncNow();
    expect(await voter.engine.quarantined()).toEqual([]);
    expect(itemsOf(await inboxOf(voter.client)).filter((item) => item.subject.id === proposalId)).toEqual([]);

    await secretariat.client.mutate(proposalId, proposalMutators.revise, { terms: { title: 'Share two trucks' }, note: 'Two villages asked to join' });
    await secretariat.engine.syncNow();
    expect(await secretariat.engine.quarantined()).toEqual([]);
    await voter.engine.syncNow();
    await waitFor(async () => (await voter.client.get<'proposal'>(proposalId))?.projection.version === 2, 5_000, 'the revision to reach my device');
    expect(itemsOf(await inboxOf(voter.client)).filter((item) => item.subject.id === proposalId)).toEqual([
      expect.objectContaining({ kind: 'ballot-confirm', key: `confirm:${proposalId}:2`, castOnVersion: 1, version: 2, subject: expect.objectContaining({ title: 'Share two trucks' }), changes: [expect.objectContaining({ orgId: secretariat.join.org.id, fields: ['title'], note: 'Two villages asked to join' })] }),
    ]);
  });

  it('brings an entry submitted for review to the secretariat’s inbox', async () => {
    // The secretariat's device keeps its inbox from now: the submission below is news.
    await inboxOf(secretariat.client);
    const entryId = await other.client.create('entry', { kind: 'practice', title: 'Seed saving calendar', language: 'en', sharing: 'network', attribution: { holderKind: 'person', holderName: 'Zhao Min', consent: 'credit-by-name' } });
    await other.client.mutate(entryId, entryReviewMutators.submitForReview, 'Ready for a look');
    await other.engine.syncNow();
    expect(await other.engine.quarantined()).toEqual([]);
    await secretariat.engine.syncNow();
    await waitFor(async () => (await secretariat.client.get(entryId)) !== null, 5_000, 'the entry to reach the secretariat');
    expect(itemsOf(await inboxOf(secretariat.client)).filter((item) => item.subject.id === entryId)).toEqual([
      expect.objectContaining({ kind: 'review-request', byOrgId: other.join.org.id, note: 'Ready for a look', subject: { type: 'entry', id: entryId, title: 'Seed saving calendar' } }),
    ]);
  });

  it('brings an entry shared today in a followed topic, though it was written before my inbox began', async () => {
    const followed = await syncedClient(hub, await hub.join(await hub.invite('Shaxi Terraces')));
    try {
      // Written by the other organization as a private draft: the hub keeps it from everyone else.
      const entryId = await other.client.create('entry', { kind: 'practice', title: 'Rain tanks of fired clay', language: 'en', topic: 'water', sharing: 'private', attribution: { holderKind: 'person', holderName: 'He Lan', consent: 'credit-by-name' } });
      await other.engine.syncNow();
      expect(await other.engine.quarantined()).toEqual([]);
      const state = inboxStateOf(followed.client);
      await state.setFollowedTopics(['water']);
      await followed.engine.syncNow();
      // Votes opened by the tests above wait for it too; nothing else is new.
      expect((await inboxOf(followed.client)).groups).toEqual([]);

      await other.client.mutate(entryId, entryMutators.setSharing, 'network');
      await other.engine.syncNow();
      expect(await other.engine.quarantined()).toEqual([]);
      await followed.engine.syncNow();
      await waitFor(async () => (await followed.client.get(entryId)) !== null, 5_000, 'the shared entry to reach the follower');
      const entry = await followed.client.get(entryId);
      const markers = await state.markers(Date.now());
      expect(entry!.header.createdAt).toBeLessThan(markers.since);
      const items = itemsOf(await inboxOf(followed.client)).filter((item) => item.subject.id === entryId);
      expect(items).toEqual([expect.objectContaining({ kind: 'followed-entry', key: `followed:${entryId}`, topic: 'water', byOrgId: other.join.org.id })]);
      expect(items[0]!.at).toBeGreaterThanOrEqual(markers.since);
      // Read once, it stays read after the next look.
      const inbox = await inboxOf(followed.client);
      await state.setMarkers(markedRead(markers, itemsOf(inbox), inbox.liveKeys));
      expect((await inboxOf(followed.client)).groups).toEqual([]);
    } finally {
      await followed.close();
    }
  });

  it('lists what a hub bundle brought, computed from the device’s store after the import', async () => {
    const compression = streamCompression(CompressionStream, DecompressionStream);
    const field = await syncedClient(hub, await hub.join(await hub.invite('Wase Fishing Cooperative')));
    try {
      const entryId = await field.client.create('entry', { kind: 'practice', title: 'Net mending with nylon', language: 'en', sharing: 'network', attribution: { holderKind: 'person', holderName: 'Duan Hua', consent: 'credit-by-name' } });
      await field.engine.syncNow();
      expect(await field.engine.quarantined()).toEqual([]);
      expect((await inboxOf(field.client)).groups).toEqual([]);
      // The field device goes offline for good: what comes next comes on a stick.
      await field.engine.stop();
      await other.engine.syncNow();
      await waitFor(async () => (await other.client.get(entryId)) !== null, 5_000, 'the entry to reach the other organization');
      await other.client.create('comment', { targetId: entryId, text: 'We tie a double knot at the corners.', authorName: 'Cangshan Seed Bank' });
      await other.engine.syncNow();
      expect(await other.engine.quarantined()).toEqual([]);

      const since = await syncStateOf(field.client).checkpoint();
      const { bytes } = await exportOrgBundle(hub.hub, { orgId: field.join.org.id, since, signer: hub.hub.hubKey });
      expect((await inboxOf(field.client)).groups).toEqual([]);
      await importHubBundle(field.client, bytes, { networkId: field.join.networkId, hubPublicKey: await hubPublicKeyOf(field.client), compression });
      const inbox = await inboxOf(field.client);
      expect(inbox.groups).toEqual([
        { subject: { type: 'entry', id: entryId, title: 'Net mending with nylon' }, latestAt: expect.any(Number), items: [expect.objectContaining({ kind: 'comment', text: 'We tie a double knot at the corners.', byOrgId: other.join.org.id })] },
      ]);
    } finally {
      await field.client.close();
    }
  });

  it('brings revoked devices and organizations to the secretariat’s inbox after its next sync', async () => {
    const leaving = await hub.join(await hub.invite('Eryuan Hot Springs Association'));
    const spare = await hub.join(await hub.inviteDevice(other.join.org.id), 'spare laptop');
    const session: RevocationSession = {
      hubRequest: (path, init) => fetch(`${hub.url}${path}`, { method: init.method, headers: { authorization: `Bearer ${secretariat.join.token}`, accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) }),
      get syncState() {
        return { kind: 'engine' as const, status: secretariat.engine.status };
      },
      onDidChangeSync: (listener) => secretariat.engine.onDidChangeStatus((status) => listener({ kind: 'engine', status })),
    };
    const state = inboxStateOf(secretariat.client);
    const stop = watchRevocations(session, state, () => Date.now());
    try {
      await inboxOf(secretariat.client);
      const revoke = (path: string, reason: string) => request(hub.url, path, { method: 'POST', token: secretariat.join.token, body: JSON.stringify({ reason }), headers: { 'content-type': 'application/json' } });
      expect((await revoke(`/v1/admin/devices/${encodeURIComponent(spare.credentialId)}/revoke`, 'left on the bus')).status).toBe(200);
      expect((await revoke(`/v1/admin/orgs/${encodeURIComponent(leaving.org.id)}/revoke`, 'left the network')).status).toBe(200);
      // Nothing about revocations comes by sync: the inbox learns them from the hub after the sync.
      expect(itemsOf(await inboxOf(secretariat.client)).filter((item) => item.kind === 'device-revoked' || item.kind === 'org-revoked')).toEqual([]);
      await secretariat.engine.syncNow();
      await waitFor(async () => (await state.revocations()).orgs.some((org) => org.orgId === leaving.org.id), 5_000, 'the revocations to be fetched after the sync');
      const items = itemsOf(await inboxOf(secretariat.client)).filter((item) => item.kind === 'device-revoked' || item.kind === 'org-revoked');
      expect(items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'org-revoked', orgId: leaving.org.id, reason: 'left the network', subject: expect.objectContaining({ title: 'Eryuan Hot Springs Association' }) }),
          expect.objectContaining({ kind: 'device-revoked', orgId: other.join.org.id, deviceName: 'spare laptop', reason: 'left on the bus' }),
        ]),
      );
      // The organization's own device was revoked with it: told once, as the organization.
      expect(items).toHaveLength(2);
    } finally {
      stop();
    }
  });
});
