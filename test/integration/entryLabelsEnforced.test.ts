// Labels that restrict are enforced by the hub, not only shown: an entry labelled TK Secret/Sacred
// or TK Community Use Only never leaves its owning organization. Real hub on loopback, real SQLite;
// readers from other organizations with member, steward, observer and secretariat credentials try
// every way out: pull (first and incremental, with withdrawal), /yjs (connect and an open socket),
// a hub bundle, a comment on it and a review of it. The owner's own devices keep reading it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { exportOrgBundle, nodeBundleCompression } from '../../server/hub/bundles';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import type { EntryLabelId } from '../../shared/records/entryLabels';
import type { Role } from '../../shared/records/recordType';
import { readBundle, readBundleRecords } from '../../shared/sync/bundle';
import { PullFrameReader, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';

let hub: TestHub;
let owner: JoinResponse;
let ownerSecondDevice: JoinResponse;
const readers: { role: Role; join: JoinResponse }[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  owner = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  ownerSecondDevice = await hub.join(await hub.inviteDevice(owner.org.id));
  readers.push({ role: 'secretariat', join: await hub.join(hub.secretariatCode) });
  readers.push({ role: 'member', join: await hub.join(await hub.invite('Cangshan Seed Bank')) });
  readers.push({ role: 'steward', join: await hub.join(await hub.invite('Erhai Watershed Trust', 'steward')) });
  readers.push({ role: 'observer', join: await hub.join(await hub.invite('Provincial Agriculture Bureau', 'observer')) });
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
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

async function pullIds(token: string, since: number): Promise<{ ids: string[]; withdrawn: string[]; checkpoint: number }> {
  const response = await fetch(`${hub.url}/v1/pull?since=${since}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const ids: string[] = [];
  const withdrawn: string[] = [];
  let checkpoint = since;
  for (const frame of new PullFrameReader().push(new Uint8Array(await response.arrayBuffer()))) {
    if (frame.kind === 'error') throw new Error(frame.error.code);
    ids.push(...frame.records.map((record) => record.meta.id));
    withdrawn.push(...(frame.withdrawn ?? []));
    checkpoint = frame.checkpoint;
  }
  return { ids, withdrawn, checkpoint };
}

/** Opens /yjs/<id>: 'open' once the hub sends its first message, or the close code it refused with. */
function openYjs(token: string, recordId: string): Promise<{ outcome: 'open' | number; closed: Promise<number> }> {
  const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/yjs/${recordId}?token=${encodeURIComponent(token)}`);
  sockets.push(socket);
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  return new Promise((resolve) => {
    socket.once('message', () => resolve({ outcome: 'open', closed }));
    void closed.then((code) => resolve({ outcome: code, closed }));
  });
}

async function bundleIds(orgId: string, since: number): Promise<string[]> {
  const { bytes } = await exportOrgBundle(hub.hub, { orgId, since, signer: hub.hub.hubKey });
  return (await readBundleRecords(readBundle(bytes), nodeBundleCompression)).map((record) => record.id);
}

const ownerCtx = () => editContext(owner.org.id, 'member');

async function setLabels(id: string, labels: EntryLabelId[]): Promise<void> {
  const state = (await hub.storage.getRecord(id))!.state;
  const update = changeUpdate(state, (doc) => entryMutators.setLabels.apply(doc, labels.map((label) => ({ id: label, texts: { en: 'Ask the elders first', zh: '请先问长老' } })), ownerCtx()));
  const answer = await push(hub.url, owner.token, [{ id, type: 'entry', update }]);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

describe.each(['tk-secret-sacred', 'tk-community-use-only'] as const)('an entry labelled %s never leaves its organization', (label) => {
  it('is withdrawn from every other organization, by pull, /yjs and bundle, and kept by the owner; taking the label off sends it again', async () => {
    const id = `entry-${label}`;
    const commentId = `comment-${label}`;
    expect((await push(hub.url, owner.token, [{ id, type: 'entry', update: createUpdate('entry', practice, ownerCtx()) }])).status).toBe(200);
    expect((await push(hub.url, owner.token, [{ id: commentId, type: 'comment', update: createUpdate('comment', { targetId: id, text: 'Asked the elders in March' }, ownerCtx()) }])).status).toBe(200);

    // Shared with the network and unlabelled: every reader has it, and holds a /yjs socket on it.
    const first = new Map<Role, number>();
    const openSockets = new Map<Role, Promise<number>>();
    for (const { role, join } of readers) {
      const pulled = await pullIds(join.token, 0);
      expect(pulled.ids, role).toEqual(expect.arrayContaining([id, commentId]));
      first.set(role, pulled.checkpoint);
      const socket = await openYjs(join.token, id);
      expect(socket.outcome, role).toBe('open');
      openSockets.set(role, socket.closed);
    }

    await setLabels(id, [label, 'tk-seasonal']);
    for (const { role, join } of readers) {
      // The open socket is closed (4403); the next pull withdraws entry and comment; a pull from
      // the start, a new socket and a hub bundle never name them.
      expect(await openSockets.get(role), role).toBe(4403);
      const next = await pullIds(join.token, first.get(role)!);
      expect(next.ids, role).not.toContain(id);
      expect(next.ids, role).not.toContain(commentId);
      expect(next.withdrawn, role).toEqual(expect.arrayContaining([id, commentId]));
      const fromStart = await pullIds(join.token, 0);
      expect(fromStart.ids, role).not.toContain(id);
      expect(fromStart.ids, role).not.toContain(commentId);
      expect((await openYjs(join.token, id)).outcome, role).toBe(4404);
      expect((await openYjs(join.token, commentId)).outcome, role).toBe(4404);
      expect(await bundleIds(join.org.id, 0), role).not.toContain(id);
      expect(await bundleIds(join.org.id, 0), role).not.toContain(commentId);
    }
    // The owning organization's other device reads both, by pull, /yjs and bundle.
    expect((await pullIds(ownerSecondDevice.token, 0)).ids).toEqual(expect.arrayContaining([id, commentId]));
    expect((await openYjs(ownerSecondDevice.token, id)).outcome).toBe('open');
    expect(await bundleIds(owner.org.id, 0)).toEqual(expect.arrayContaining([id, commentId]));

    // Taking the label off: the next pull sends both again.
    const checkpoints = new Map<Role, number>();
    for (const { role, join } of readers) checkpoints.set(role, (await pullIds(join.token, 0)).checkpoint);
    await setLabels(id, ['tk-seasonal']);
    for (const { role, join } of readers) expect((await pullIds(join.token, checkpoints.get(role)!)).ids, role).toEqual(expect.arrayContaining([id, commentId]));
  });

  it('may not be reviewed, commented on or written by any other organization', async () => {
    const id = `entry-${label}-review`;
    const submitted = createUpdate('entry', { ...practice, labels: [{ id: label, texts: { en: '', zh: '只限本村' } }] }, ownerCtx(), (doc) => entryReviewMutators.submitForReview.apply(doc, '', ownerCtx()));
    expect((await push(hub.url, owner.token, [{ id, type: 'entry', update: submitted }])).status).toBe(200);
    const { state, seq } = (await hub.storage.getRecord(id))!;
    for (const { role, join } of readers) {
      const ctx = editContext(join.org.id, role);
      const note = changeUpdate(state, (doc) => entryMutators.addReviewNote.apply(doc, 'Looks good', ctx));
      expect(await push(hub.url, join.token, [{ id, type: 'entry', update: note }]), role).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: id } } });
      const endorse = changeUpdate(state, (doc) => entryReviewMutators.endorseSubmission.apply(doc, '', ctx));
      expect((await push(hub.url, join.token, [{ id, type: 'entry', update: endorse }])).status, role).toBe(403);
      if (role === 'observer') continue;
      const commentId = `comment-${label}-${role}`;
      const comment = createUpdate('comment', { targetId: id, text: 'May we use this?' }, ctx);
      expect(await push(hub.url, join.token, [{ id: commentId, type: 'comment', update: comment }]), role).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      expect(await hub.storage.getRecord(commentId)).toBeNull();
    }
    expect((await hub.storage.getRecord(id))!.seq).toBe(seq);
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ status: 'shared', reviewNotes: [] });
  });
});
