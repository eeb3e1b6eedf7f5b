// Adversarial pass (adv-attack): two honest devices of one organization, each editing through the
// app's own mutators, and the hub's record invariants (server/hub/recordInvariants.ts). Fields are
// last-writer-wins per key, so device A marking consent `pending` on a private draft (attribution)
// and device B sharing the same draft (sharing, status) merge into "shared, consent pending"
// although neither edit breaks an invariant. Whichever arrived second was refused 422: when B's
// share landed first, the community's withdrawal of consent was the one refused, and the entry
// stayed shared with the network under the old consent. Real hub, real SQLite, POST /v1/push.
// FAILED on main; now an entry reads as a private draft whenever its consent is pending, or any
// stored trace says private (shared/records/entrySharing.ts), so every such merge is taken and
// private, and the hub stops handing the entry out by pull, /yjs and bundle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import type { EditContext } from '../../shared/records/recordModule';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';
import { hubBundleIds, openYjs, pullIds, storagesUnderTest, type Cleanups } from '../support/readerViews';
import { joinWithBundleKey, uploadBundle, yjsEdit, type BundleDevice } from '../support/writeEntryPoints';

const draft: EntryInput = {
  kind: 'local-wisdom',
  title: 'Reading the swallows',
  language: 'en',
  sharing: 'private',
  attribution: { holderKind: 'person', holderName: 'Grandmother Li', consent: 'credit-by-name' },
};
const pending = { ...draft.attribution!, consent: 'pending' as const };

/** An edit made on a device whose Yjs client id is `clientId`, from `state`: who wins a tie on one key is the higher id. */
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
const LOW = 1_000;
const HIGH = 2_000_000_000;

describe('withdrawing consent while another device shares the draft (attack)', () => {
  let hub: TestHub;
  let deviceA: Awaited<ReturnType<TestHub['join']>>;
  let deviceB: Awaited<ReturnType<TestHub['join']>>;

  beforeAll(async () => {
    hub = await startTestHub();
    deviceA = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
    deviceB = await hub.join(await hub.inviteDevice(deviceA.org.id));
  });

  afterAll(async () => {
    await hub.close();
  });

  it('takes the withdrawal of consent pushed after the other device shared the entry, and leaves it shared with nobody', async () => {
    const id = 'entry-consent-race';
    const ctxA = { ...editContext(deviceA.org.id, 'member'), deviceId: deviceA.deviceId };
    const ctxB = { ...editContext(deviceB.org.id, 'member'), deviceId: deviceB.deviceId };
    expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: createUpdate('entry', draft, ctxA) }])).status).toBe(200);
    const base = (await hub.storage.getRecord(id))!.state;

    // Offline, from the same state: A withdraws consent (allowed: the draft is private), B shares it.
    const withdraw = changeUpdate(base, (doc) => entryMutators.setAttribution.apply(doc, { ...draft.attribution!, consent: 'pending' }, ctxA));
    const share = changeUpdate(base, (doc) => entryMutators.setSharing.apply(doc, 'network', ctxB));

    expect((await push(hub.url, deviceB.token, [{ id, type: 'entry', update: share }])).status).toBe(200);
    const answer = await push(hub.url, deviceA.token, [{ id, type: 'entry', update: withdraw }]);
    const stored = (await hub.storage.getRecord(id))!.projection as unknown as EntryProjection;
    // On main: 422 invariant-violated, and the hub serves the entry to the network with consent
    // credit-by-name; A's device quarantines the withdrawal.
    expect({ status: answer.status, consent: stored.attribution.consent, sharing: stored.sharing }).toEqual({ status: 200, consent: 'pending', sharing: 'private' });
  });
});

for (const storage of storagesUnderTest()) {
  describe(`a withdrawal always wins over a concurrent share, and the entry leaves every other reader (${storage.label})`, () => {
    const cleanups: Cleanups = [];
    let hub: TestHub;
    let deviceA: BundleDevice;
    let deviceB: BundleDevice;
    let secretariat: Awaited<ReturnType<TestHub['join']>>;
    let reader: Awaited<ReturnType<TestHub['join']>>;
    let serial = 0;
    const ctxOf = (device: BundleDevice): EditContext => ({ ...editContext(device.org.id, 'member'), deviceId: device.deviceId });

    beforeAll(async () => {
      hub = await startTestHub({ storage: await storage.open(cleanups) });
      cleanups.push(() => hub.close());
      secretariat = await hub.join(hub.secretariatCode);
      deviceA = await joinWithBundleKey(hub, await hub.invite('Fengyu Farmers Cooperative'));
      deviceB = await joinWithBundleKey(hub, await hub.inviteDevice(deviceA.org.id));
      reader = await hub.join(await hub.invite('Cangshan Seed Bank'));
    });

    afterAll(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** A's entry as stored at the hub, created from `input`: its id and state. */
    async function storedEntry(input: EntryInput): Promise<{ id: string; state: Uint8Array }> {
      const id = `entry-withdrawal-${++serial}`;
      expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: createUpdate('entry', input, ctxOf(deviceA)) }])).status).toBe(200);
      return { id, state: (await hub.storage.getRecord(id))!.state };
    }
    const projectionOf = async (id: string) => (await hub.storage.getRecord(id))!.projection as unknown as EntryProjection;

    // Which device wins the tie on `sharing` and `status` (both write them) is Yjs' client order.
    for (const order of ['the share first', 'the withdrawal first'] as const) {
      for (const [idA, idB, winner] of [
        [LOW, HIGH, 'the sharing device'],
        [HIGH, LOW, 'the withdrawing device'],
      ] as const) {
        it(`takes both pushes, ${order}, ${winner} winning the tie, and the entry reads a private draft`, async () => {
          const { id, state } = await storedEntry(draft);
          const withdraw = editOn(idA, state, (doc) => entryMutators.setAttribution.apply(doc, pending, ctxOf(deviceA)));
          const share = editOn(idB, state, (doc) => entryMutators.setSharing.apply(doc, 'network', ctxOf(deviceB)));
          const sends = order === 'the share first' ? [[deviceB, share], [deviceA, withdraw]] as const : [[deviceA, withdraw], [deviceB, share]] as const;
          for (const [device, update] of sends) {
            const answer = await push(hub.url, device.token, [{ id, type: 'entry', update }]);
            expect(answer.status, JSON.stringify(answer.body)).toBe(200);
          }
          expect(await projectionOf(id)).toMatchObject({ attribution: { consent: 'pending' }, sharing: 'private', status: 'draft' });
          expect((await hub.storage.getRecord(id))!.facts).toMatchObject({ isPrivate: true });
        });
      }
    }

    it('withdraws the merged entry and its comments from readers who held them: pull, an open /yjs socket, a new one and the hub bundle', async () => {
      const { id, state } = await storedEntry({ ...draft, sharing: 'network' });
      const commentId = `comment-on-${id}`;
      const comment = createUpdate('comment', { targetId: id, text: 'We saw the same in Lijiang.' }, editContext(reader.org.id, 'member'));
      expect((await push(hub.url, reader.token, [{ id: commentId, type: 'comment', update: comment }])).status).toBe(200);
      const held = await pullIds(hub.url, reader.token, 0);
      const heldBySecretariat = await pullIds(hub.url, secretariat.token, 0);
      expect(held.ids).toEqual(expect.arrayContaining([id, commentId]));
      const socket = await openYjs(hub, reader.token, id, cleanups);
      expect(socket.outcome).toBe('open');

      // B widens to the public while A, offline, withdraws consent; B's push lands first.
      const widen = editOn(HIGH, state, (doc) => entryMutators.setSharing.apply(doc, 'public', ctxOf(deviceB)));
      const withdraw = editOn(LOW, state, (doc) => entryMutators.setAttribution.apply(doc, pending, ctxOf(deviceA)));
      expect((await push(hub.url, deviceB.token, [{ id, type: 'entry', update: widen }])).status).toBe(200);
      const widened = await pullIds(hub.url, reader.token, held.checkpoint);
      expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: withdraw }])).status).toBe(200);

      expect(await socket.closed).toBe(4403);
      expect((await openYjs(hub, reader.token, id, cleanups)).outcome).toBe(4404);
      const after = await pullIds(hub.url, reader.token, widened.checkpoint);
      expect(after.withdrawn).toEqual(expect.arrayContaining([id, commentId]));
      expect(after.ids).not.toContain(id);
      expect((await pullIds(hub.url, secretariat.token, heldBySecretariat.checkpoint)).withdrawn).toContain(id);
      expect(await hubBundleIds(hub, reader.org.id, 0)).not.toContain(id);
      expect(await hubBundleIds(hub, reader.org.id, 0)).not.toContain(commentId);
      // Its own organization still has it all.
      expect(await hubBundleIds(hub, deviceA.org.id, 0)).toContain(id);
    });

    it('takes a withdrawal over /yjs and in a field bundle after the other device shared', async () => {
      for (const via of ['yjs', 'bundle'] as const) {
        const { id, state } = await storedEntry(draft);
        expect((await push(hub.url, deviceB.token, [{ id, type: 'entry', update: editOn(HIGH, state, (doc) => entryMutators.setSharing.apply(doc, 'network', ctxOf(deviceB))) }])).status).toBe(200);
        // A client written from PROTOCOL.md, or an older app, writes the attribution alone.
        const withdrawOnly = (doc: Y.Doc) => doc.getMap('fields').set('attribution', pending);
        if (via === 'yjs') expect(await yjsEdit(hub, deviceA.token, id, withdrawOnly)).toBeNull();
        else expect((await uploadBundle(hub, deviceA, [{ id, type: 'entry', update: editOn(LOW, state, withdrawOnly) }])).status).toBe(200);
        expect(await projectionOf(id), via).toMatchObject({ attribution: { consent: 'pending' }, sharing: 'private', status: 'draft' });
        expect((await pullIds(hub.url, reader.token, 0)).ids, via).not.toContain(id);
      }
    });

    it('keeps the entry private when consent is given again on the device (the app writes private with it); sharing again is its own step', async () => {
      const { id, state } = await storedEntry(draft);
      expect((await push(hub.url, deviceB.token, [{ id, type: 'entry', update: editOn(HIGH, state, (doc) => entryMutators.setSharing.apply(doc, 'network', ctxOf(deviceB))) }])).status).toBe(200);
      expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: editOn(LOW, state, (doc) => entryMutators.setAttribution.apply(doc, pending, ctxOf(deviceA))) }])).status).toBe(200);
      const merged = (await hub.storage.getRecord(id))!.state;
      // The merge left `sharing: network` stored (B won the tie); giving consent must not revive it.
      const regiven = changeUpdate(merged, (doc) => entryMutators.setAttribution.apply(doc, draft.attribution!, ctxOf(deviceA)));
      expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: regiven }])).status).toBe(200);
      expect(await projectionOf(id)).toMatchObject({ attribution: { consent: 'credit-by-name' }, sharing: 'private', status: 'draft' });
      expect((await pullIds(hub.url, reader.token, 0)).ids).not.toContain(id);
      const reshared = changeUpdate((await hub.storage.getRecord(id))!.state, (doc) => entryMutators.setSharing.apply(doc, 'network', ctxOf(deviceA)));
      expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: reshared }])).status).toBe(200);
      expect(await projectionOf(id)).toMatchObject({ sharing: 'network', status: 'shared' });
      expect((await pullIds(hub.url, reader.token, 0)).ids).toContain(id);
    });

    it('takes a withdrawal concurrent with an endorsement, refuses the endorsement arriving after it, and reads private', async () => {
      const { id } = await storedEntry({ ...draft, sharing: 'network' });
      const submitted = changeUpdate((await hub.storage.getRecord(id))!.state, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf(deviceA)));
      expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: submitted }])).status).toBe(200);
      const base = (await hub.storage.getRecord(id))!.state;
      const secCtx = editContext(secretariat.org.id, 'secretariat');
      const endorse = editOn(HIGH, base, (doc) => entryReviewMutators.endorseSubmission.apply(doc, 'Clear.', secCtx));
      const withdraw = editOn(LOW, base, (doc) => entryMutators.setAttribution.apply(doc, pending, ctxOf(deviceA)));
      // Endorsed first, then withdrawn: the withdrawal is taken although the reviewer's status wins the tie.
      expect((await push(hub.url, secretariat.token, [{ id, type: 'entry', update: endorse }])).status).toBe(200);
      expect(await projectionOf(id)).toMatchObject({ status: 'endorsed' });
      expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: withdraw }])).status).toBe(200);
      expect(await projectionOf(id)).toMatchObject({ sharing: 'private', status: 'draft' });

      // Withdrawn first, then the endorsement: a review of a private draft is refused.
      const other = await storedEntry({ ...draft, sharing: 'network' });
      const otherSubmitted = changeUpdate(other.state, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf(deviceA)));
      expect((await push(hub.url, deviceA.token, [{ id: other.id, type: 'entry', update: otherSubmitted }])).status).toBe(200);
      const otherBase = (await hub.storage.getRecord(other.id))!.state;
      expect((await push(hub.url, deviceA.token, [{ id: other.id, type: 'entry', update: editOn(LOW, otherBase, (doc) => entryMutators.setAttribution.apply(doc, pending, ctxOf(deviceA))) }])).status).toBe(200);
      const late = editOn(HIGH, otherBase, (doc) => entryReviewMutators.endorseSubmission.apply(doc, 'Clear.', secCtx));
      expect(await push(hub.url, secretariat.token, [{ id: other.id, type: 'entry', update: late }])).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: other.id } } });
      expect(await projectionOf(other.id)).toMatchObject({ sharing: 'private', status: 'draft' });
    });

    it('makes the entry private when one device makes it private while the other widens it to the public, whichever wins the tie', async () => {
      for (const [idA, idB] of [
        [LOW, HIGH],
        [HIGH, LOW],
      ] as const) {
        const { id, state } = await storedEntry({ ...draft, sharing: 'network' });
        const toPrivate = editOn(idA, state, (doc) => entryMutators.setSharing.apply(doc, 'private', ctxOf(deviceA)));
        const toPublic = editOn(idB, state, (doc) => entryMutators.setSharing.apply(doc, 'public', ctxOf(deviceB)));
        expect((await push(hub.url, deviceB.token, [{ id, type: 'entry', update: toPublic }])).status).toBe(200);
        expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: toPrivate }])).status).toBe(200);
        expect(await projectionOf(id)).toMatchObject({ sharing: 'private', status: 'draft' });
        expect((await pullIds(hub.url, reader.token, 0)).ids).not.toContain(id);
      }
    });
  });
}
