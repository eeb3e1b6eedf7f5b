import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendLog, writeFields } from '../../shared/records/layout';
import { interest, interestId, interestMutators } from '../../shared/records/interest';
import { errorBodySchema, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, pull, push, type HubAnswer } from '../support/hubRequests';

/*
 * The interest pipeline at the hub, over real HTTP: an organization expresses interest only for
 * itself, only the secretariat moves an interest, and both sides read the logged steps.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const OFFER = 'offer-pipeline-1';
let hub: TestHub;
let secretariat: JoinResponse;
let memberA: JoinResponse;
let memberB: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  secretariat = await hub.join(hub.secretariatCode);
  memberA = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  memberB = await hub.join(await hub.invite('Cangshan Seed Bank'));
  const offer = createUpdate('offer', { title: 'Compost training', kind: 'training', places: 3, opensAt: 0, closesAt: 30 * DAY_MS }, editContext(secretariat.org.id, 'secretariat'));
  expect((await push(hub.url, secretariat.token, [{ id: OFFER, type: 'offer', update: offer }])).status).toBe(200);
});

afterAll(async () => {
  await hub?.close();
});

/** Sends a push that must be refused with `status` and `code`, and checks nothing was written. */
async function expectRefused(send: () => Promise<HubAnswer>, recordId: string, status: number, code: string): Promise<void> {
  const before = { seq: await hub.storage.lastSeq(), record: await hub.storage.getRecord(recordId) };
  const answer = await send();
  expect({ status: answer.status, code: errorBodySchema.parse(answer.body).error.code }).toEqual({ status, code });
  expect({ seq: await hub.storage.lastSeq(), record: await hub.storage.getRecord(recordId) }).toEqual(before);
}

const interestUpdate = (orgId: string, role: 'member' | 'secretariat') =>
  createUpdate('interest', { offerId: OFFER, message: 'We would like to come.' }, editContext(orgId, role));

describe('interests at the hub', () => {
  it("refuses an interest a member writes under another organization's id", async () => {
    const forB = interestId(OFFER, memberB.org.id);
    await expectRefused(() => push(hub.url, memberA.token, [{ id: forB, type: 'interest', update: interestUpdate(memberA.org.id, 'member') }]), forB, 403, 'forbidden');
  });

  it('refuses an interest the secretariat writes on behalf of a member', async () => {
    const forA = interestId(OFFER, memberA.org.id);
    await expectRefused(() => push(hub.url, secretariat.token, [{ id: forA, type: 'interest', update: interestUpdate(secretariat.org.id, 'secretariat') }]), forA, 403, 'forbidden');
  });

  it('refuses a pipeline move by the member, by the stage field or by a logged step alone; the secretariat moves it and both read the steps', async () => {
    const id = interestId(OFFER, memberA.org.id);
    expect((await push(hub.url, memberA.token, [{ id, type: 'interest', update: interestUpdate(memberA.org.id, 'member') }])).status).toBe(200);
    const stored = async () => (await hub.storage.getRecord(id))!;

    const memberMove = changeUpdate((await stored()).state, (doc) => interestMutators.move.apply(doc, { stage: 'accepted', note: '' }, editContext(memberA.org.id, 'member')));
    await expectRefused(() => push(hub.url, memberA.token, [{ id, type: 'interest', update: memberMove }]), id, 403, 'forbidden');
    const stageOnly = changeUpdate((await stored()).state, (doc) => writeFields(doc, { stage: 'accepted' }));
    await expectRefused(() => push(hub.url, memberA.token, [{ id, type: 'interest', update: stageOnly }]), id, 403, 'forbidden');
    const stepOnly = changeUpdate((await stored()).state, (doc) =>
      appendLog(doc, 'steps', { stage: 'accepted', from: 'new', byOrg: secretariat.org.id, at: Date.now(), note: 'forged' }),
    );
    await expectRefused(() => push(hub.url, memberA.token, [{ id, type: 'interest', update: stepOnly }]), id, 403, 'forbidden');
    const forgedBack = changeUpdate((await stored()).state, (doc) =>
      appendLog(doc, 'steps', { stage: 'new', from: 'shortlisted', byOrg: memberA.org.id, at: Date.now(), note: 'forged' }),
    );
    await expectRefused(() => push(hub.url, memberA.token, [{ id, type: 'interest', update: forgedBack }]), id, 403, 'forbidden');
        // Another member cannot touch it at all.
    const otherMessage = changeUpdate((await stored()).state, (doc) => interestMutators.setMessage.apply(doc, 'hijacked', editContext(memberB.org.id, 'member')));
    await expectRefused(() => push(hub.url, memberB.token, [{ id, type: 'interest', update: otherMessage }]), id, 403, 'forbidden');

    for (const [stage, note] of [['shortlisted', 'fits the county plan'], ['accepted', 'place confirmed']] as const) {
      const move = changeUpdate((await stored()).state, (doc) => interestMutators.move.apply(doc, { stage, note }, editContext(secretariat.org.id, 'secretariat')));
      expect((await push(hub.url, secretariat.token, [{ id, type: 'interest', update: move }])).status).toBe(200);
    }

    const seen = (await pull(hub.url, memberA.token, 0)).records.find((r) => r.meta.id === id)!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, seen.update);
    const projection = interest.read(doc);
    doc.destroy();
    expect(projection.stage).toBe('accepted');
    expect(projection.steps.map(({ stage, from, byOrg, note }) => ({ stage, from, byOrg, note }))).toEqual([
      { stage: 'new', from: undefined, byOrg: memberA.org.id, note: '' },
      { stage: 'shortlisted', from: 'new', byOrg: secretariat.org.id, note: 'fits the county plan' },
      { stage: 'accepted', from: 'shortlisted', byOrg: secretariat.org.id, note: 'place confirmed' },
    ]);
    // Between the organization and the secretariat only.
    expect((await pull(hub.url, memberB.token, 0)).records.map((r) => r.meta.id)).not.toContain(id);
  });
});
