import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, entryMutators } from '../../shared/records/entry';
import type { JoinResponse } from '../../shared/sync/protocol';
import { changeUpdate, createUpdate, editContext, pull, push } from '../support/hubRequests';
import { startTestHub, type TestHub } from '../support/hub';

/*
 * Compaction trims a record's update log without ever dropping an acknowledged update: a reader
 * whose checkpoint predates the compaction gets the whole state, a newer one still gets a delta,
 * and both end with the hub's projection.
 */

describe('compaction', () => {
  let hub: TestHub;
  let member: JoinResponse;
  let reader: JoinResponse;

  beforeAll(async () => {
    hub = await startTestHub();
    member = await hub.join(await hub.invite('Writer Org'));
    reader = await hub.join(await hub.invite('Reader Org'));
  });
  afterAll(() => hub.close());

  it('folds the log into the state and serves old checkpoints the whole state', async () => {
    const ctx = editContext(member.org.id, 'member');
    const id = 'entry-compacted';
    let state = createUpdate('entry', { kind: 'lesson', title: 'v0', language: 'en', attribution: { holderKind: 'person', holderName: 'Ma', consent: 'credit-by-name' }, sharing: 'network' }, ctx);
    expect((await push(hub.url, member.token, [{ id, type: 'entry', update: state }])).status).toBe(200);
    const early = await pull(hub.url, reader.token, 0);
    const earlyCheckpoint = early.checkpoint;
    for (let i = 1; i <= 120; i++) {
      const update = changeUpdate(state, (doc) => entryMutators.setFields.apply(doc, { title: `v${i}`, summary: `summary ${i}` }, { ...ctx, now: ctx.now + i }));
      expect((await push(hub.url, member.token, [{ id, type: 'entry', update }])).status).toBe(200);
      state = Y.mergeUpdates([state, update]);
    }
    const before = await hub.storage.getRecord(id);

    expect(await hub.hub.compact({ minUpdates: 100 })).toBe(1);
    const after = await hub.storage.getRecord(id);
    expect(after?.compactedSeq).toBe(before?.seq);
    expect(after?.projection).toEqual(before?.projection);
    expect((await hub.storage.updatesSince([id], 0)).get(id)).toEqual([]);

    // An old checkpoint: the whole state, which holds every acknowledged update.
    const old = await pull(hub.url, reader.token, earlyCheckpoint);
    const oldCopy = old.records.find((r) => r.meta.id === id)!;
    expect(oldCopy.isFullState).toBe(true);
    const replica = new Y.Doc();
    for (const r of early.records.filter((r) => r.meta.id === id)) Y.applyUpdate(replica, r.update);
    Y.applyUpdate(replica, oldCopy.update);
    expect(entry.read(replica)).toMatchObject({ title: 'v120', summary: 'summary 120' });

    // A change after compaction reaches a reader at the newer checkpoint as a delta again.
    const update = changeUpdate(state, (doc) => entryMutators.setFields.apply(doc, { title: 'after compaction' }, { ...ctx, now: ctx.now + 500 }));
    expect((await push(hub.url, member.token, [{ id, type: 'entry', update }])).status).toBe(200);
    const fresh = await pull(hub.url, reader.token, (await hub.storage.getRecord(id))!.compactedSeq);
    const delta = fresh.records.find((r) => r.meta.id === id)!;
    expect(delta.isFullState).toBe(false);
    expect(delta.update.length).toBeLessThan(oldCopy.update.length);
    Y.applyUpdate(replica, delta.update);
    expect(entry.read(replica).title).toBe('after compaction');
  }, 60_000);
});
