import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import { interestId } from '../../shared/records/interest';
import { errorBodySchema, networkStatusResponseSchema, type NetworkStatusResponse } from '../../shared/sync/protocol';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, pull, push, request } from '../support/hubRequests';
import { syncStateOf } from '../../shared/sync/syncState';
import type { SyncTransport } from '../../shared/sync/transport';
import { memoryStorage, uniqueName } from '../support/clients';
import { syncedClient, waitFor } from '../support/syncedClient';

/*
 * GET /v1/network-status over real HTTP: who sees what, the count of changes waiting at the hub
 * for each organization, refusals of bad credentials, and the client keeping the last answer for
 * offline use.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
let hub: TestHub;
let secretariat: JoinResponse;
let memberA: JoinResponse;
let memberB: JoinResponse;
let observer: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  secretariat = await hub.join(hub.secretariatCode);
  memberA = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  memberB = await hub.join(await hub.invite('Cangshan Seed Bank'));
  observer = await hub.join(await hub.invite('Provincial Water Bureau', 'observer'));
});

afterAll(async () => {
  await hub?.close();
});

async function status(token: string): Promise<NetworkStatusResponse> {
  const answer = await request(hub.url, '/v1/network-status', { token });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  return networkStatusResponseSchema.parse(answer.body);
}

const waitingOf = (answer: NetworkStatusResponse, orgId: string) => answer.orgs.find((o) => o.orgId === orgId)?.waitingChanges;

async function publishOffer(n: number): Promise<string> {
  const id = `offer-status-${n}`;
  const update = createUpdate(
    'offer',
    { title: `Training ${n}`, kind: 'training', places: 5, opensAt: 1_000, closesAt: 1_000 + 30 * DAY_MS },
    editContext(secretariat.org.id, 'secretariat'),
  );
  const answer = await push(hub.url, secretariat.token, [{ id, type: 'offer', update }]);
  expect(answer.status).toBe(200);
  return id;
}

describe('GET /v1/network-status', () => {
  it('gives the secretariat every organization, with the records each may read changed since its last complete pull', async () => {
    // B has never pulled: everything it may read is waiting, exactly what a pull from 0 brings.
    const before = await status(secretariat.token);
    const everythingForB = await pull(hub.url, memberB.token, 0);
    expect(waitingOf(before, memberB.org.id)).toBe(everythingForB.records.length);
    expect(everythingForB.records.length).toBeGreaterThan(0);
    expect(waitingOf(await status(secretariat.token), memberB.org.id)).toBe(0);

    // A pulls everything: nothing waits for it.
    await pull(hub.url, memberA.token, 0);
    expect(waitingOf(await status(secretariat.token), memberA.org.id)).toBe(0);

    // Two offers (readable by all): two changes wait for A and for B.
    await publishOffer(1);
    await publishOffer(2);
    let now = await status(secretariat.token);
    expect(waitingOf(now, memberA.org.id)).toBe(2);
    expect(waitingOf(now, memberB.org.id)).toBe(2);

    // A's interest is readable by A and the secretariat only: it waits for A, not for B.
    const interest = interestId('offer-status-1', memberA.org.id);
    const update = createUpdate('interest', { offerId: 'offer-status-1', message: 'Two of us can come.' }, editContext(memberA.org.id, 'member'));
    expect((await push(hub.url, memberA.token, [{ id: interest, type: 'interest', update }])).status).toBe(200);
    now = await status(secretariat.token);
    expect(waitingOf(now, memberA.org.id)).toBe(3);
    expect(waitingOf(now, memberB.org.id)).toBe(2);

    // A pull from its checkpoint clears A; B's count is untouched.
    const checkpoint = (await pull(hub.url, memberA.token, 0)).checkpoint;
    expect(checkpoint).toBe(await hub.storage.lastSeq());
    now = await status(secretariat.token);
    expect(waitingOf(now, memberA.org.id)).toBe(0);
    expect(waitingOf(now, memberB.org.id)).toBe(2);

    expect(now.orgs.map((o) => o.orgId).sort()).toEqual([secretariat.org.id, memberA.org.id, memberB.org.id, observer.org.id].sort());
    for (const org of now.orgs) expect(org.asOf).toBe(now.asOf);
    // Joining and every authenticated request mark the organization as seen.
    expect(now.orgs.find((o) => o.orgId === memberA.org.id)?.lastSeenAt).toBeGreaterThan(0);
  });

  it('counts an organization as far as its most advanced device', async () => {
    const second = await hub.join(await hub.inviteDevice(memberB.org.id), 'second laptop');
    await publishOffer(3);
    await pull(hub.url, second.token, 0);
    expect(waitingOf(await status(secretariat.token), memberB.org.id)).toBe(0);
  });

  it('gives members and observers last-seen times only, never the counts', async () => {
    for (const who of [memberA, observer]) {
      const answer = await status(who.token);
      expect(answer.orgs).toHaveLength(4);
      for (const org of answer.orgs) expect(org.waitingChanges).toBeNull();
      expect(answer.orgs.find((o) => o.orgId === memberA.org.id)?.lastSeenAt).toBeGreaterThan(0);
    }
  });

  it('refuses a missing, malformed or revoked token with 401 and a code', async () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'unauthorized'],
      ['not-a-token', 'unauthorized'],
      [`${secretariat.token.slice(0, -4)}AAAA`, 'unauthorized'],
    ];
    for (const [token, code] of cases) {
      const answer = await request(hub.url, '/v1/network-status', token === undefined ? {} : { token });
      expect(answer.status).toBe(401);
      expect(errorBodySchema.parse(answer.body).error.code).toBe(code);
    }
    const doomed = await hub.join(await hub.inviteDevice(memberA.org.id), 'lost laptop');
    await hub.storage.revokeCredentials({ credentialId: doomed.credentialId }, Date.now());
    const revoked = await request(hub.url, '/v1/network-status', { token: doomed.token });
    expect(revoked.status).toBe(401);
    expect(errorBodySchema.parse(revoked.body).error.code).toBe('token-revoked');
    // A POST is not a route.
    expect((await request(hub.url, '/v1/network-status', { method: 'POST', token: secretariat.token })).status).toBe(404);
  });
});

describe('the client keeps the network status for offline use', () => {
  it('refetches at most once per interval after syncs, and at once when asked', async () => {
    const ownHub = await startTestHub();
    const joined = await ownHub.join(ownHub.secretariatCode);
    const synced = await syncedClient(ownHub, joined, { engine: { isLive: false } });
    try {
      await synced.engine.syncNow();
      expect((await syncStateOf(synced.client).orgSyncStatus()).map((o) => o.orgId)).toEqual([joined.org.id]);
      const late = await ownHub.join(await ownHub.invite('Xishan Water Users'));
      // Within the default interval (6 h): the sync does not ask again.
      await synced.engine.syncNow();
      expect((await syncStateOf(synced.client).orgSyncStatus()).map((o) => o.orgId)).toEqual([joined.org.id]);
      expect(await synced.engine.fetchNetworkStatus()).toBe(true);
      expect((await syncStateOf(synced.client).orgSyncStatus()).map((o) => o.orgId).sort()).toEqual([joined.org.id, late.org.id].sort());
    } finally {
      await synced.close();
      await ownHub.close();
    }
  });

  it('does not refetch after a restart within the interval: the last fetch time is kept in the store', async () => {
    const ownHub = await startTestHub();
    const joined = await ownHub.join(ownHub.secretariatCode);
    const name = uniqueName('status-restart');
    const storage = memoryStorage();
    const asked: string[] = [];
    const counting = (transport: SyncTransport): SyncTransport => ({
      ...transport,
      networkStatus: () => {
        asked.push('network-status');
        return transport.networkStatus!();
      },
    });
    try {
      const first = await syncedClient(ownHub, joined, { storage, name, wrapTransport: counting, engine: { isLive: false } });
      await first.engine.syncNow();
      await first.close();
      const second = await syncedClient(ownHub, joined, { storage, name, wrapTransport: counting, engine: { isLive: false } });
      await second.engine.syncNow();
      expect(second.engine.status.state).toBe('synced');
      expect(asked).toEqual(['network-status']);
      expect((await syncStateOf(second.client).orgSyncStatus()).map((o) => o.orgId)).toEqual([joined.org.id]);
      await second.close();
    } finally {
      await ownHub.close();
    }
  });

  it('answers compressed when the client accepts it', async () => {
    const ownHub = await startTestHub();
    const joined = await ownHub.join(ownHub.secretariatCode);
    try {
      for (let i = 0; i < 20; i++) await ownHub.invite(`Organization ${i}`);
      const response = await fetch(`${ownHub.url}/v1/network-status`, { headers: { authorization: `Bearer ${joined.token}`, 'accept-encoding': 'br' } });
      expect(response.headers.get('content-encoding')).toBe('br');
      const body = networkStatusResponseSchema.parse(await response.json());
      expect(body.orgs).toHaveLength(21);
    } finally {
      await ownHub.close();
    }
  });

  it('fetches it after a successful sync and still has it once the hub is gone', async () => {
    const ownHub = await startTestHub();
    const joined = await ownHub.join(ownHub.secretariatCode);
    const member = await ownHub.join(await ownHub.invite('Xishan Water Users'));
    const synced = await syncedClient(ownHub, joined, { engine: { isLive: false, networkStatusIntervalMs: 0 } });
    try {
      expect(await syncStateOf(synced.client).orgSyncStatus()).toEqual([]);
      const observed = firstValueFrom(syncStateOf(synced.client).observeOrgSyncStatus().pipe(filter((orgs) => orgs.length > 0)));
      await synced.engine.syncNow();
      expect(synced.engine.status.state).toBe('synced');
      const orgs = await observed;
      expect(orgs.map((o) => o.orgId).sort()).toEqual([joined.org.id, member.org.id].sort());
      // The member has never pulled: the network record and its own profile at least wait for it.
      expect(orgs.find((o) => o.orgId === member.org.id)?.waitingChanges).toBeGreaterThanOrEqual(2);
      expect(orgs.find((o) => o.orgId === joined.org.id)?.waitingChanges).toBe(0);

      await ownHub.close();
      await synced.engine.syncNow();
      await waitFor(() => synced.engine.status.state !== 'synced', 2_000, 'the sync to fail');
      expect(await syncStateOf(synced.client).orgSyncStatus()).toEqual(orgs);
    } finally {
      await synced.close();
      await ownHub.close().catch(() => undefined);
    }
  });
});
