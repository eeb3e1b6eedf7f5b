import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { EntryInput } from '../../shared/records/entry';
import { errorBodySchema, limits, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, pushBody, toBase64 } from '../support/hubRequests';
import { syncedClient, type SyncedClient } from '../support/syncedClient';

/*
 * A body nested very deeply (issue 12): JSON, and a Yjs update whose rich text nests thousands of
 * levels, get a coded 400, never a 500 or a misleading code; a client that holds such a record
 * quarantines it with the reason and pushes the rest, instead of retrying forever.
 */

const practice: EntryInput = {
  kind: 'practice',
  title: 'Seed exchange',
  language: 'en',
  body: 'Notes',
  sharing: 'network',
  attribution: { holderKind: 'community', holderName: 'Upper valley', consent: 'credit-by-name' },
};

let hub: TestHub;
let sender: JoinResponse;
const open: SyncedClient[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  sender = await hub.join(await hub.invite('Deep Roots'));
});

afterAll(async () => {
  await Promise.all(open.splice(0).map((synced) => synced.close()));
  await hub?.close();
});

/** Paragraph in paragraph, `depth` levels, in the entry's body. */
function nestBody(doc: Y.Doc, depth: number): void {
  let parent: Y.XmlFragment | Y.XmlElement = doc.getXmlFragment('body');
  for (let level = 0; level < depth; level++) {
    const child: Y.XmlElement = new Y.XmlElement('paragraph');
    parent.insert(0, [child]);
    parent = child;
  }
}

describe('deeply nested bodies', () => {
  it('refuses deeply nested JSON with 400, not 500', async () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    for (const body of [deep, `{"records":[{"id":"entry-deep-json","type":"entry","update":${deep}}]}`]) {
      const answer = await pushBody(hub.url, sender.token, body);
      expect(answer.status).toBe(400);
      errorBodySchema.parse(answer.body);
    }
  });

  // The write path refuses such an update before applying it (update-too-complex, issue 12 Cost);
  // the 64-level read limit (layout.ts) still guards what a device or hub reads back.
  it('refuses a Yjs update whose rich text nests a thousand levels with 422 update-too-complex naming the record', async () => {
    const id = 'entry-deep-update';
    const update = createUpdate('entry', practice, editContext(sender.org.id, 'member'), (doc) => nestBody(doc, 1_000));
    const answer = await pushBody(hub.url, sender.token, JSON.stringify({ records: [{ id, type: 'entry', update: toBase64(update) }] }));
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'update-too-complex', recordId: id } } });
    expect(await hub.storage.getRecord(id)).toBeNull();
    expect(hub.logs.filter((entry) => entry.level === 'error')).toEqual([]);
  });

  it(`still takes rich text as deep as an update may nest (${limits.maxUpdateNestingDepth} levels)`, async () => {
    const id = 'entry-deep-but-fine';
    // The fragment is one level; its elements the rest.
    const update = createUpdate('entry', practice, editContext(sender.org.id, 'member'), (doc) => nestBody(doc, limits.maxUpdateNestingDepth - 1));
    const answer = await pushBody(hub.url, sender.token, JSON.stringify({ records: [{ id, type: 'entry', update: toBase64(update) }] }));
    expect(answer.status).toBe(200);
  });

  it('quarantines the deeply nested record with the reason and pushes the rest, instead of retrying the batch', async () => {
    const join = await hub.join(await hub.invite('Careless Editors'));
    let deepId = '';
    // The client's own store cannot even read such a record; a broken import's push can still carry one.
    const deepUpdate = toBase64(createUpdate('entry', practice, editContext(join.org.id, 'member'), (doc) => nestBody(doc, 1_000)));
    const batches: number[] = [];
    const synced = await syncedClient(hub, join, {
      wrapTransport: (inner) => ({
        ...inner,
        push(body) {
          batches.push(body.records.length);
          return inner.push({ records: body.records.map((record) => (record.id === deepId ? { ...record, update: deepUpdate } : record)) });
        },
      }),
    });
    open.push(synced);
    const goodIds = [await synced.client.create('entry', { ...practice, title: 'First' }), await synced.client.create('entry', { ...practice, title: 'Second' })];
    deepId = await synced.client.create('entry', { ...practice, title: 'Deep' });
    await synced.engine.syncNow();
    expect(await synced.engine.quarantined()).toEqual([expect.objectContaining({ recordId: deepId, code: 'update-too-complex' })]);
    for (const id of goodIds) expect(await hub.storage.getRecord(id)).not.toBeNull();
    expect(synced.engine.status).toMatchObject({ state: 'synced', pendingCount: 0, quarantinedCount: 1 });
    expect(batches[0]).toBe(3);
    // Another session leaves it out instead of sending it again.
    const before = batches.length;
    await synced.engine.syncNow();
    expect(batches.length).toBe(before);
  });
});
