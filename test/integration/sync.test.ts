import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EntryInput } from '../../shared/records/entry';
import { commentMutators } from '../../shared/records/comment';
import { entryMutators } from '../../shared/records/entry';
import { encodePullFrame, PullFrameReader } from '../../shared/sync/protocol';
import { SyncEngine, type SyncStatus } from '../../shared/sync/syncEngine';
import { syncStateOf } from '../../shared/sync/syncState';
import type { Clock, SyncTransport } from '../../shared/sync/transport';
import { indexedDbStorage, uniqueName } from '../support/clients';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient, waitFor, type SyncedClient, type SyncedClientOptions } from '../support/syncedClient';

const practice: EntryInput = {
  kind: 'practice',
  title: 'Drip irrigation from recycled bottles',
  body: 'Fill the bottles every third day.',
  tags: ['water'],
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

let hub: TestHub;
const open: SyncedClient[] = [];

beforeEach(async () => {
  hub = await startTestHub();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((synced) => synced.close()));
  await hub.close();
});

async function member(orgName: string, options: SyncedClientOptions & { role?: 'member' | 'steward' } = {}): Promise<SyncedClient> {
  const synced = await syncedClient(hub, await hub.join(await hub.invite(orgName, options.role ?? 'member')), options);
  open.push(synced);
  return synced;
}

async function secretariat(options: SyncedClientOptions = {}): Promise<SyncedClient> {
  const synced = await syncedClient(hub, await hub.join(hub.secretariatCode), options);
  open.push(synced);
  return synced;
}

async function checkpointOf(synced: SyncedClient): Promise<number> {
  return syncStateOf(synced.client).checkpoint();
}

describe('sync engine against a real hub', () => {
  it('syncs entries both ways between two organizations and the secretariat', async () => {
    const a = await member('Xishan Water Users');
    const b = await member('Eryuan Seed Bank', { role: 'steward' });
    const sec = await secretariat();

    const fromA = await a.client.create('entry', practice);
    const fromB = await b.client.create('entry', { ...practice, title: 'Seed fair in March' });
    await Promise.all([a.engine.syncNow(), b.engine.syncNow()]);
    await Promise.all([a.engine.syncNow(), b.engine.syncNow(), sec.engine.syncNow()]);

    expect((await b.client.get<'entry'>(fromA))?.projection.title).toBe(practice.title);
    expect((await a.client.get<'entry'>(fromB))?.projection.title).toBe('Seed fair in March');
    expect((await sec.client.get<'entry'>(fromA))?.header.ownerOrg).toBe(a.join.org.id);

    // The secretariat's review travels back to the author.
    await sec.client.mutate(fromA, entryMutators.addReviewNote, 'Please add the cost per household.');
    await sec.engine.syncNow();
    await a.engine.syncNow();
    const reviewed = await a.client.get<'entry'>(fromA);
    expect(reviewed?.projection.reviewNotes.map((note) => note.text)).toEqual(['Please add the cost per household.']);
    expect(reviewed?.projection).toEqual((await hub.storage.getRecord(fromA))?.projection);
    for (const synced of [a, b, sec]) {
      expect(synced.engine.status).toMatchObject({ state: 'synced', pendingCount: 0, quarantinedCount: 0 });
    }
  });

  it('deletes copies a reader may no longer read: an entry made private again, a hidden comment', async () => {
    const a = await member('Xishan Water Users');
    const b = await member('Eryuan Seed Bank');
    const sec = await secretariat();
    const entryId = await a.client.create('entry', practice);
    const commentId = await a.client.create('comment', { targetId: entryId, parentId: null, text: 'We tried this in 2019.' });
    await a.engine.syncNow();
    await Promise.all([b.engine.syncNow(), sec.engine.syncNow()]);
    expect(await b.client.get(entryId)).not.toBeNull();
    expect(await b.client.get(commentId)).not.toBeNull();
    expect((await b.client.searchEntries('irrigation')).map((hit) => hit.id)).toEqual([entryId]);

    // Hidden while the entry is shared (under a private draft the secretariat may not read it, so may not hide it).
    await sec.client.mutate(commentId, commentMutators.hide, 'Names a person without consent');
    await sec.engine.syncNow();
    await a.client.mutate(entryId, entryMutators.setSharing, 'private');
    await a.engine.syncNow();
    await b.engine.syncNow();

    expect(await b.client.get(entryId)).toBeNull();
    expect(await b.client.get(commentId)).toBeNull();
    expect(await b.client.searchEntries('irrigation')).toEqual([]);
    await a.engine.syncNow();
    // The owner keeps both; the secretariat, like everyone else, loses the private draft and with it
    // the comment under it (a comment is as private as its target).
    expect((await a.client.get<'entry'>(entryId))?.projection.sharing).toBe('private');
    expect((await a.client.get<'comment'>(commentId))?.projection.hidden?.reason).toBe('Names a person without consent');
    await sec.engine.syncNow();
    expect(await sec.client.get(entryId)).toBeNull();
    expect(await sec.client.get(commentId)).toBeNull();

    // Shared again, it comes back whole; a device that joins later is never told about withdrawals.
    await a.client.mutate(entryId, entryMutators.setSharing, 'network');
    await a.engine.syncNow();
    await b.engine.syncNow();
    expect((await b.client.get<'entry'>(entryId))?.projection.title).toBe(practice.title);
    await sec.engine.syncNow();
    expect((await sec.client.get<'comment'>(commentId))?.projection.hidden).not.toBeNull();
    const late = await member('Dali Herders');
    await late.engine.syncNow();
    expect(await late.client.get(commentId)).toBeNull();
    expect(await late.client.get(entryId)).not.toBeNull();
  });

  it('round-trips the withdrawn list of a pull page, and reads pages without one', () => {
    const reader = new PullFrameReader();
    const frames = reader.push(
      new Uint8Array([
        ...encodePullFrame({ kind: 'page', records: [], checkpoint: 7, isLast: false, withdrawn: ['entry-1', 'comment-2'] }),
        ...encodePullFrame({ kind: 'page', records: [], checkpoint: 9, isLast: true }),
      ]),
    );
    expect(frames).toEqual([
      { kind: 'page', records: [], checkpoint: 7, isLast: false, withdrawn: ['entry-1', 'comment-2'] },
      { kind: 'page', records: [], checkpoint: 9, isLast: true },
    ]);
  });

  it('pushes gzipped bodies when given a compressor', async () => {
    const a = await member('Xishan Water Users', { isGzipped: true });
    const id = await a.client.create('entry', practice);
    await a.engine.syncNow();
    expect(a.engine.status.state).toBe('synced');
    expect((await hub.storage.getRecord(id))?.projection.title).toBe(practice.title);
  });

  it('retrying a push whose acknowledgement was lost changes nothing on the hub', async () => {
    let dropNext = true;
    const a = await member('Xishan Water Users', {
      wrapTransport: (inner) => ({
        ...inner,
        async push(body) {
          const result = await inner.push(body);
          if (!dropNext) return result;
          dropNext = false;
          // The hub committed; the answer never arrives.
          return { ok: false, failure: { kind: 'network', message: 'connection reset after commit' } };
        },
      }),
    });
    const id = await a.client.create('entry', practice);
    await a.engine.syncNow();
    expect(a.engine.status).toMatchObject({ state: 'offline', pendingCount: 1 });
    const committed = await hub.storage.getRecord(id);
    const lastSeq = await hub.storage.lastSeq();
    expect(committed).not.toBeNull();

    await a.engine.syncNow();
    expect(a.engine.status).toMatchObject({ state: 'synced', pendingCount: 0 });
    expect(await hub.storage.lastSeq()).toBe(lastSeq);
    const after = await hub.storage.getRecord(id);
    expect(after?.seq).toBe(committed!.seq);
    expect(after?.state).toEqual(committed!.state);
    const local = await a.client.get<'entry'>(id);
    expect(local?.projection).toEqual(after?.projection);
    expect(local?.seq).toBe(committed!.seq);
  });

  it('resumes a pull cut off after its first page from the stored checkpoint', async () => {
    const a = await member('Xishan Water Users');
    const ids: string[] = [];
    for (let i = 0; i < 260; i++) ids.push(await a.client.create('entry', { ...practice, title: `Practice ${i}` }));
    await a.engine.syncNow();
    expect(a.engine.status).toMatchObject({ state: 'synced', pendingCount: 0 });

    const pulledSince: number[] = [];
    let cutAfterFirstPage = true;
    const b = await member('Eryuan Seed Bank', {
      wrapTransport: (inner) => ({
        ...inner,
        async pull(since) {
          pulledSince.push(since);
          const started = await inner.pull(since);
          if (!started.ok || !cutAfterFirstPage) return started;
          cutAfterFirstPage = false;
          return {
            ok: true,
            value: (async function* () {
              const reader = new PullFrameReader();
              for await (const chunk of started.value) {
                const [first] = reader.push(chunk);
                if (first) {
                  yield encodePullFrame(first);
                  throw new Error('connection reset mid-stream');
                }
              }
            })(),
          };
        },
      }),
    });

    await b.engine.syncNow();
    expect(b.engine.status.state).toBe('offline');
    const resumeAt = await checkpointOf(b);
    expect(resumeAt).toBeGreaterThan(0);
    const partial = await b.client.list({ type: 'entry' });
    expect(partial.length).toBeGreaterThan(200);
    expect(partial.length).toBeLessThan(ids.length);

    await b.engine.syncNow();
    expect(b.engine.status.state).toBe('synced');
    expect(pulledSince).toEqual([0, resumeAt]);
    expect((await b.client.list({ type: 'entry' })).map((v) => v.header.id).sort()).toEqual([...ids].sort());
    expect(await checkpointOf(b)).toBe(await hub.storage.lastSeq());
  });

  it('reports offline, then connecting, syncing and synced', async () => {
    const a = await member('Xishan Water Users');
    await a.client.create('entry', practice);
    const states: SyncStatus['state'][] = [a.engine.status.state];
    a.engine.onDidChangeStatus((status) => {
      if (states.at(-1) !== status.state) states.push(status.state);
    });
    await a.engine.start();
    await waitFor(() => a.engine.status.state === 'synced' && a.engine.status.isLive, 5_000, 'synced and live');
    expect(states.slice(0, 4)).toEqual(['offline', 'connecting', 'syncing', 'synced']);
    expect(a.engine.status.pendingCount).toBe(0);
  });

  // The engine has no polling timer: A holds B's entry only because the hub announced it on A's
  // live socket. The latency (the goal is about a second) is printed, not asserted: timings are
  // for benchmarks, and this one ran 3.6 s on a machine under a load average of 18.
  it("delivers another organization's change to a live engine, with no sync asked for", async () => {
    const a = await member('Xishan Water Users');
    const b = await member('Eryuan Seed Bank');
    await Promise.all([a.engine.start(), b.engine.start()]);
    await waitFor(() => a.engine.status.isLive && b.engine.status.isLive, 5_000, 'both live');

    // From B's edit to A holding it: B's outbox watch, push, the hub's announcement, A's pull.
    const started = performance.now();
    const id = await b.client.create('entry', practice);
    await waitFor(async () => (await a.client.get(id)) !== null, 15_000, "B's entry at A");
    console.info(`live latency: ${Math.round(performance.now() - started)} ms from B's edit to A's store`);
    expect((await a.client.get(id))?.projection).toMatchObject({ title: practice.title });
  });

  it("quarantines a refused change to another organization's profile and syncs the rest", async () => {
    const a = await member('Xishan Water Users');
    const b = await member('Eryuan Seed Bank');
    await a.engine.syncNow();
    const profileId = b.join.org.id;
    expect((await a.client.get<'org'>(profileId))?.projection.name).toBe('Eryuan Seed Bank');

    // Past the client's own permission check: straight into the shared Y.Doc, as a buggy editor would.
    const doc = await a.client.openDoc(profileId);
    doc.getMap('fields').set('name', 'Taken over');
    await a.client.flush();
    const entryId = await a.client.create('entry', practice);
    expect(await a.client.pendingCount()).toBe(2);

    await a.engine.syncNow();
    expect(a.engine.status).toMatchObject({ state: 'synced', pendingCount: 0, quarantinedCount: 1 });
    const quarantined = await a.engine.quarantined();
    expect(quarantined).toEqual([expect.objectContaining({ recordId: profileId, code: 'forbidden' })]);
    // Kept locally, never deleted: the entry is still in the outbox and the local edit still shows.
    expect((await a.client.pendingUpdates()).map((entry) => entry.id)).toEqual(quarantined.map((entry) => entry.id));
    expect((await a.client.get<'org'>(profileId))?.projection.name).toBe('Taken over');
    expect((await hub.storage.getRecord(profileId))?.projection.name).toBe('Eryuan Seed Bank');
    expect((await hub.storage.getRecord(entryId))?.projection.title).toBe(practice.title);
    expect((await a.engine.log()).some((event) => event.kind === 'quarantine' && event.recordId === profileId)).toBe(true);

    // Another session leaves it out of the push instead of being refused again.
    await a.engine.syncNow();
    expect(a.engine.status).toMatchObject({ state: 'synced', quarantinedCount: 1 });
  });

  it('pushes smaller batches after a proxy refuses one as too large', async () => {
    const sizes: number[] = [];
    const a = await member('Xishan Water Users', {
      wrapTransport: (inner) => ({
        ...inner,
        async push(body) {
          sizes.push(body.records.length);
          if (body.records.length > 2) return { ok: false, failure: { kind: 'http', status: 413, code: null, message: '413 Request Entity Too Large' } };
          return inner.push(body);
        },
      }),
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await a.client.create('entry', { ...practice, title: `Practice ${i}` }));
    await a.engine.syncNow();
    expect(sizes).toEqual([5, 2, 2, 1]);
    expect(a.engine.status).toMatchObject({ state: 'synced', pendingCount: 0, quarantinedCount: 0 });
    for (const id of ids) expect(await hub.storage.getRecord(id)).not.toBeNull();
  });

  it('quarantines a change too large for the hub without uploading it', async () => {
    const pushed: string[] = [];
    const a = await member('Xishan Water Users', {
      wrapTransport: (inner) => ({
        ...inner,
        push(body) {
          pushed.push(...body.records.map((record) => record.id));
          return inner.push(body);
        },
      }),
    });
    const big = await a.client.create('entry', practice);
    await a.engine.syncNow();
    const doc = await a.client.openDoc(big);
    doc.getText('pasted').insert(0, 'x'.repeat(1_200_000));
    await a.client.flush();
    const small = await a.client.create('entry', { ...practice, title: 'Seed fair in March' });

    await a.engine.syncNow();
    expect(pushed).toEqual([big, small]);
    expect(await a.engine.quarantined()).toEqual([expect.objectContaining({ recordId: big, code: 'update-too-large' })]);
    expect(a.engine.status).toMatchObject({ state: 'synced', pendingCount: 0, quarantinedCount: 1 });
  });

  it('stops retrying once the credential is revoked and loses its live socket within 5 s', async () => {
    const a = await member('Xishan Water Users');
    await a.engine.start();
    await waitFor(() => a.engine.status.state === 'synced' && a.engine.status.isLive, 5_000, 'synced and live');
    expect(hub.server.live.size).toBe(1);

    const revokedAt = performance.now();
    await hub.storage.revokeCredentials({ credentialId: a.join.credentialId }, Date.now());
    await waitFor(() => a.engine.status.state === 'error' && hub.server.live.size === 0, 5_000, 'revocation noticed');
    expect(performance.now() - revokedAt).toBeLessThan(5_000);
    expect(a.engine.status).toMatchObject({ state: 'error', code: 'token-revoked', nextRetryAt: null, isLive: false });

    // A local edit does not wake it, and a manual sync hears the same refusal from the hub.
    await a.client.create('entry', practice);
    await a.engine.syncNow();
    expect(a.engine.status).toMatchObject({ state: 'error', code: 'token-revoked', nextRetryAt: null, pendingCount: 1 });
  });

  it('keeps the last 200 sync events across reopening the client', async () => {
    const join = await hub.join(await hub.invite('Xishan Water Users'));
    const name = uniqueName('log');
    const first = await syncedClient(hub, join, { storage: indexedDbStorage(), name });
    open.push(first);
    for (let i = 0; i < 105; i++) {
      await first.client.create('entry', { ...practice, title: `Practice ${i}` });
      await first.engine.syncNow();
    }
    const events = await first.engine.log();
    expect(events).toHaveLength(200);
    expect(events.at(-1)).toMatchObject({ kind: 'pull', records: 1 });
    expect(events.filter((event) => event.kind === 'push')).toHaveLength(100);
    await open.splice(open.indexOf(first), 1)[0]!.close();

    const reopened = await syncedClient(hub, join, { storage: indexedDbStorage(), name });
    open.push(reopened);
    expect(await reopened.engine.log()).toEqual(events);
  });
});

describe('sync engine retries', () => {
  /** A clock whose timers fire only when the test advances it. */
  function manualClock(): Clock & { advance(ms: number): Promise<void>; readonly pending: number } {
    let now = 1_000;
    let nextId = 1;
    const timers = new Map<number, { at: number; callback: () => void }>();
    return {
      now: () => now,
      setTimeout(callback, delayMs) {
        const id = nextId++;
        timers.set(id, { at: now + delayMs, callback });
        return id;
      },
      clearTimeout(handle) {
        timers.delete(handle as number);
      },
      get pending() {
        return timers.size;
      },
      async advance(ms) {
        const until = now + ms;
        for (;;) {
          const due = [...timers].filter(([, timer]) => timer.at <= until).sort((x, y) => x[1].at - y[1].at)[0];
          if (!due) break;
          timers.delete(due[0]);
          now = due[1].at;
          due[1].callback();
          await new Promise((resolve) => setImmediate(resolve));
        }
        now = until;
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
  }

  it('honours Retry-After, probes a link that gave no answer after 1, 2, 4 s (not the backoff), and gives up a stalled request', async () => {
    const synced = await syncedClient(hub, await hub.join(await hub.invite('Xishan Water Users')));
    open.push(synced);
    const answers = ['rate-limited', 'down', 'down', 'stall'];
    const attemptsAt: number[] = [];
    const clock = manualClock();
    const flaky: SyncTransport = {
      ...synced.transport,
      async pull(since) {
        attemptsAt.push(clock.now());
        const answer = answers.shift();
        if (answer === 'rate-limited') return { ok: false, failure: { kind: 'http', status: 429, code: 'rate-limited', message: 'slow down', retryAfterMs: 30_000 } };
        if (answer === 'down') return { ok: false, failure: { kind: 'network', message: 'unreachable' } };
        if (answer === 'stall') return new Promise(() => undefined);
        return synced.transport.pull(since);
      },
    };
    const engine = new SyncEngine(synced.client, flaky, clock, { isLive: false, random: () => 0.999, stallTimeoutMs: 60_000 });
    const nextRetryAt = (at: number) => waitFor(() => 'nextRetryAt' in engine.status && engine.status.nextRetryAt === at, 2_000, `next retry at ${at}`);

    await engine.start();
    expect(engine.status).toMatchObject({ state: 'error', code: 'rate-limited', nextRetryAt: 31_000 });
    await clock.advance(29_999);
    expect(attemptsAt).toEqual([1_000]);
    await clock.advance(1);
    // No answer at all: the link, probed 1 s later (the probe answers, so the session runs again).
    await nextRetryAt(32_000);
    expect(engine.status).toMatchObject({ state: 'offline', cause: 'unreachable' });
    await clock.advance(1_000);
    await nextRetryAt(34_000);
    await clock.advance(2_000);
    await waitFor(() => attemptsAt.length === 4, 2_000, 'the stalled attempt');
    await clock.advance(60_000);
    await nextRetryAt(94_000 + 4_000);
    await clock.advance(4_000);
    await waitFor(() => engine.status.state === 'synced', 5_000, 'synced at last');
    expect(attemptsAt).toEqual([1_000, 31_000, 32_000, 34_000, 98_000]);

    await engine.stop();
    expect(clock.pending).toBe(0);
    const errors = (await engine.log()).flatMap((event) => (event.kind === 'error' ? [event.code] : []));
    // One line per kind of failure in a row, not one per retry.
    expect(errors).toEqual(['rate-limited', null]);
  });
});
