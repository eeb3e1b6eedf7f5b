import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { entryMutators } from '../../shared/records/entry';
import { limits, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { deeplyNestedMaps, manyClientsOneKey, oneClientConflictingWrites } from '../support/costlyUpdates';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';

/*
 * No request buys more hub time than its budget (issue 12, "Cost"): updates that are cheap to
 * send and costly to integrate are refused by their contents before they are applied, or stopped
 * at the time budget while they are applied, in a worker: the hub keeps answering meanwhile.
 */

let hub: TestHub;
let member: JoinResponse;
let observer: JoinResponse;
let entryId: string;

const practice = {
  kind: 'practice',
  title: 'Straw mulch',
  language: 'en',
  attribution: { holderKind: 'person', holderName: 'Li', consent: 'credit-by-name' },
  sharing: 'network',
} as const;

beforeAll(async () => {
  hub = await startTestHub({ requestsPerMinute: 1_000_000 });
  member = await hub.join(await hub.invite('Fengyu Farmers Cooperative', 'member'));
  observer = await hub.join(await hub.invite('Provincial Water Bureau', 'observer'));
  entryId = 'entry-cost';
  const answer = await push(hub.url, member.token, [{ id: entryId, type: 'entry', update: createUpdate('entry', practice, editContext(member.org.id, 'member')) }]);
  expect(answer.status).toBe(200);
});

afterAll(async () => {
  await hub?.close();
});

/**
 * Runs `send` and, until it settles, asks /health again as soon as each answer comes: the number
 * of /health answers that came while `send` was pending. A hub whose one thread is busy applying
 * the update answers none of them until it is done.
 */
async function healthAnswersDuring<T>(send: () => Promise<T>): Promise<{ result: T; healthAnswers: number }> {
  let isDone = false;
  let healthAnswers = 0;
  const probe = (async () => {
    while (!isDone) {
      const response = await fetch(`${hub.url}/health`);
      await response.arrayBuffer();
      if (!isDone && response.status === 200) healthAnswers++;
    }
  })();
  const result = await send().finally(() => {
    isDone = true;
  });
  await probe;
  return { result, healthAnswers };
}

async function expectRefusedWithoutWriting(send: () => Promise<HubAnswer>, status: number, code: string): Promise<number> {
  const before = await hub.storage.getRecord(entryId);
  const seq = await hub.storage.lastSeq();
  const { result, healthAnswers } = await healthAnswersDuring(send);
  expect({ status: result.status, body: result.body }).toMatchObject({ status, body: { error: { code, recordId: entryId } } });
  expect(await hub.storage.lastSeq()).toBe(seq);
  expect(await hub.storage.getRecord(entryId)).toEqual(before);
  return healthAnswers;
}

const stateOf = async () => (await hub.storage.getRecord(entryId))!.state;

describe('an update is bounded by what it holds, before it is applied', () => {
  it('refuses many clients writing one map key (a few hundred KB that took seconds) with update-too-complex', async () => {
    const update = manyClientsOneKey(20_000);
    expect(update.length).toBeLessThan(limits.maxUpdateBytes);
    await expectRefusedWithoutWriting(() => push(hub.url, member.token, [{ id: entryId, type: 'entry', update }]), 422, 'update-too-complex');
  }, 120_000);

  it('refuses types nested deeper than the limit with update-too-complex', async () => {
    const update = deeplyNestedMaps(limits.maxUpdateNestingDepth + 1);
    await expectRefusedWithoutWriting(() => push(hub.url, member.token, [{ id: entryId, type: 'entry', update }]), 422, 'update-too-complex');
  });

  it('refuses an observer’s costly update with forbidden, before decoding it', async () => {
    const update = oneClientConflictingWrites(20_000);
    const answer = await push(hub.url, observer.token, [{ id: entryId, type: 'entry', update }]);
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
  });

  it('accepts the largest realistic edit: a long body typed keystroke by keystroke over many sessions', async () => {
    const updates: Uint8Array[] = [];
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await stateOf());
    // 10 sessions (each its own Y.Doc, so its own client id), each a paragraph of 500 keystrokes
    // with a correction every tenth: 5,000 characters written offline, pushed as one update
    // (docs/SECURITY.md gives the figures for 20,000).
    for (let session = 0; session < 10; session++) {
      const editor = new Y.Doc();
      Y.applyUpdate(editor, Y.encodeStateAsUpdate(doc));
      editor.on('update', (update: Uint8Array) => updates.push(update));
      const paragraph = new Y.XmlElement('paragraph');
      const text = new Y.XmlText();
      paragraph.insert(0, [text]);
      editor.getXmlFragment('body').push([paragraph]);
      for (let key = 0; key < 500; key++) {
        text.insert(text.length, String.fromCharCode(97 + (key % 26)));
        if (key % 10 === 9) text.delete(text.length - 2, 1);
      }
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(editor));
      editor.destroy();
    }
    doc.destroy();
    const update = Y.mergeUpdates(updates);
    const answer = await push(hub.url, member.token, [{ id: entryId, type: 'entry', update }]);
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
  }, 120_000);
});

describe('the time budget is enforced while the update is applied', () => {
  it('stops one client’s conflicting writes to one key at the budget (update-too-slow); /health answers meanwhile', async () => {
    const update = oneClientConflictingWrites(40_000);
    expect(update.length).toBeLessThan(limits.maxUpdateBytes);
    const healthAnswers = await expectRefusedWithoutWriting(() => push(hub.url, member.token, [{ id: entryId, type: 'entry', update }]), 422, 'update-too-slow');
    expect(healthAnswers).toBeGreaterThanOrEqual(3);
    // And the hub goes on validating: the next ordinary push is accepted.
    const next = changeUpdate(await stateOf(), (doc) => entryMutators.setFields.apply(doc, { title: 'Straw mulch, revised' }, editContext(member.org.id, 'member')));
    expect((await push(hub.url, member.token, [{ id: entryId, type: 'entry', update: next }])).status).toBe(200);
  });

  it('stops the same update sent through /yjs/<id>: refused with its code, nothing stored, /health answers meanwhile', async () => {
    const update = oneClientConflictingWrites(40_000);
    const seq = await hub.storage.lastSeq();
    const logged = hub.logs.length;
    const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/yjs/${entryId}?token=${encodeURIComponent(member.token)}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0); // sync
    encoding.writeVarUint(encoder, 2); // update
    encoding.writeVarUint8Array(encoder, update);
    const refusal = () => hub.logs.slice(logged).find((entry) => (entry as { code?: string }).code !== undefined);
    const { healthAnswers } = await healthAnswersDuring(async () => {
      socket.send(encoding.toUint8Array(encoder));
      while (!refusal()) await new Promise((resolve) => setTimeout(resolve, 10));
    });
    socket.close();
    expect(refusal()).toMatchObject({ code: 'update-too-slow', recordId: entryId, status: 422 });
    expect(healthAnswers).toBeGreaterThanOrEqual(3);
    expect(await hub.storage.lastSeq()).toBe(seq);
  });
});
