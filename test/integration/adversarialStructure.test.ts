import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, push, request } from '../support/hubRequests';

/*
 * Adversarial review (issue 12, "authorize what the update changes"): a part whose canonical
 * content is unchanged needs no action. A reviewer may therefore rewrite another organization's
 * field with the value it already has: nothing visible changes, but the field's Yjs item is now the
 * reviewer's, and with a high client id it wins over the owner's concurrent (offline) edit.
 */

const shared: EntryInput = {
  kind: 'practice',
  title: 'Rainwater cellars',
  language: 'en',
  sharing: 'network',
  attribution: { holderKind: 'community', holderName: 'Fengyu village', consent: 'community-approved' },
};

let hub: TestHub;
let owner: JoinResponse;
let steward: JoinResponse;
let bareSteward: JoinResponse;
let secretariat: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  secretariat = await hub.join(hub.secretariatCode);
  bareSteward = await hub.join(await hub.invite('Dali Rivers Network', 'steward'));
  owner = await hub.join(await hub.invite('Fengyu Farmers Cooperative', 'member'));
  steward = await hub.join(await hub.invite('Erhai Watershed Alliance', 'steward'));
  const granted = await request(hub.url, `/v1/admin/orgs/${steward.org.id}/steward-scopes`, {
    method: 'PUT',
    token: secretariat.token,
    body: JSON.stringify({ scopes: ['review'] }),
    headers: { 'content-type': 'application/json' },
  });
  expect(granted.status).toBe(200);
});

afterAll(async () => {
  await hub.close();
});

/** The update `change` makes to `state`, written by a Yjs client with the given id. */
function updateAs(clientId: number, state: Uint8Array, change: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  Y.applyUpdate(doc, state);
  const before = Y.encodeStateVector(doc);
  change(doc);
  const update = Y.encodeStateAsUpdate(doc, before);
  doc.destroy();
  return update;
}

describe("adversarial: a reviewer takes over another organization's fields", () => {
  it.each([
    ['a steward granted review', () => steward],
    ['a steward without any scope', () => bareSteward],
    ['the secretariat', () => secretariat],
  ])("refuses %s a rewrite of another organization's title, even to its current value", async (_label, who) => {
    const id = `entry-${randomUUID()}`;
    expect((await push(hub.url, owner.token, [{ id, type: 'entry', update: createUpdate('entry', shared, editContext(owner.org.id, 'member')) }])).status).toBe(200);
    const state = (await hub.storage.getRecord(id))!.state;
    // The owner edits offline from this state.
    const ownerEdit = updateAs(1, state, (doc) => entryMutators.setFields.apply(doc, { title: 'Rainwater cellars, lined with clay' }, editContext(owner.org.id, 'member')));
    // The reviewer "changes nothing" (same title), from the same state, as the highest client id.
    const rewrite = updateAs(0xffffffff, state, (doc) => doc.getMap('fields').set('title', 'Rainwater cellars'));
    const answer = await push(hub.url, who().token, [{ id, type: 'entry', update: rewrite }]);
    // Then the owner comes online and its edit is accepted...
    const ownerAnswer = await push(hub.url, owner.token, [{ id, type: 'entry', update: ownerEdit }]);
    expect(ownerAnswer.status).toBe(200);
    const title = (await hub.storage.getRecord(id))!.projection['title'];
    // Observed: the rewrite is accepted (200) and the owner's edit is silently lost.
    expect({ status: answer.status, title }).toEqual({ status: 403, title: 'Rainwater cellars, lined with clay' });
  });
});
