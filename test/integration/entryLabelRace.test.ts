// Adversarial pass (adv-attack): an owner-only label (TK Secret/Sacred) lost to an honest edit of
// another label on a second device. `fields.labels` is one plain value, last writer wins
// (PROTOCOL: labels are replaced whole), so device A applying TK Secret/Sacred and device B of the
// same organization applying TK Attribution, both offline from the same state through the app's own
// `applyLabel`, merge into B's list alone when B's write wins the Yjs tie: the hub takes both
// pushes and serves the sacred entry to every other organization. Real hub, real SQLite, POST
// /v1/push and /v1/pull. FAILS on main.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import type { EditContext } from '../../shared/records/recordModule';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, pull, push } from '../support/hubRequests';

let hub: TestHub;
let deviceA: Awaited<ReturnType<TestHub['join']>>;
let deviceB: Awaited<ReturnType<TestHub['join']>>;
let reader: Awaited<ReturnType<TestHub['join']>>;

beforeAll(async () => {
  hub = await startTestHub();
  deviceA = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  deviceB = await hub.join(await hub.inviteDevice(deviceA.org.id));
  reader = await hub.join(await hub.invite('Cangshan Seed Bank'));
});

afterAll(async () => {
  await hub.close();
});

const practice: EntryInput = {
  kind: 'local-wisdom',
  title: 'The spring offering before sowing',
  body: 'Only the elders of the village perform it.',
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: 'Fengyu village elders', consent: 'community-approved' },
  sharing: 'network',
};

/** An edit made on a device whose Yjs client id is `clientId`, from `state`. */
function editOn(clientId: number, state: Uint8Array, change: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  Y.applyUpdate(doc, state);
  const before = Y.encodeStateVector(doc);
  doc.transact(() => change(doc));
  const update = Y.encodeStateAsUpdate(doc, before);
  doc.destroy();
  return update;
}

describe('an owner-only label and a concurrent edit of another label (attack)', () => {
  it('keeps TK Secret/Sacred applied on one device when another device applies a second label at the same time', async () => {
    const id = 'entry-label-race';
    const ctxA: EditContext = { ...editContext(deviceA.org.id, 'member'), deviceId: deviceA.deviceId };
    const ctxB: EditContext = { ...editContext(deviceB.org.id, 'member'), deviceId: deviceB.deviceId };
    expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: createUpdate('entry', practice, ctxA) }])).status).toBe(200);
    const base = (await hub.storage.getRecord(id))!.state;

    const secret = editOn(1_000, base, (doc) => entryMutators.applyLabel.apply(doc, { id: 'tk-secret-sacred', isOn: true }, ctxA));
    const attribution = editOn(2_000_000_000, base, (doc) => entryMutators.applyLabel.apply(doc, { id: 'tk-attribution', isOn: true }, ctxB));
    expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: secret }])).status).toBe(200);
    expect((await push(hub.url, deviceB.token, [{ id, type: 'entry', update: attribution }])).status).toBe(200);

    const stored = (await hub.storage.getRecord(id))!.projection as unknown as EntryProjection;
    const read = await pull(hub.url, reader.token, 0);
    // On main: labels are [tk-attribution] only, and another organization pulls the sacred entry.
    expect({ labels: stored.labels.map((label) => label.id).sort(), pulledByOther: read.records.some((record) => record.meta.id === id) }).toEqual({
      labels: ['tk-attribution', 'tk-secret-sacred'],
      pulledByOther: false,
    });
  });
});
