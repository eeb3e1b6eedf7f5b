import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendLog, writeFields } from '../../shared/records/layout';
import { interest, interestId, interestMutators } from '../../shared/records/interest';
import { offer, offerMutators } from '../../shared/records/offer';
import { errorBodySchema, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, pull, push, type HubAnswer } from '../support/hubRequests';

/*
 * Closing an offer and declining an interest are irreversible for the organizations concerned, so
 * each takes a reason, over real HTTP: the hub refuses a closed offer or a declined interest
 * without one (422 invariant-violated, nothing written), stores the one with its reason, and the
 * organization reads the reason in what it pulls.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const OFFER = 'offer-closing-1';
let hub: TestHub;
let secretariat: JoinResponse;
let member: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  secretariat = await hub.join(hub.secretariatCode);
  member = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  const ctx = editContext(secretariat.org.id, 'secretariat');
  const created = createUpdate('offer', { title: 'Compost training', kind: 'training', places: 3, opensAt: 0, closesAt: Date.now() + 30 * DAY_MS }, ctx, (doc) => offerMutators.setState.apply(doc, 'published', ctx));
  expect((await push(hub.url, secretariat.token, [{ id: OFFER, type: 'offer', update: created }])).status).toBe(200);
});

afterAll(async () => {
  await hub?.close();
});

async function expectRefused(send: () => Promise<HubAnswer>, recordId: string, field: string): Promise<void> {
  const before = { seq: await hub.storage.lastSeq(), record: await hub.storage.getRecord(recordId) };
  const answer = await send();
  expect({ status: answer.status, code: errorBodySchema.parse(answer.body).error.code }).toEqual({ status: 422, code: 'invariant-violated' });
  expect(answer.body).toMatchObject({ error: { field } });
  expect({ seq: await hub.storage.lastSeq(), record: await hub.storage.getRecord(recordId) }).toEqual(before);
}

/** The record as `token`'s organization pulls it, read by its module. */
async function pulled<P>(token: string, id: string, read: (doc: Y.Doc) => P): Promise<P> {
  const seen = (await pull(hub.url, token, 0)).records.find((r) => r.meta.id === id)!;
  const doc = new Y.Doc();
  Y.applyUpdate(doc, seen.update);
  const projection = read(doc);
  doc.destroy();
  return projection;
}

const pushed = (token: string, id: string, type: 'offer' | 'interest', update: Uint8Array) => push(hub.url, token, [{ id, type, update }]);
const stateOf = async (id: string) => (await hub.storage.getRecord(id))!.state;

describe('reasons for closing an offer and declining an interest, at the hub', () => {
  it('refuses an offer closed without a reason, or with an empty one, and stores the reason the members read', async () => {
    const by = secretariat.org.id;
    await expectRefused(async () => pushed(secretariat.token, OFFER, 'offer', changeUpdate(await stateOf(OFFER), (doc) => writeFields(doc, { state: 'closed' }))), OFFER, 'closure');
    await expectRefused(async () => pushed(secretariat.token, OFFER, 'offer', changeUpdate(await stateOf(OFFER), (doc) => writeFields(doc, { state: 'closed', closure: { reason: ' ', orgId: by, at: Date.now() } }))), OFFER, 'closure');
    // A reason left behind on an offer that is open again.
    await expectRefused(async () => pushed(secretariat.token, OFFER, 'offer', changeUpdate(await stateOf(OFFER), (doc) => writeFields(doc, { closure: { reason: 'All places taken', orgId: by, at: Date.now() } }))), OFFER, 'closure');
    expect(() => offerMutators.setState.apply(new Y.Doc(), 'closed', editContext(by, 'secretariat'))).toThrow(/reason/);

    const close = changeUpdate(await stateOf(OFFER), (doc) => offerMutators.close.apply(doc, 'All three places are taken', editContext(by, 'secretariat')));
    expect((await pushed(secretariat.token, OFFER, 'offer', close)).status).toBe(200);
    expect(await pulled(member.token, OFFER, (doc) => offer.read(doc))).toMatchObject({ state: 'closed', closure: { reason: 'All three places are taken', orgId: by } });
  });

  it('refuses an interest declined without a reason, and the organization reads the reason on its step', async () => {
    const id = interestId(OFFER, member.org.id);
    const expressed = createUpdate('interest', { offerId: OFFER, message: 'We would like to come.' }, editContext(member.org.id, 'member'));
    expect((await pushed(member.token, id, 'interest', expressed)).status).toBe(200);
    const sec = () => editContext(secretariat.org.id, 'secretariat');
    expect(() => interestMutators.move.apply(new Y.Doc(), { stage: 'declined', note: '  ' }, sec())).toThrow(/reason/);
    // Written the way a client from PROTOCOL.md might: the stage and a step without a note.
    await expectRefused(
      async () =>
        pushed(secretariat.token, id, 'interest', changeUpdate(await stateOf(id), (doc) => {
          writeFields(doc, { stage: 'declined' });
          appendLog(doc, 'steps', { stage: 'declined', from: 'new', byOrg: secretariat.org.id, at: Date.now(), note: '' });
        })),
      id,
      'steps',
    );
    const decline = changeUpdate(await stateOf(id), (doc) => interestMutators.move.apply(doc, { stage: 'declined', note: 'The training is for counties in Dali only' }, sec()));
    expect((await pushed(secretariat.token, id, 'interest', decline)).status).toBe(200);
    const seen = await pulled(member.token, id, (doc) => interest.read(doc));
    expect(seen.stage).toBe('declined');
    expect(seen.steps.at(-1)).toMatchObject({ stage: 'declined', from: 'new', byOrg: secretariat.org.id, note: 'The training is for counties in Dali only' });
  });
});
